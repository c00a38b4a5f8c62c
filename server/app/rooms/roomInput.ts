/**
 * POST /api/rooms's body, checked: each mistake is BAD_REQUEST (LAB_NOT_FOUND, UNKNOWN_FAULT)
 * naming the field, before anything is created.
 *
 *   { title?, scenario: { labs } | { chaos: { lab, seed, durationS } }, minutes, mode, terminal, timeline? } ──roomSettings──▶ RoomSettings
 */
import type { LabDocument } from '../../lab/index.js';
import { ApiError } from '../errors.js';
import type { LabCatalogue } from '../labCatalogue.js';
import type { RoomMode, RoomScenario, TimelineStep } from '../protocol.js';
import { booleanField, objectBody, objectField, stringField, wholeNumberField } from '../api/validate.js';
import { chaosTimeline, parseTimeline } from './timeline.js';

export interface RoomSettings {
  title: string;
  scenario: RoomScenario;
  /** The scenario's labs, loaded: the first is what each learner starts on. */
  labs: LabDocument[];
  durationMs: number;
  mode: RoomMode;
  terminal: boolean;
  timeline: TimelineStep[];
}

/** A drill is a working session: up to ten hours. */
const maxMinutes = 600;
const maxLabs = 16;

export async function roomSettings(body: unknown, catalogue: LabCatalogue): Promise<RoomSettings> {
  const input = objectBody(body);
  const title = stringField(input, 'title', true) ?? 'Incident drill';
  const minutes = wholeNumberField(input, 'minutes', 1, maxMinutes);
  const mode = input.mode ?? 'isolated';
  if (mode !== 'isolated' && mode !== 'shared') throw new ApiError('BAD_REQUEST', '"mode" must be "isolated" (a sandbox each) or "shared" (one for the room)');
  const terminal = booleanField(input, 'terminal', false);
  const scenario = objectField(input, 'scenario');
  if (scenario.chaos !== undefined) {
    if (input.timeline !== undefined) throw new ApiError('BAD_REQUEST', '"timeline": a chaos scenario draws its own from its seed; give one or the other');
    const chaos = objectField(scenario, 'chaos');
    const lab = stringField(chaos, 'lab');
    const seed = wholeNumberField(chaos, 'seed', 0, 2 ** 32 - 1);
    const durationS = wholeNumberField(chaos, 'durationS', 10, minutes * 60);
    const doc = await catalogue.get(lab);
    return { title, scenario: { chaos: { lab, seed, durationS } }, labs: [doc], durationMs: minutes * 60_000, mode, terminal, timeline: chaosTimeline(doc.spec, seed, durationS) };
  }
  const labs = scenario.labs;
  if (!Array.isArray(labs) || labs.length === 0 || labs.length > maxLabs || !labs.every((lab) => typeof lab === 'string' && lab.length > 0 && lab.length <= 200)) {
    throw new ApiError('BAD_REQUEST', `"scenario" must be { labs: [1 to ${maxLabs} lab ids] } or { chaos: { lab, seed, durationS } }`);
  }
  const docs = await Promise.all(labs.map((lab: string) => catalogue.get(lab)));
  return { title, scenario: { labs: [...labs] }, labs: docs, durationMs: minutes * 60_000, mode, terminal, timeline: parseTimeline(input.timeline, minutes * 60) };
}
