/**
 * The wire faults by kind: a registry of factories, as Toxiproxy's `toxics.Register`. Each
 * kind has a strict params schema (the house pattern of faults/params.ts) and makes a fresh
 * Toxic per connection and direction, so a fault may keep state per stream.
 *
 *   { kind, edge, direction, toxicity, seed, params } ──parseWireFault──▶ WireFaultSpec
 *      ──(tap's thread) wireFaultKinds[kind].create(params)──▶ Toxic in that edge's chain
 */
import * as v from 'valibot';
import { paramsSchema, parseParams, wholeNumber, type ParamsSchema } from '../../faults/params.js';
import { bandwidthToxic, latencyToxic, resetPeerToxic, slicerToxic, slowCloseToxic, timeoutToxic } from './tcpToxics.js';
import { corruptHandshakeToxic, injectAlertToxic, mtuBlackholeToxic, plaintextAnswerToxic, resetAfterFinishedToxic } from './tlsToxics.js';
import type { Toxic, WireDirection } from './toxic.js';

/** Bounds of every wire-fault param, by name: messages quote them and tests read them. */
export const wireParamLimits = {
  /** An hour: past it a wait is a hang, which `timeout` with 0 already is. */
  durationMs: { min: 0, max: 3_600_000 },
  rateKBps: { min: 1, max: 1_000_000 },
  sliceBytes: { min: 1, max: 65_536 },
  sliceVariation: { min: 0, max: 65_535 },
  delayUs: { min: 0, max: 1_000_000 },
  /** A record is 5 bytes of header and at most 2^14 + 256 of fragment (RFC 8446 §5.2). */
  recordBytes: { min: 5, max: 5 + 2 ** 14 + 256 },
  protectedRecord: { min: 1, max: 16 },
  alert: { min: 0, max: 255 },
  afterRecords: { min: 0, max: 64 },
  httpStatus: { min: 100, max: 599 },
  /** The share of the edge's connections a fault hits. */
  toxicity: { min: 0, max: 1 },
  seed: { min: 0, max: 2 ** 32 - 1 },
} as const;

const duration = (fallback: number) => v.optional(wholeNumber(wireParamLimits.durationMs), fallback);

export interface WireFaultKind<P extends Record<string, unknown> = Record<string, unknown>> {
  kind: string;
  title: string;
  params: ParamsSchema<P>;
  /** Directions where the fault means something; both when absent. */
  directions?: readonly WireDirection[];
  create(params: P): Toxic;
}

function kind<P extends Record<string, unknown>>(entry: WireFaultKind<P>): WireFaultKind {
  return entry as unknown as WireFaultKind;
}

export const wireFaultKinds: Record<string, WireFaultKind> = Object.fromEntries(
  [
    kind({ kind: 'latency', title: 'each chunk late by latencyMs ± jitterMs', params: paramsSchema({ latencyMs: duration(500), jitterMs: duration(0) }), create: latencyToxic }),
    kind({ kind: 'bandwidth', title: 'at most rateKBps KiB a second', params: paramsSchema({ rateKBps: v.optional(wholeNumber(wireParamLimits.rateKBps), 16) }), create: bandwidthToxic }),
    kind({ kind: 'reset-peer', title: 'both legs reset timeoutMs after the connection opened', params: paramsSchema({ timeoutMs: duration(0) }), create: resetPeerToxic }),
    kind({ kind: 'timeout', title: 'a blackhole: nothing passes; closed after timeoutMs (0: never)', params: paramsSchema({ timeoutMs: duration(0) }), create: timeoutToxic }),
    kind({
      kind: 'slicer',
      title: 'chunks cut into slices of averageSize ± sizeVariation bytes, delayUs apart',
      params: paramsSchema({
        averageSize: v.optional(wholeNumber(wireParamLimits.sliceBytes), 16),
        sizeVariation: v.optional(wholeNumber(wireParamLimits.sliceVariation), 8),
        delayUs: v.optional(wholeNumber(wireParamLimits.delayUs), 1000),
      }),
      create: slicerToxic,
    }),
    kind({ kind: 'slow-close', title: 'the end of stream held delayMs', params: paramsSchema({ delayMs: duration(1000) }), create: slowCloseToxic }),
    kind({
      kind: 'mtu-blackhole',
      title: 'records above maxRecordBytes vanish, and the stream stalls behind them',
      params: paramsSchema({ maxRecordBytes: v.optional(wholeNumber(wireParamLimits.recordBytes), 1200) }),
      create: mtuBlackholeToxic,
    }),
    kind({
      kind: 'corrupt-handshake',
      title: 'a byte of the record-th protected handshake record changed: bad_record_mac (20)',
      params: paramsSchema({ record: v.optional(wholeNumber(wireParamLimits.protectedRecord), 1) }),
      create: corruptHandshakeToxic,
    }),
    kind({
      kind: 'inject-alert',
      title: 'a fatal alert towards this direction\'s receiver in place of the stream',
      params: paramsSchema({ alert: v.optional(wholeNumber(wireParamLimits.alert), 40), afterRecords: v.optional(wholeNumber(wireParamLimits.afterRecords), 0) }),
      create: injectAlertToxic,
    }),
    kind({ kind: 'reset-after-finished', title: 'both legs reset right after this side\'s Finished', params: paramsSchema({}), create: resetAfterFinishedToxic }),
    kind({
      kind: 'plaintext-answer',
      title: 'a middlebox answers in plain HTTP on the TLS port: wrong version number',
      params: paramsSchema({ status: v.optional(wholeNumber(wireParamLimits.httpStatus), 403) }),
      create: plaintextAnswerToxic,
    }),
  ].map((entry) => [entry.kind, entry]),
);

