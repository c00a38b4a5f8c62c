import * as v from 'valibot';
import { evidenceOf, finding } from './evidence.js';
import { cloneSpec, type Fault } from './fault.js';
import { paramLimits, paramsSchema, wholeNumber } from './params.js';

const params = paramsSchema({
  /** The pool's size while broken: 2 sockets, unless the lab says otherwise. */
  maxSockets: v.optional(wholeNumber(paramLimits.maxSockets), 2),
});

/**
 * Full handshakes per request above which a pool is not reusing its connections. A healthy
 * keep-alive pool pays about one per socket (maxSockets / requests: 0.05 for 16 sockets and
 * 300 requests); a churning one pays one for most requests that get a socket. A request that
 * times out while still queued never gets one, so a starved pool may read far below 1.
 */
const churnPerRequest = 0.3;

/**
 * A caller's pool with too few sockets for its load — and, as in the service that "melted
 * down because every request opened a new mTLS connection", no keep-alive and no resumption.
 * Requests wait in the pool's queue for a socket until they time out; those that get one pay
 * a full handshake. The socket count is what starves it (Node's maxSockets, Go's
 * Transport.MaxConnsPerHost).
 */
export const exhaustedPool: Fault<v.InferOutput<typeof params>> = {
  kind: 'exhausted-pool',
  title: 'Exhausted connection pool',
  summary: "The caller's pool has too few sockets for its load, and opens a new mTLS connection per request: requests queue for a socket and time out.",
  target: 'client',
  fixes: ['tune-pool'],
  params,
  rules: {},
  /**
   * Repaired means the incident's own load (each client's rps, for 3 s: a broken pool times out
   * most of it within 1 s) is served in full, by connections that are kept, not churned.
   */
  healthy: { loadSeconds: 3, maxHandshakesPerRequest: churnPerRequest },
  /**
   * A starved pool: requests wait for one of too few sockets until they time out (or queue ten
   * deep). When its connections keep being replaced, each with a full handshake (keep-alive
   * off, RFC 8446 §2.2 resumption unused), the summary says so; a keep-alive pool that is
   * simply too small is starved all the same.
   */
  edgeRule(edge) {
    const starved = edge.timeouts > 0 || edge.maxQueueDepth >= 10;
    if (!starved || edge.requests === 0) return undefined;
    const proof = edge.timeout ? evidenceOf(edge.timeout, 'code', 'ETIMEDOUT') : edge.lastOpen ? evidenceOf(edge.lastOpen, 'service', edge.service) : undefined;
    if (!proof) return undefined;
    const churning = edge.handshakesPerRequest >= churnPerRequest && edge.resumed === 0;
    const handshakes = `${edge.handshakes} full handshakes for ${edge.requests} requests (${edge.handshakesPerRequest.toFixed(2)} per request)${edge.resumed === 0 ? ', none resumed' : `, ${edge.resumed} resumed`}`;
    const why = churning
      ? 'too few sockets, no keep-alive, no resumption — every new connection pays a full mTLS handshake'
      : 'too few sockets for the load: requests wait in the pool queue for one to come free';
    return finding('exhausted-pool', 'client', proof,
      `${edge.client} → ${edge.service}: up to ${edge.maxQueueDepth} requests queued for a socket, ${edge.timeouts} timed out (p99 ${edge.p99Ms.toFixed(0)} ms); ${handshakes}: ${why}`);
  },
  wording: {
    node: { detector: 'ETIMEDOUT / socket hang up; a p99 far above the handler time', version: 'Node 20' },
    go: { detector: 'context deadline exceeded', version: 'Go 1.21+', source: 'net/http transport.go, context' },
    envoy: { detector: 'upstream connect error or disconnect/reset before headers. reset reason: overflow (503 UO)', version: 'Envoy 1.28', source: 'Envoy docs, circuit breaking (response flag UO)' },
  },
  apply(spec, target, { maxSockets }) {
    const next = cloneSpec(spec);
    const pool = next.clients[target]!.pool;
    Object.assign(pool, { keepAlive: false, sessionResumption: false, maxSockets });
    return next;
  },
};
