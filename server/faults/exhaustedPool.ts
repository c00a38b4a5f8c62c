import * as v from 'valibot';
import { cloneSpec, type Fault } from './fault.js';
import { paramLimits, paramsSchema, wholeNumber } from './params.js';

const params = paramsSchema({
  /** The pool's size while broken: 2 sockets, unless the lab says otherwise. */
  maxSockets: v.optional(wholeNumber(paramLimits.maxSockets), 2),
});

/**
 * The service that "melted down because every request opened a new mTLS connection": no
 * keep-alive, no resumption, too few sockets. Every request pays a full handshake, the rest
 * wait in the pool's queue until they time out.
 */
export const exhaustedPool: Fault<v.InferOutput<typeof params>> = {
  kind: 'exhausted-pool',
  title: 'Exhausted connection pool',
  summary: 'The caller opens a new mTLS connection per request through too few sockets; requests queue and time out.',
  target: 'client',
  signature: {
    client: 'timeouts (ETIMEDOUT, socket hang up) and a p99 far above the handler latency',
    server: 'one full handshake per request',
  },
  fix: 'tune-pool',
  params,
  apply(spec, target, { maxSockets }) {
    const next = cloneSpec(spec);
    const pool = next.clients[target]!.pool;
    Object.assign(pool, { keepAlive: false, sessionResumption: false, maxSockets });
    return next;
  },
};
