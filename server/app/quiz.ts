/**
 * The quiz a sandbox puts to its learner: the scenario's answer among its distractors, in an
 * order of the sandbox's own, so neither the lab file's order nor the answer's place gives it
 * away; and, once diagnosed, why each distractor was wrong for this incident.
 *
 *   scenario (answer + distractors) ──quizChoices(seed of the sandbox)──▶ ids, shuffled ──▶ page (ids + titles)
 *   correct diagnosis ──distractorReasons──▶ Reveal.distractors
 */
import type { ScenarioSpec } from '../lab/schema.js';
import { seededRandom } from '../runtime/seededRandom.js';
import { rootCauseTitle } from './grading.js';
import type { Reveal } from './protocol.js';

/** Every choice once, shuffled with `seed` (Fisher–Yates): the same seed, the same order. */
export function quizChoices(scenario: Pick<ScenarioSpec, 'answer' | 'distractors'>, seed: number): string[] {
  const choices = [scenario.answer, ...Object.keys(scenario.distractors)];
  const random = seededRandom(seed);
  for (let i = choices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [choices[i], choices[j]] = [choices[j]!, choices[i]!];
  }
  return choices;
}

/** Each distractor with its title and the lab's line on why it is wrong here, in the order the page showed them. */
export function distractorReasons(scenario: Pick<ScenarioSpec, 'distractors'>, order: readonly string[]): Reveal['distractors'] {
  return order.filter((id) => Object.hasOwn(scenario.distractors, id)).map((id) => ({ id, title: rootCauseTitle(id), why: scenario.distractors[id]! }));
}
