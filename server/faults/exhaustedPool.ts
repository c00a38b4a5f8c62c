import { cloneSpec, FaultError, type Fault } from './fault.js';

/**
 * The service that "melted down because every request opened a new mTLS connection": no
 * keep-alive, no resumption, too few sockets. Every request pays a full handshake, the rest
 * wait in the pool's queue until they time out.
 */
export const exhaustedPool: Fault = {
  kind: 'exhausted-pool',
  title: 'Exhausted connection pool',
  summary: 'The caller opens a new mTLS connection per request through too few sockets; requests queue and time out.',
  target: 'client',
  signature: {
    client: 'timeouts (ETIMEDOUT, socket hang up) and a p99 far above the handler latency',
    server: 'one full handshake per request',
  },
  fix: 'tune-pool',
  apply(spec, target, params) {
    const next = cloneSpec(spec);
    const maxSockets = params.maxSockets ?? 2;
    if (typeof maxSockets !== 'number' || !Number.isInteger(maxSockets) || maxSockets < 1) {
      throw new FaultError(`exhausted-pool: params.maxSockets must be a whole number ≥ 1, got ${JSON.stringify(maxSockets)}`);
    }
    const pool = next.clients[target]!.pool;
    Object.assign(pool, { keepAlive: false, sessionResumption: false, maxSockets });
    return next;
  },
};
