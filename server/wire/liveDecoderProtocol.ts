/**
 * What the live decoder in the tap's thread (liveDecoderObserver.ts) and its main-thread
 * handle (liveDecoding.ts) say to each other over the observer's MessagePort:
 *
 *   main ──{ keylog } · { request, decoded: id } · { request, messages: id }──▶ tap thread
 *   main ◀──{ request, result?: WireLiveResult } · { request, messages? }────── tap thread
 *
 * A DecodeError loses its class (and so `kind` and `context`) in a structured clone: it
 * travels as plain data and is rebuilt on arrival.
 */
import type { DecodedConnection, DecodedMessage } from './connectionDecoder.js';
import type { LiveResult } from './liveDecoder.js';
import { DecodeError, type DecodeErrorKind } from './reader.js';

export type LiveRequest =
  | { keylog: string[] }
  | { request: number; decoded: number }
  | { request: number; messages: number };

export interface WireDecodeError {
  kind: DecodeErrorKind;
  context: string;
  message: string;
}

export type WireLiveResult = Omit<LiveResult, 'decoded'> & { decoded: Omit<DecodedConnection, 'errors'> & { errors: WireDecodeError[] } };

export type LiveReply =
  | { request: number; result?: WireLiveResult }
  | { request: number; messages?: DecodedMessage[] };

export function toWire(result: LiveResult): WireLiveResult {
  const errors = result.decoded.errors.map(({ kind, context, message }) => ({ kind, context, message }));
  return { ...result, decoded: { ...result.decoded, errors } };
}

export function fromWire(result: WireLiveResult): LiveResult {
  // DecodeError's message is `${context}: ${detail}`.
  const errors = result.decoded.errors.map((e) => new DecodeError(e.kind, e.context, e.message.slice(e.context.length + 2)));
  return { ...result, decoded: { ...result.decoded, errors } };
}
