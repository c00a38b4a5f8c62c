/**
 * The TCP wire faults, after Toxiproxy's toxics of the same names (`toxics/latency.go`,
 * `bandwidth.go`, `reset_peer.go`, `timeout.go`, `slicer.go`, `slow_close.go`):
 *
 *   … ⇄ tap ⇄ [latency | bandwidth | reset-peer | timeout | slicer | slow-close] ⇄ …
 *
 * Each waits through `stub.wait`, so closing the connection ends every wait at once.
 */
import type { Toxic, ToxicStub, WireChunk } from './toxic.js';

/** Each chunk leaves `latencyMs` ± `jitterMs` after the relay read it (not after the one before: throughput stays). */
export function latencyToxic({ latencyMs, jitterMs }: { latencyMs: number; jitterMs: number }): Toxic {
  return {
    async pipe(stub) {
      for (let chunk = await stub.read(); chunk; chunk = await stub.read()) {
        const delayMs = Math.max(0, latencyMs + (jitterMs ? Math.round((stub.random() * 2 - 1) * jitterMs) : 0));
        const leftMs = chunk.readAtMs + delayMs - performance.now();
        // Aborted: the connection is gone; what is held goes nowhere either way.
        if (leftMs > 0 && !(await stub.wait(leftMs))) return;
        stub.write(chunk);
      }
    },
  };
}

/** At most `rateKBps` KiB a second: a chunk goes out in slices of a tenth of a second's worth. */
export function bandwidthToxic({ rateKBps }: { rateKBps: number }): Toxic {
  const bytesPerMs = (rateKBps * 1024) / 1000;
  const slice = Math.max(1, Math.floor(bytesPerMs * 100));
  return {
    async pipe(stub) {
      for (let chunk = await stub.read(); chunk; chunk = await stub.read()) {
        for (const part of slices(chunk, () => slice)) {
          if (!(await stub.wait(part.bytes.length / bytesPerMs))) return;
          stub.write(part);
        }
      }
    },
  };
}

/**
 * Resets both legs `timeoutMs` after the connection opened (Toxiproxy's reset_peer): what
 * came before passes, then RST — "connection reset by peer" on both sides.
 */
export function resetPeerToxic({ timeoutMs }: { timeoutMs: number }): Toxic {
  return {
    async pipe(stub) {
      // Not awaited: the end of this direction passes on at once, the other may still be open
      // for the reset to hit; closing the connection ends the wait.
      void stub.wait(timeoutMs).then((elapsed) => {
        if (elapsed) stub.reset(`reset-peer: the tap reset both legs ${timeoutMs} ms after the connection opened`);
      });
      for (let chunk = await stub.read(); chunk; chunk = await stub.read()) stub.write(chunk);
    },
  };
}

/**
 * A blackhole: nothing gets through; with `timeoutMs` above 0 both legs close after that
 * long, at 0 the connection hangs until a side gives up (Toxiproxy's timeout).
 */
export function timeoutToxic({ timeoutMs }: { timeoutMs: number }): Toxic {
  return {
    async pipe(stub) {
      const timer =
        timeoutMs > 0
          ? stub.wait(timeoutMs).then((elapsed) => {
              if (elapsed) stub.close(`timeout: the tap closed both legs after ${timeoutMs} ms of blackhole`);
            })
          : Promise.resolve();
      for (let chunk = await stub.read(); chunk; chunk = await stub.read()) stub.drop(chunk.bytes.length, 'timeout: the blackhole swallowed these bytes');
      await timer;
    },
  };
}

/** Cuts each chunk into slices of `averageSize` ± `sizeVariation` bytes, `delayUs` apart: TCP as a slow network delivers it. */
export function slicerToxic({ averageSize, sizeVariation, delayUs }: { averageSize: number; sizeVariation: number; delayUs: number }): Toxic {
  return {
    async pipe(stub) {
      for (let chunk = await stub.read(); chunk; chunk = await stub.read()) {
        const size = (): number => Math.max(1, averageSize + Math.round((stub.random() * 2 - 1) * sizeVariation));
        let first = true;
        for (const part of slices(chunk, size)) {
          if (!first && delayUs > 0 && !(await stub.wait(delayUs / 1000))) return;
          first = false;
          stub.write(part);
        }
      }
    },
  };
}

/** Holds the end of stream (the FIN) `delayMs` before passing it on; the bytes before it pass as they come. */
export function slowCloseToxic({ delayMs }: { delayMs: number }): Toxic {
  return {
    async pipe(stub: ToxicStub) {
      for (let chunk = await stub.read(); chunk; chunk = await stub.read()) stub.write(chunk);
      if (!stub.signal.aborted) await stub.wait(delayMs);
    },
  };
}

/** A chunk cut into consecutive parts of `size()` bytes, its marks cut with it. */
export function slices(chunk: WireChunk, size: () => number): WireChunk[] {
  if (chunk.bytes.length <= size()) return [chunk];
  const out: WireChunk[] = [];
  for (let start = 0; start < chunk.bytes.length; ) {
    const end = Math.min(chunk.bytes.length, start + size());
    const marks = (chunk.marks ?? [])
      .filter((m) => m.start < end && m.end > start)
      .map((m) => ({ ...m, start: Math.max(m.start, start) - start, end: Math.min(m.end, end) - start }));
    out.push({ bytes: chunk.bytes.subarray(start, end), readAtMs: chunk.readAtMs, ...(marks.length ? { marks } : {}) });
    start = end;
  }
  return out;
}
