/**
 * A fault being composed by a facilitator, for a whole room: a kind from the catalogue, its
 * target named as typed (each learner's sandbox holds the scenario's names; the server refuses
 * one the lab lacks, with its code), its params. The console's inject form and each step of a
 * scripted timeline use one.
 *
 *   api.catalogue ──▶ kinds ──facilitator: kind · target · params──▶ spec()
 */
import type { FaultKindView, ParamDescription } from '../../../server/app/protocol.ts';
import type { FaultSpec } from '../../../server/lab/schema.ts';
import { paramsFrom } from './fixParams.ts';

export class FaultDraft {
  kind = $state('');
  target = $state('');
  /** What was typed per param; a blank leaves the kind's default. */
  typed: Record<string, string> = $state({});

  readonly #kinds: () => readonly FaultKindView[];
  readonly chosen: FaultKindView | undefined = $derived(this.#lookUp());
  readonly params: readonly ParamDescription[] = $derived(this.chosen?.params ?? []);

  /** `kinds`: the catalogue's faults, read when needed (they may arrive after the draft). */
  constructor(kinds: () => readonly FaultKindView[]) {
    this.#kinds = kinds;
  }

  /** A new kind: target and params start over, since they belong to the kind. */
  choose(kind: string): void {
    this.kind = kind;
    this.target = '';
    this.typed = {};
  }

  spec(): FaultSpec {
    const target = this.target.trim();
    return { kind: this.kind, ...(target ? { target } : {}), params: paramsFrom(this.params, this.typed) };
  }

  #lookUp(): FaultKindView | undefined {
    return this.#kinds().find((each) => each.kind === this.kind);
  }
}
