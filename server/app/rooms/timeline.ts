/**
 * A room's scripted timeline: "at T+300 s expire the issuing CA on every sandbox", then "at
 * T+600 s clear it". Steps run on the room's clock (roomClock.ts), so a pause holds them.
 *
 *   POST /api/rooms { timeline: [{ atS, action, kind?, target?, params?, incident?, who }] } ──parseTimeline──▶ TimelineStep[] (s1, s2 …)
 *   a chaos scenario's seeded schedule ──chaosTimeline──▶ the same steps: inject at its time, clear at its clear time
 */
import { chaosCandidates, drawChaosSchedule } from '../../chaos/schedule.js';
import type { LabSpec } from '../../lab/schema.js';
import { faults } from '../../faults/index.js';
import { ApiError } from '../errors.js';
import type { TimelineStep } from '../protocol.js';
import { objectBody, paramsField, stringField } from '../api/validate.js';
import { maxScheduled } from './roomClock.js';

/** One step per scheduled slot, with the room's end in the last. */
export const maxTimelineSteps = maxScheduled - 1;

const stepId = (index: number): string => `s${index + 1}`;

/** Steps as the facilitator wrote them, checked: each mistake is BAD_REQUEST naming the step and field. */
export function parseTimeline(value: unknown, durationS: number): TimelineStep[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > maxTimelineSteps) throw new ApiError('BAD_REQUEST', `"timeline" must be an array of at most ${maxTimelineSteps} steps`);
  const steps: TimelineStep[] = [];
  value.forEach((item, index) => {
    const where = `timeline[${index}]`;
    const input = objectBody(item);
    const atS = input.atS;
    if (typeof atS !== 'number' || !Number.isInteger(atS) || atS < 0 || atS > durationS) throw new ApiError('BAD_REQUEST', `${where}.atS must be a whole number of seconds from 0 to ${durationS} (the room's length)`);
    const action = input.action;
    if (action !== 'inject' && action !== 'clear') throw new ApiError('BAD_REQUEST', `${where}.action must be "inject" or "clear"`);
    const who = stringField(input, 'who');
    const id = stepId(index);
    if (action === 'inject') {
      const kind = stringField(input, 'kind');
      if (!faults.has(kind)) throw new ApiError('UNKNOWN_FAULT', `${where}.kind "${kind.slice(0, 100)}"`);
      const target = stringField(input, 'target', true);
      steps.push({ id, atS, action, kind, ...(target ? { target } : {}), params: paramsField(input, 'params'), who });
      return;
    }
    const incident = typeof input.incident === 'number' ? stepId(input.incident - 1) : input.incident;
    const injected = steps.find((step) => step.id === incident && step.action === 'inject');
    if (!injected) throw new ApiError('BAD_REQUEST', `${where}.incident must name an earlier inject step (its id, like "s1", or its 1-based position)`);
    if (injected.atS > atS) throw new ApiError('BAD_REQUEST', `${where}.atS: the clear comes before its inject step ${injected.id} (T+${injected.atS} s)`);
    steps.push({ id, atS, action, incident: injected.id, who: injected.who });
  });
  return steps;
}

/** A chaos scenario's seeded schedule as timeline steps, on every learner: the catalogue faults only (a wire fault is not an incident to diagnose). */
export function chaosTimeline(spec: LabSpec, seed: number, durationS: number): TimelineStep[] {
  const kinds = [...new Set(chaosCandidates(spec).filter((candidate) => candidate.source === 'fault').map((candidate) => candidate.kind))];
  if (kinds.length === 0) throw new ApiError('BAD_REQUEST', `scenario.chaos.lab: no catalogue fault applies to lab ${spec.id}`);
  const schedule = drawChaosSchedule(spec, { seed, durationMs: durationS * 1000, kinds });
  return schedule.flatMap((injection, index) => {
    const inject: TimelineStep = { id: stepId(2 * index), atS: Math.floor(injection.atMs / 1000), action: 'inject', kind: injection.kind, target: injection.target, params: {}, who: 'all' };
    const clear: TimelineStep = { id: stepId(2 * index + 1), atS: Math.floor(injection.clearAtMs / 1000), action: 'clear', incident: inject.id, who: 'all' };
    return [inject, clear];
  });
}
