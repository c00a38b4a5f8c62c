/**
 * The catalogue's wording of the port, version and cipher root causes, checked against the
 * real tools on this machine as wording.test.ts does for the certificate ones: a sandbox with
 * the fault (`mtls-lab up`), `openssl s_client`, curl, Node and Python's `ssl` run against it,
 * and what each printed matched against the root cause's entry. Then the same call by hand
 * with `up --capture`, decoded: the verdict comes from the bytes alone.
 *
 *   labs/<id>.yaml ──mtls-lab up──▶ sandbox ◀── s_client | curl | node | python ──▶ output ~ catalogue
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faults, type Stack, type Wording } from '../../server/faults/index.js';
import { runCli, upLab, type ClientDescription, type RunningLab, type ServiceDescription } from '../helpers/cli.js';
import { curl, nodeClient, opensslClient, pythonClient, type PeerResult } from '../helpers/peers.js';

/** Every piece of `text` between `…` appears in `output`, in order. */
function matchesWording(output: string, text: string): boolean {
  let from = 0;
  for (const piece of text.split('…').map((p) => p.trim()).filter(Boolean)) {
    const at = output.indexOf(piece, from);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

function wordingOf(kind: string, stack: Stack): Wording {
  const wording = faults.get(kind)?.wording[stack];
  if (!wording) throw new Error(`${kind} has no ${stack} wording in the catalogue`);
  return wording;
}

function withLab(lab: string, args: string[] = []): () => RunningLab {
  let running: RunningLab | undefined;
  beforeAll(async () => {
    running = await upLab(lab, args);
  }, 60_000);
  afterAll(async () => {
    expect(await running?.stop()).toBe(0);
  });
  return () => running!;
}

type Tool = (service: ServiceDescription, client?: Partial<ClientDescription>) => Promise<PeerResult>;

interface ToolCase {
  stack: Stack;
  tool: Tool;
  side: 'detector' | 'peer';
}

/** Each tool as `client` of `service` prints its catalogue entry for `kind`; curl exits `curlExit`. */
function checkTools(title: string, lab: string, at: { service: string; client: string }, kind: string, cases: ToolCase[], curlExit: number): void {
  describe(title, () => {
    const running = withLab(lab);
    it.each(cases.map((c) => [c.stack, c] as const))(`%s prints its wording of ${kind}`, async (stack, { tool, side }) => {
      const { services, clients } = running().description;
      const { code, output } = await tool(services[at.service]!, clients[at.client]);
      const text = wordingOf(kind, stack)[side];
      expect(text, `${kind}.${stack}.${side}`).toBeDefined();
      expect(matchesWording(output, text!), `${stack} printed:\n${output}\ncatalogue ${kind}.${stack}.${side}: ${text}`).toBe(true);
      if (stack === 'curl') expect(code).toBe(curlExit);
    });
  });
}

const asClient = (side: 'detector' | 'peer'): ToolCase[] => [
  { stack: 'openssl', tool: (service, client) => opensslClient(service, client), side },
  { stack: 'curl', tool: (service, client) => curl(service, client), side },
  { stack: 'node', tool: nodeClient, side },
  { stack: 'python', tool: pythonClient, side },
];

checkTools('a TLS client of a plaintext port (tls-to-plaintext-port)', 'tls-to-plaintext-port', { service: 'ledger', client: 'billing' }, 'tls-to-plaintext-port', asClient('detector'), 35);

describe('run by hand against `up`: the verdict comes from the bytes alone', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-wording-protocol-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  type ByHand = { rootCause: string; detectedBy: string; severity: string; alternatives?: string[]; evidence: { message: string; field?: string } };

  async function verdictsByHand(lab: string, call: (description: RunningLab['description']) => Promise<PeerResult>): Promise<ByHand[]> {
    const capture = path.join(dir, `${lab}-${Math.random().toString(36).slice(2)}`);
    const running = await upLab(lab, ['--capture', capture]);
    await call(running.description);
    expect(await running.stop()).toBe(0);
    const decoded = await runCli(['decode', path.join(capture, 'capture.pcapng'), '--json']);
    expect(decoded.code, decoded.stderr).toBe(0);
    return (JSON.parse(decoded.stdout) as { verdicts: ByHand[] }).verdicts;
  }

  it('curl https:// against a plaintext port: the plaintext answer to its ClientHello', async () => {
    const verdicts = await verdictsByHand('tls-to-plaintext-port', ({ services, clients }) => curl(services.ledger!, clients.billing));
    expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'tls-to-plaintext-port', detectedBy: 'client', evidence: expect.objectContaining({ message: 'plaintext', field: 'first_line' }) })]);
  });
});
