/**
 * The wire faults of one tap, in its thread: per edge (service) and direction, the faults set
 * last, and for each new connection the stages the draw gives it.
 *
 *   setWireFaults(edge, specs) ──▶ this ──stagesFor(edge, dir, n)──▶ LinkStage[] ──▶ WireLink (link.ts)
 *
 * A connection keeps the chain it opened with: a fault set on a running sandbox hits the
 * connections opened from then on, the way a firewall rule meets new flows; open keep-alive
 * connections go on as they were.
 */
import { wireFaultKinds, type WireFaultSpec } from './catalogue.js';
import { connectionRandom, type LinkStage } from './link.js';
import type { WireDirection } from './toxic.js';

interface EdgeFaults {
  faults: WireFaultSpec[];
  /** Connections opened on the edge since its faults were set: the draw's index. */
  opened: number;
}

export class WireFaultChains {
  readonly #edges = new Map<string, EdgeFaults>();

  /** Replaces the edge's faults; an empty list clears them. The draw starts again from connection 0. */
  set(edge: string, faults: readonly WireFaultSpec[]): void {
    if (faults.length === 0) this.#edges.delete(edge);
    else this.#edges.set(edge, { faults: [...faults], opened: 0 });
  }

  /** The next connection's place on the edge, or undefined when the edge has no faults (the relay's fast path). */
  open(edge: string): number | undefined {
    const entry = this.#edges.get(edge);
    return entry ? entry.opened++ : undefined;
  }

  /** The stages of connection `n` on `edge` in `direction`: the faults its draw hits, in the order they were given. */
  stagesFor(edge: string, direction: WireDirection, n: number): LinkStage[] {
    const out: LinkStage[] = [];
    for (const fault of this.#edges.get(edge)?.faults ?? []) {
      if (fault.direction !== direction) continue;
      const random = connectionRandom(fault.seed, n);
      if (!(random() < fault.toxicity)) continue;
      const entry = wireFaultKinds[fault.kind];
      if (!entry) continue;
      out.push({ fault: fault.kind, toxic: entry.create(fault.params), random });
    }
    return out;
  }
}
