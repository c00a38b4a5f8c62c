/**
 * Edge health while traffic runs: requests that succeeded and failed per second on each
 * client → service edge, from what the processes report as it happens.
 *
 *   service 'request' report (2xx) ──▶ ok      ┐
 *   client 'client-error' report ──▶ failed    ┴─ per edge, per second ──▶ onRate(edges)
 *
 * A service report names its tap connection; with several callers on one service, the
 * connection's first byte tells a TLS caller (0x16, a handshake record) from a plaintext one.
 * Note: only Node services report each request; an `openssl s_server` edge shows its
 * failures live and its successes in the run's final report (EdgeReport), sent with `final`.
 */
import type { EdgeReport, ProcessEvent, Sandbox, SandboxDescription } from '../runtime/index.js';
import type { EdgeRate } from './protocol.js';

export type RateListener = (edges: EdgeRate[], final: boolean) => void;

export class EdgeHealthMeter {
  readonly windowMs: number;
  readonly #sandbox: Sandbox;
  readonly #topology: SandboxDescription;
  readonly #onRate: RateListener;
  readonly #counts = new Map<string, EdgeRate>();
  #timer: NodeJS.Timeout | undefined;
  readonly #listener = (event: ProcessEvent): void => this.#count(event);

  constructor(sandbox: Sandbox, onRate: RateListener, windowMs = 1000) {
    this.#sandbox = sandbox;
    this.#topology = sandbox.describe();
    this.#onRate = onRate;
    this.windowMs = windowMs;
    this.#reset();
  }

  start(): void {
    if (this.#timer) return;
    this.#reset();
    this.#sandbox.events.on('process-event', this.#listener);
    this.#timer = setInterval(() => this.#emit(), this.windowMs);
  }

  /** Stops counting; the run's exact totals go out as the final rate. */
  stop(edges: readonly EdgeReport[] = []): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sandbox.events.off('process-event', this.#listener);
    const totals = edges.map(({ client, service, ok, failed }) => ({ client, service, ok, failed }));
    this.#onRate(totals, true);
  }

  #reset(): void {
    this.#counts.clear();
    for (const [client, { calls }] of Object.entries(this.#topology.clients)) {
      this.#counts.set(client, { client, service: calls, ok: 0, failed: 0 });
    }
  }

  #emit(): void {
    this.#onRate([...this.#counts.values()].map((rate) => ({ ...rate })), false);
    this.#reset();
  }

  #count(event: ProcessEvent): void {
    if (event.role === 'client' && event.kind === 'client-error') {
      const rate = this.#counts.get(event.name);
      if (rate) rate.failed++;
    } else if (event.role === 'service' && event.kind === 'request' && /^2\d\d$/.test(event.code ?? '')) {
      const client = this.#callerOf(event.name, event.connection);
      const rate = client === undefined ? undefined : this.#counts.get(client);
      if (rate) rate.ok++;
    }
  }

  #callerOf(service: string, connection: number | undefined): string | undefined {
    const callers = Object.entries(this.#topology.clients).filter(([, client]) => client.calls === service);
    if (callers.length <= 1) return callers[0]?.[0];
    const conn = connection === undefined ? undefined : this.#sandbox.tap.connections.find((c) => c.id === connection);
    const first = conn?.chunks.find((chunk) => chunk.dir === 'c2s')?.bytes[0];
    if (first === undefined) return undefined;
    const protocol = first === 0x16 ? 'tls' : 'plaintext';
    return callers.find(([, client]) => client.protocol === protocol)?.[0];
  }
}
