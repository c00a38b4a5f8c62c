/**
 * A room being set up on the Drills page: its scenario (labs from the catalogue, or the chaos
 * schedule over one lab), length, isolated or shared sandboxes, the terminal, and a scripted
 * timeline of steps "at T+mm:ss inject … / clear …" for every learner. What the facilitator
 * typed goes to the server as typed where it is a judgement (a target, a param); only a time
 * that is not mm:ss is refused here, since the request has nothing to send for it.
 *
 *   facilitator ──▶ RoomDraft (+ StepDraft each) ──request()──▶ RoomRequest ──▶ api.createRoom
 */
import type { FaultKindView, RoomMode } from '../../../server/app/protocol.ts';
import type { RoomRequest, TimelineStepInput } from './api.ts';
import { FaultDraft } from './faultDraft.svelte.ts';
import { parseClock } from './roomClock.ts';

export class StepDraft {
  /** T+ as typed: `05:00`, or seconds. */
  at = $state('');
  action: 'inject' | 'clear' = $state('inject');
  readonly fault: FaultDraft;
  /** A clear step's inject step: an earlier one of the timeline. */
  clears: StepDraft | null = $state(null);

  constructor(kinds: () => readonly FaultKindView[]) {
    this.fault = new FaultDraft(kinds);
  }
}

export class RoomDraft {
  title = $state('');
  scenario: 'labs' | 'chaos' = $state('labs');
  labs: string[] = $state([]);
  chaosLab = $state('');
  chaosSeed = $state(1);
  minutes = $state(30);
  mode: RoomMode = $state('isolated');
  terminal = $state(false);
  steps: StepDraft[] = $state([]);

  readonly #kinds: () => readonly FaultKindView[];

  constructor(kinds: () => readonly FaultKindView[]) {
    this.#kinds = kinds;
  }

  addStep(): void {
    this.steps.push(new StepDraft(this.#kinds));
  }

  /** Drops a step, and any clear step that named it. */
  removeStep(step: StepDraft): void {
    this.steps = this.steps.filter((each) => each !== step && each.clears !== step);
  }

  /** The inject steps before `step`, which a clear step may name. */
  injectsBefore(step: StepDraft): StepDraft[] {
    return this.steps.slice(0, this.steps.indexOf(step)).filter((each) => each.action === 'inject');
  }

  /** The step's id as the server numbers them: `s1`, `s2` …, in the order given. */
  idOf(step: StepDraft): string {
    return `s${this.steps.indexOf(step) + 1}`;
  }

  /** The request, or a message naming the first thing that keeps it from being one. */
  request(): RoomRequest | string {
    const timeline: TimelineStepInput[] = [];
    for (const step of this.steps) {
      const atS = parseClock(step.at);
      if (atS === null) return `step ${this.idOf(step)}: "${step.at}" is not a time after the start (mm:ss, or seconds)`;
      if (step.action === 'inject') timeline.push({ atS, action: 'inject', who: 'all', ...step.fault.spec() });
      else if (!step.clears) return `step ${this.idOf(step)}: choose the inject step it clears`;
      else timeline.push({ atS, action: 'clear', who: 'all', incident: this.idOf(step.clears) });
    }
    const minutes = this.minutes;
    const scenario = this.scenario === 'labs' ? { labs: [...this.labs] } : { chaos: { lab: this.chaosLab, seed: this.chaosSeed, durationS: minutes * 60 } };
    const title = this.title.trim();
    return { ...(title ? { title } : {}), scenario, minutes, mode: this.mode, terminal: this.terminal, ...(timeline.length > 0 ? { timeline } : {}) };
  }
}
