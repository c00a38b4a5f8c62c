/**
 * The certificate inspector's data: for each service and client of a running sandbox, the
 * chain it presents and the trust anchors it verifies its peer with, each certificate read
 * and printed by the real openssl. Only the PEM files the sandbox directory holds — what a
 * learner reads with `openssl x509` in the terminal — never the lab's faults or answer.
 *
 *   GET /api/sandboxes/:id/certificates → CertificatesResponse (the caller's sandbox only, as every sandbox route)
 *
 *   SandboxDescription (file paths) ──inspectCertificateFile (each file once)──▶ holders ──▶ JSON
 */
import path from 'node:path';
import { inspectCertificateFile, type InspectedCertificate } from '../../pki/index.js';
import type { SandboxDescription } from '../../runtime/index.js';
import { ApiError } from '../errors.js';
import { sendJson } from '../http.js';
import type { CertificateFile, CertificateHolder, CertificatesResponse } from '../protocol.js';
import type { Route } from '../router.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';

export function certificateRoutes(registry: SandboxRegistry): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/sandboxes/:id/certificates',
      async handler({ res, params, caller }) {
        const session = registry.get(params.id!, caller);
        const view = session.view();
        if (!session.description) throw new ApiError('SANDBOX_NOT_RUNNING', `it is ${view.status}`);
        const checkedAt = Date.now();
        const holders = await certificateHolders(session.description, checkedAt);
        sendJson(res, 200, { generation: view.generation, checkedAt: new Date(checkedAt).toISOString(), holders } satisfies CertificatesResponse);
      },
    },
  ];
}

/** Services first, then clients, each in the lab's order; a file shared by several (a trust bundle) is read once. */
async function certificateHolders(description: SandboxDescription, atMs: number): Promise<CertificateHolder[]> {
  const files = new Map<string, Promise<InspectedCertificate[]>>();
  const file = async (absolute: string | undefined): Promise<CertificateFile | null> => {
    if (absolute === undefined) return null;
    let certificates = files.get(absolute);
    if (!certificates) files.set(absolute, (certificates = inspectCertificateFile(absolute, atMs)));
    return { file: path.relative(description.dir, absolute), certificates: (await certificates).map(({ validity: _judged, ...read }) => read) };
  };
  const clients = Object.entries(description.clients);
  return Promise.all([
    ...Object.entries(description.services).map(async ([name, service]) => ({
      role: 'service' as const,
      name,
      peers: clients.filter(([, client]) => client.calls === name).map(([caller]) => caller),
      sends: await file(service.cert),
      trusts: await file(service.trust),
    })),
    ...clients.map(async ([name, client]) => ({
      role: 'client' as const,
      name,
      peers: [client.calls],
      sends: await file(client.cert),
      trusts: await file(client.trust),
    })),
  ]);
}
