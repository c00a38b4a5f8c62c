/**
 * Edge health and pool metrics while traffic runs, per client → service edge, from each
 * request's outcome as the calling process reports it:
 *
 *   client 'result' (ok | error | timeout; tls full | resumed | reused; queue depth; latency)
 *     ──sandbox 'request-result'──▶ this window's counts ──each windowMs──▶ onRate(edges, false)
 *     ──the run's totals, when it ends──────────────────────────────────────▶ onRate(edges, true)
 *
 * The caller's view is the one that counts: a request is ok when the client got its
 * response, whatever the TLS stack on the other side (Node or openssl s_server). Each edge
 * carries what the lab's policy says it must do, so an answer where a refusal is due reads as
 * the security finding it is, not as health.
 */
import type { RequestResult } from '../runtime/messages.js';
import type { Sandbox, SandboxDescription } from '../runtime/index.js';
import type { EdgeExpectation, EdgeRate } from './protocol.js';

export type RateListener = (edges: EdgeRate[], final: boolean) => void;
/** What the edge from `client` to `service` must do (grading.ts expectationOf, bound to the lab). */
export type ExpectationOf = (client: string, service: string) => EdgeExpectation;

/** One edge's requests of a window, or of the whole run. */
class EdgeCounts {
  ok = 0;
  failed = 0;
  timeouts = 0;
  handshakes = 0;
  resumed = 0;
  reused = 0;
  maxQueueDepth = 0;
  readonly #latenciesMs: number[] = [];

  constructor(
    readonly client: string,
    readonly service: string,
    readonly expectation: EdgeExpectation,
  ) {}

  add(result: RequestResult): void {
    if (result.ok) this.ok++;
    else this.failed++;
    if (result.timedOut) this.timeouts++;
    if (result.tls === 'full') this.handshakes++;
    else if (result.tls === 'resumed') this.resumed++;
    else if (result.tls === 'reused') this.reused++;
    this.maxQueueDepth = Math.max(this.maxQueueDepth, result.queueDepth);
    this.#latenciesMs.push(result.latencyMs);
  }

  rate(): EdgeRate {
    const sorted = this.#latenciesMs.toSorted((a, b) => a - b);
    const { client, service, expectation, ok, failed, timeouts, handshakes, resumed, reused, maxQueueDepth } = this;
    return { client, service, ...expectation, ok, failed, timeouts, handshakes, resumed, reused, maxQueueDepth, p50Ms: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : null };
  }
}

export class EdgeHealthMeter {
  readonly windowMs: number;
  readonly #sandbox: Sandbox;
  readonly #topology: SandboxDescription;
  readonly #onRate: RateListener;
  readonly #expectationOf: ExpectationOf;
  #window = new Map<string, EdgeCounts>();
  #run = new Map<string, EdgeCounts>();
  #timer: NodeJS.Timeout | undefined;
  readonly #listener = (client: string, result: RequestResult): void => {
    this.#window.get(client)?.add(result);
    this.#run.get(client)?.add(result);
  };

  constructor(sandbox: Sandbox, expectationOf: ExpectationOf, onRate: RateListener, windowMs = 1000) {
    this.#sandbox = sandbox;
    this.#topology = sandbox.describe();
    this.#expectationOf = expectationOf;
    this.#onRate = onRate;
    this.windowMs = windowMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#window = this.#fresh();
    this.#run = this.#fresh();
    this.#sandbox.events.on('request-result', this.#listener);
    this.#timer = setInterval(() => this.#emitWindow(), this.windowMs);
  }

  /** Stops counting; the run's totals go out as the final rate. */
  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sandbox.events.off('request-result', this.#listener);
    this.#onRate([...this.#run.values()].map((counts) => counts.rate()), true);
  }

  #fresh(): Map<string, EdgeCounts> {
    return new Map(Object.entries(this.#topology.clients).map(([client, { calls }]) => [client, new EdgeCounts(client, calls, this.#expectationOf(client, calls))]));
  }

  #emitWindow(): void {
    const window = this.#window;
    this.#window = this.#fresh();
    this.#onRate([...window.values()].map((counts) => counts.rate()), false);
  }
}
