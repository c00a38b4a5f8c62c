/**
 * A facilitator's hand on a running sandbox: the faults and wire faults one may inject (the
 * catalogue), those in effect, and a fault being composed. Every change goes to the API,
 * which applies it live and refuses what does not apply; its code and message are shown as
 * they come. The lab's own faults are never listed: the API lists only those injected.
 *
 *   api.catalogue ──▶ kinds ──facilitator: kind · target | edge · direction · params · ttl──▶ inject()
 *     ──POST …/faults | PUT …/wire-faults──▶ refresh() ──GET …/faults, …/wire-faults──▶ live, wire
 *   clear(id) ──DELETE …/faults/:id── · clearWire(i) ──PUT …/wire-faults (the others)──▶ refresh()
 */
import type { FaultKindView, LiveFault, ParamDescription, SandboxView, WireDirection, WireFaultKindView, WireFaultSpec } from '../../../server/app/protocol.ts';
import { busyAction } from './busyAction.ts';
import { api } from './api.ts';
import { paramsFrom } from './fixParams.ts';

export type ChaosMode = 'fault' | 'wire';

export class ChaosControl {
  faultKinds: FaultKindView[] = $state.raw([]);
  wireKinds: WireFaultKindView[] = $state.raw([]);
  live: LiveFault[] = $state.raw([]);
  wire: WireFaultSpec[] = $state.raw([]);

  mode: ChaosMode = $state('fault');
  kind = $state('');
  /** A fault's target, or a wire fault's edge (a service). */
  target = $state('');
  direction: WireDirection = $state('downstream');
  /** Seconds until a fault reverts by itself; blank: until cleared. */
  ttl = $state('');
  /** What was typed per param; a blank leaves the kind's default. */
  typed: Record<string, string> = $state({});
  busy = $state(false);
  error = $state('');

  readonly chosenFault: FaultKindView | undefined = $derived(this.mode === 'fault' ? this.faultKinds.find((each) => each.kind === this.kind) : undefined);
  readonly chosenWire: WireFaultKindView | undefined = $derived(this.mode === 'wire' ? this.wireKinds.find((each) => each.kind === this.kind) : undefined);
  readonly params: ParamDescription[] = $derived((this.chosenFault ?? this.chosenWire)?.params ?? []);
  readonly directions: readonly WireDirection[] = $derived(this.chosenWire?.directions ?? ['downstream', 'upstream']);

  readonly #sandbox: string;

  constructor(sandbox: string) {
    this.#sandbox = sandbox;
  }

  async load(): Promise<void> {
    await busyAction(this, async () => {
      const catalogue = await api.catalogue();
      this.faultKinds = catalogue.faults;
      this.wireKinds = catalogue.wireFaults;
      await this.refresh();
    });
  }

  /** What is in effect now: after a change of ours, another tab's, or a ttl run out. */
  async refresh(): Promise<void> {
    const [live, wire] = await Promise.all([api.faults(this.#sandbox), api.wireFaults(this.#sandbox)]);
    this.live = live.faults;
    this.wire = wire.faults;
  }

  /** A new mode or kind: target and params start over, since they belong to the kind. */
  choose(mode: ChaosMode, kind: string): void {
    this.mode = mode;
    this.kind = kind;
    this.target = '';
    this.typed = {};
    this.direction = this.chosenWire?.directions?.[0] ?? 'downstream';
  }

  /** What the chosen kind may act on: a fault's targets of its kind, a wire fault's services. */
  targets(view: SandboxView): string[] {
    if (this.chosenFault) return view.fixTargets[this.chosenFault.target];
    return this.chosenWire ? Object.keys(view.description?.services ?? {}) : [];
  }

  async inject(): Promise<void> {
    const params = paramsFrom(this.params, this.typed);
    const typedTtl = this.ttl.trim();
    // Anything but a whole number goes as typed, so the server's BAD_REQUEST quotes it.
    const ttl = typedTtl === '' ? undefined : /^\d+$/.test(typedTtl) ? Number(typedTtl) : typedTtl;
    await busyAction(this, async () => {
      if (this.mode === 'fault') await api.injectFault(this.#sandbox, { kind: this.kind, target: this.target, params }, ttl);
      else await api.setWireFaults(this.#sandbox, [...this.wire, { kind: this.kind, edge: this.target, direction: this.direction, params }]);
      await this.refresh();
    });
  }

  async clear(id: number): Promise<void> {
    await busyAction(this, async () => {
      await api.clearFault(this.#sandbox, id);
      await this.refresh();
    });
  }

  async clearWire(index: number): Promise<void> {
    await busyAction(this, async () => {
      await api.setWireFaults(this.#sandbox, this.wire.filter((_, i) => i !== index));
      await this.refresh();
    });
  }
}