/** One wire fault on an edge, validated, its defaults filled: what crosses to the tap's thread. */
export interface WireFaultSpec {
  kind: string;
  /** The service whose tap port it sits on. */
  edge: string;
  direction: WireDirection;
  /** Share of the edge's connections it hits, 0 to 1. */
  toxicity: number;
  seed: number;
  params: Record<string, unknown>;
}

/** What a caller gives: toxicity 1, seed 1 and the kind's params defaults when left out. */
export interface WireFaultInput {
  kind: string;
  edge: string;
  direction?: WireDirection;
  toxicity?: number;
  seed?: number;
  params?: unknown;
}

/** A wire fault that does not fit: the message names the field, the value and what is allowed. */
export class WireFaultError extends TypeError {
  override name = 'WireFaultError';
}

const known = (): string => Object.keys(wireFaultKinds).join(', ');

/** `input` checked; the edges are the sandbox's services. Throws WireFaultError (or the params' ParamsError, a FaultError). */
export function parseWireFault(input: WireFaultInput, edges: readonly string[]): WireFaultSpec {
  const entry = wireFaultKinds[input.kind];
  if (!entry) throw new WireFaultError(`kind: "${input.kind}" is not a wire fault (known: ${known()})`);
  if (!edges.includes(input.edge)) throw new WireFaultError(`edge: "${input.edge}" is not a service of this sandbox (known: ${edges.join(', ')})`);
  const direction = input.direction ?? entry.directions?.[0] ?? 'downstream';
  if (direction !== 'upstream' && direction !== 'downstream') throw new WireFaultError(`direction: expected "upstream" (client → server) or "downstream" (server → client) but found ${JSON.stringify(direction)}`);
  if (entry.directions && !entry.directions.includes(direction)) throw new WireFaultError(`direction: ${input.kind} works ${entry.directions.join(' or ')}, not ${direction}`);
  const toxicity = input.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) throw new WireFaultError(`toxicity: expected a number from 0 to 1 (the share of connections hit) but found ${JSON.stringify(toxicity)}`);
  const seed = input.seed ?? 1;
  if (!Number.isInteger(seed) || seed < wireParamLimits.seed.min || seed > wireParamLimits.seed.max) throw new WireFaultError(`seed: expected a whole number from 0 to ${wireParamLimits.seed.max} but found ${JSON.stringify(seed)}`);
  const params = parseParams(input.kind, entry.params, input.params ?? {});
  if (input.kind === 'slicer' && (params.sizeVariation as number) >= (params.averageSize as number)) {
    throw new WireFaultError(`params.sizeVariation: expected less than averageSize (${String(params.averageSize)}) but found ${String(params.sizeVariation)}`);
  }
  return { kind: input.kind, edge: input.edge, direction, toxicity, seed, params };
}
