/**
 * A warm process's rehearsal: one mutual-TLS request to itself, before it says `warm`.
 *
 *   https server (127.0.0.1, a throwaway certificate, client certificate required)
 *     ◀──two GETs on one kept-alive connection, presenting the same certificate── https agent
 *
 * Node compiles its TLS and HTTP code lazily, on first use: a process's first request costs
 * about 35 ms of CPU against well under 1 ms for the next (scripts measured 140 ms for the
 * four processes of the baseline lab's first request). A room starting traffic together pays
 * that in every process at once — on 2 vCPUs, seconds — and its first requests outran their
 * pool timeout, each retry a new handshake, until none got through (20 sandboxes: 0 of 2000
 * requests answered; staggered by 150 ms: all 2000). Rehearsed here, in the pool's background
 * fill, that cost is paid before any sandbox waits on it. Nothing of it is observable: no tap,
 * no key log, no report to the parent.
 */
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** PEM certificate and key of a self-signed certificate valid for `warmUpHost` (warmPool.ts makes it). */
export interface WarmUpMaterial {
  cert: string;
  key: string;
}

export const warmUpHost = 'warm-up.invalid';

export async function warmUp({ cert, key }: WarmUpMaterial): Promise<void> {
  const tls = { cert, key, ca: cert };
  const server = https.createServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    req.resume();
    res.end('warm\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const agent = new https.Agent({ ...tls, keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 2; i++) {
      const request = https.get({ agent, host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: warmUpHost, headers: { host: warmUpHost } });
      const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage];
      response.resume();
      await once(response, 'end');
    }
  } finally {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  }
}
