/**
 * The live decoder, loaded into the tap's thread by Tap.observe (liveDecoding.ts starts it):
 *
 *   relay ──open / chunk / close──▶ queue ──setImmediate turns, ≤ sliceMs each──▶ LiveDecoder
 *   main ──key-log lines──▶ LiveDecoder.addKeylogLine          └─onDecoded─▶ kept (bounded)
 *   main ──decoded(id) / messages(id)──▶ reply with the kept result / the messages so far
 *
 * Why here: decoding costs more than relaying (a handshake's certificates, an AEAD open per
 * record), and the bytes are already in this thread. The relay's socket callbacks only queue
 * (tapObserver.ts); decoding runs in the check phase that follows each poll, in slices, so a
 * backlog of decoding never holds a chunk back for longer than one slice. Results cross to
 * the main thread only when asked for: a structured clone of a handshake's field tree costs
 * the receiver about as much as decoding it did.
 *
 * Measured on the bench (bench/tap.ts, 2 vCPUs): decoding here beat a decoder thread of its
 * own, even one at the lowest priority (keep-alive ratio 0.66–0.74 against 0.56–0.59): the
 * extra hop and thread cost the main thread more than the slices cost the relay. The price
 * is this thread's heap: the messages of open connections live in it, and its collections
 * pause the relay too (scavenges of 8–14 ms under 10,000 requests/s), so few results are kept.
 * Past each side's first few application records the decoder counts large ones instead of
 * opening them (connectionDecoder.ts, skipApplicationRecord), so a keep-alive connection
 * adds neither AEAD work nor objects per request: keep-alive ratio 0.73–0.81 against 0.72–0.82
 * for the relay alone in the same runs (before: 0.64 against 0.78).
 */
import { performance } from 'node:perf_hooks';
import type { CreateTapObserver, ObservedChunk } from '../runtime/tapObserver.js';
import { LiveDecoder, type LiveDecoderOptions, type LiveResult } from './liveDecoder.js';
import { toWire, type LiveReply, type LiveRequest } from './liveDecoderProtocol.js';

/** Longest stretch of decoding before the relay gets the thread back. */
const sliceMs = 0.5;
/** Results kept for the main thread to ask for (it asks as each connection closes): beyond either bound the oldest go. */
const maxKeptResults = 64;
const maxKeptMessages = 20_000;
/**
 * Bytes read but not decoded yet. Past this the decoder has fallen too far behind (a bulk
 * transfer outruns it): the connection that would grow the backlog is no longer decoded
 * live, and whoever asks for it decodes its recording instead.
 */
const maxBacklogBytes = 32 * 1024 * 1024;

type Work = { open: number } | { chunk: ObservedChunk; id: number } | { close: number };

export const createTapObserver: CreateTapObserver = ({ port, data }) => {
  const kept = new Map<number, LiveResult>();
  let keptMessages = 0;
  const take = (id: number): LiveResult | undefined => {
    const result = kept.get(id);
    if (result) keptMessages -= result.decoded.messages.length;
    kept.delete(id);
    return result;
  };
  const waiting = new Map<number, number[]>();
  const reply = (message: LiveReply): void => port.postMessage(message);
  const decoder = new LiveDecoder((id, result) => {
    const requests = waiting.get(id);
    waiting.delete(id);
    for (const request of requests ?? []) reply({ request, result: toWire(result) });
    if (requests) return;
    kept.set(id, result);
    keptMessages += result.decoded.messages.length;
    while (kept.size > maxKeptResults || keptMessages > maxKeptMessages) take(kept.keys().next().value!);
  }, (data ?? {}) as Partial<LiveDecoderOptions>);

  const queue: Work[] = [];
  let head = 0;
  let backlogBytes = 0;
  const abandoned = new Set<number>();
  let scheduled = false;
  const work = (item: Work): void => {
    if ('chunk' in item) {
      if (abandoned.has(item.id)) return;
      if (backlogBytes + item.chunk.bytes.length > maxBacklogBytes) {
        abandoned.add(item.id);
        decoder.forget(item.id);
        for (const request of waiting.get(item.id) ?? []) reply({ request });
        waiting.delete(item.id);
        return;
      }
      backlogBytes += item.chunk.bytes.length;
    }
    queue.push(item);
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  };
  const run = (): void => {
    const until = performance.now() + sliceMs;
    while (head < queue.length && performance.now() < until) {
      const item = queue[head++]!;
      if ('chunk' in item) {
        backlogBytes -= item.chunk.bytes.length;
        decoder.push(item.id, item.chunk);
      } else if ('open' in item) {
        if (!abandoned.has(item.open)) decoder.open(item.open);
      } else {
        abandoned.delete(item.close);
        decoder.close(item.close);
      }
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      scheduled = false;
      return;
    }
    // Under a lasting backlog, let go of what is done now and then.
    if (head > 4096) {
      queue.splice(0, head);
      head = 0;
    }
    setImmediate(run);
  };

  port.on('message', (message: LiveRequest) => {
    if ('keylog' in message) {
      for (const line of message.keylog) decoder.addKeylogLine(line);
    } else if ('decoded' in message) {
      const result = take(message.decoded);
      if (result) reply({ request: message.request, result: toWire(result) });
      else if (abandoned.has(message.decoded)) reply({ request: message.request });
      else if (decoder.messages(message.decoded) !== undefined || queue.some((item) => 'open' in item && item.open === message.decoded)) {
        waiting.set(message.decoded, [...(waiting.get(message.decoded) ?? []), message.request]);
      } else reply({ request: message.request });
    } else {
      const messages = decoder.messages(message.messages);
      reply({ request: message.request, ...(messages ? { messages: [...messages] } : {}) });
    }
  });

  return {
    open: (conn) => work({ open: conn.id }),
    chunk: (id, chunk) => work({ id, chunk }),
    close: (id) => work({ close: id }),
    dispose: () => {
      decoder.dispose();
      port.close();
    },
  };
};
