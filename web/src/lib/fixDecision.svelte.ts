/**
 * The learner's fix, as a decision: an action from the catalogue, its target among what the
 * lab holds of the action's kind, and its params. Any choice may be sent, right or wrong: the
 * server applies whatever applies, for real, and charges a wrong one; Verify then judges what
 * runs.
 *
 *   api.catalogue ──▶ actions ──learner: action · target · params──▶ spec() ──▶ LabRun.fix
 */
import type { FixActionView, SandboxView } from '../../../server/app/protocol.ts';
import type { FixActionSpec } from '../../../server/lab/schema.ts';
import { api } from './api.ts';
import { paramsFrom } from './fixParams.ts';

export class FixDecision {
  actions: FixActionView[] = $state.raw([]);
  action = $state('');
  target = $state('');
  /** What the learner typed per param; a blank leaves the action's default. */
  typed: Record<string, string> = $state({});
  error = $state('');

  readonly chosen: FixActionView | undefined = $derived(this.actions.find((each) => each.action === this.action));
  readonly ready: boolean = $derived(this.chosen !== undefined && this.target !== '');

  async load(): Promise<void> {
    try {
      this.actions = (await api.catalogue()).fixActions;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** A new action: its target and params start over, since they belong to the action. */
  choose(action: string): void {
    this.action = action;
    this.target = '';
    this.typed = {};
  }

  /** What the chosen action may target in this lab. */
  targets(view: SandboxView): string[] {
    return this.chosen ? view.fixTargets[this.chosen.target] : [];
  }

  spec(): FixActionSpec {
    return { action: this.action, target: this.target, params: paramsFrom(this.chosen?.params ?? [], this.typed) };
  }
}
