/**
 * The WebSocket upgrade passes the same locks as the API, before the handshake completes:
 * Host allow-list, then Origin (cross-site WebSocket hijacking: browsers let any page open a
 * WebSocket to localhost and send its cookies), then the run's token or a participant's. After vite's `server/ws.ts`
 * `shouldHandle`; a refused upgrade is answered 401/403 and the socket destroyed.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';
import { isAllowedHost } from './hostCheck.js';
import { header } from './http.js';
import { originProblem } from './originCheck.js';
import { credentialsOf, type CredentialSource } from './credentials.js';

export type UpgradeGuard = (req: IncomingMessage) => ApiError | undefined;

export function upgradeGuard(allowedHosts: () => ReadonlySet<string>, credentials: CredentialSource): UpgradeGuard {
  return (req) => {
    const host = header(req, 'host');
    const allowed = allowedHosts();
    if (!isAllowedHost(host, allowed)) return new ApiError('HOST_NOT_ALLOWED', `Host "${host ?? ''}"`);
    const problem = originProblem(header(req, 'origin'), host, req.method ?? 'GET', allowed);
    if (problem) return new ApiError('ORIGIN_NOT_ALLOWED', problem);
    if (!credentialsOf(req, credentials)) return new ApiError('TOKEN_REQUIRED');
    return undefined;
  };
}
