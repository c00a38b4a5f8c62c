/**
 * A keep-alive connection's trace reaches the page while the run that opened it is still
 * sending: its handshake shows at the connection's first answered request, and the whole
 * connection (every request on it) replaces it once the run ends. Real sandboxes, real
 * handshakes; every wait is for a real event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../server/app/protocol.js';
import { appWithBaselineSandbox, openPageSocket, type LabSocket } from './appHarness.js';

type TraceMessage = Extract<ServerMessage, { type: 'trace' }>;
const isTrace = (m: ServerMessage): m is TraceMessage => m.type === 'trace';
const hasHandshake = (m: TraceMessage): boolean => ['ClientHello', 'ServerHello', 'CertificateRequest'].every((type) => m.events.some((e) => e.type === type));

describe("an open keep-alive connection's trace", () => {
  const running = appWithBaselineSandbox();
  let socket: LabSocket;
  beforeAll(async () => {
    socket = await openPageSocket(running.t);
  });
  afterAll(() => socket?.close());

  it('shows its handshake while the run is still sending, and the connection again once the run ends', async () => {
    expect((await socket.call({ type: 'subscribe', sandbox: running.id })).ok).toBe(true);
    // 25 requests per client at the lab's 5 per second: the run sends for nearly five seconds.
    const run = running.t.api('POST', `/api/sandboxes/${running.id}/traffic`, { requests: 25 });
    const early = await socket.waitFor('the mTLS handshake of payments → auth', (m): m is TraceMessage => isTrace(m) && hasHandshake(m));
    expect((await run).status).toBe(200);
    const final = await socket.waitFor("the run's final health", (m) => m.type === 'health' && m.final);
    // Shown open, before the run ended — not at its end, as keep-alive connections once were.
    expect(early.events.some((e) => e.type === 'tcp-close')).toBe(false);
    expect(socket.messages.indexOf(early)).toBeLessThan(socket.messages.indexOf(final));
    const again = await socket.waitFor('the same connection, built again', (m): m is TraceMessage => isTrace(m) && m.conn === early.conn && m !== early);
    expect(again.events.slice(0, early.events.length).map((e) => e.type)).toEqual(early.events.map((e) => e.type));
  });
});
