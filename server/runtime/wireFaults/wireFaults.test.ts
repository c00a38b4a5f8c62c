import { describe, expect, it } from 'vitest';
import { parseWireFault, wireFaultKinds, WireFaultError } from './catalogue.js';
import { WireFaultChains } from './chains.js';
import { seededRandom } from '../seededRandom.js';
import { connectionRandom, WireLink, type LinkStage } from './link.js';
import { RecordScanner } from './recordScanner.js';
import type { WireMark } from './toxic.js';

/** A TLS record: type, version 0x0303, `length` bytes of `fill`. */
function record(type: number, length: number, fill = 0xab): Buffer {
  const out = Buffer.alloc(5 + length, fill);
  out[0] = type;
  out.writeUInt16BE(0x0303, 1);
  out.writeUInt16BE(length, 3);
  return out;
}

/** Cuts `bytes` at seeded points, as TCP may deliver them. */
function cut(bytes: Buffer, seed: number): Buffer[] {
  const random = seededRandom(seed);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * 40);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

interface Run {
  link: WireLink;
  output: () => Buffer;
  chunks: Buffer[];
  marks: WireMark[];
  ended: () => boolean;
  resets: () => number;
  closes: () => number;
}

function run(kind: string, params: Record<string, unknown> = {}): Run {
  const spec = parseWireFault({ kind, edge: 'auth', params }, ['auth']);
  const stage: LinkStage = { fault: kind, toxic: wireFaultKinds[kind]!.create(spec.params), random: connectionRandom(spec.seed, 0) };
  const chunks: Buffer[] = [];
  const marks: WireMark[] = [];
  let ended = false;
  let resets = 0;
  let closes = 0;
  const link = new WireLink([stage], {
    deliver(bytes, chunkMarks) {
      marks.push(...chunkMarks);
      chunks.push(Buffer.from(bytes));
    },
    mark: (mark) => marks.push(mark),
    end: () => (ended = true),
    reset: () => {
      resets++;
      link.abort();
    },
    close: () => {
      closes++;
      link.abort();
    },
    drained: () => {},
  });
  return { link, chunks, marks, output: () => Buffer.concat(chunks), ended: () => ended, resets: () => resets, closes: () => closes };
}

const payload = Buffer.from('GET / HTTP/1.1\r\nHost: auth.corp.test\r\n\r\n'.repeat(20));

describe('TCP wire faults pass every byte they read, in order, and end when the stream ends', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['latency', { latencyMs: 1, jitterMs: 1 }],
    ['bandwidth', { rateKBps: 1_000_000 }],
    ['slicer', { averageSize: 7, sizeVariation: 3, delayUs: 0 }],
    ['slow-close', { delayMs: 1 }],
    ['reset-peer', { timeoutMs: 3_600_000 }],
  ];
  for (const [kind, params] of cases) {
    it(`${kind}: the output is the input, then the end`, async () => {
      const r = run(kind, params);
      for (const piece of cut(payload, 3)) r.link.push(piece);
      r.link.end();
      await r.link.done;
      expect(r.output().equals(payload)).toBe(true);
      expect(r.ended()).toBe(true);
      expect(r.marks).toEqual([]);
      r.link.abort();
    });
  }

  it('slicer cuts into slices of averageSize ± sizeVariation bytes', async () => {
    const r = run('slicer', { averageSize: 10, sizeVariation: 4, delayUs: 0 });
    r.link.push(payload);
    r.link.end();
    await r.link.done;
    expect(r.chunks.length).toBeGreaterThan(payload.length / 15);
    for (const chunk of r.chunks) expect(chunk.length).toBeLessThanOrEqual(14);
  });

  it('bandwidth sends a chunk in slices of a tenth of a second of its rate', async () => {
    const r = run('bandwidth', { rateKBps: 1 });
    r.link.push(Buffer.alloc(50, 1));
    r.link.end();
    // A chunk under a tenth of a second's worth (102 bytes at 1 KiB/s) goes whole, after its wait.
    await r.link.done;
    expect(r.chunks.map((c) => c.length)).toEqual([50]);
  });
});

describe('every wait of a wire fault ends when the connection closes', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['latency', { latencyMs: 3_600_000 }],
    ['bandwidth', { rateKBps: 1 }],
    ['slicer', { averageSize: 2, sizeVariation: 1, delayUs: 1_000_000 }],
    ['slow-close', { delayMs: 3_600_000 }],
    ['timeout', { timeoutMs: 0 }],
    ['timeout', { timeoutMs: 3_600_000 }],
    ['reset-peer', { timeoutMs: 3_600_000 }],
    ['mtu-blackhole', {}],
    ['corrupt-handshake', {}],
  ];
  for (const [kind, params] of cases) {
    it(`${kind} ${JSON.stringify(params)}: aborted mid-wait, its pipe returns and nothing more comes out`, async () => {
      const r = run(kind, params);
      r.link.push(Buffer.alloc(4000, 7));
      if (kind === 'slow-close') r.link.end();
      // Let the fault start its wait.
      await new Promise((resolve) => setImmediate(resolve));
      const before = r.output().length;
      r.link.abort();
      await r.link.done;
      expect(r.output().length).toBe(before);
      expect(r.ended()).toBe(false);
    });
  }
});

describe('the blackhole and reset faults', () => {
  it('timeout drops what it reads, marked, and passes the end on', async () => {
    const r = run('timeout');
    r.link.push(payload);
    r.link.end();
    await r.link.done;
    expect(r.output().length).toBe(0);
    expect(r.marks).toEqual([{ kind: 'dropped', fault: 'timeout', offset: 0, length: payload.length, note: expect.stringContaining('blackhole') as string }]);
    expect(r.ended()).toBe(true);
  });

  it('timeout with timeoutMs closes both legs after the wait', async () => {
    const r = run('timeout', { timeoutMs: 1 });
    await r.link.done;
    expect(r.closes()).toBe(1);
    expect(r.marks.map((m) => m.kind)).toEqual(['closed']);
  });

  it('reset-peer at 0 ms resets both legs, marked', async () => {
    const r = run('reset-peer', { timeoutMs: 0 });
    r.link.push(payload);
    await r.link.done;
    expect(r.resets()).toBe(1);
    expect(r.marks.map((m) => m.kind)).toEqual(['reset']);
  });
});

describe('TLS wire faults, fed whole and cut into chunks', () => {
  const hello = record(22, 300);
  const ccs = record(20, 1, 1);
  const encryptedExtensions = record(23, 40);
  const certificate = record(23, 1800);
  const finished = record(23, 53);
  const request = record(23, 120);
  const flight = Buffer.concat([hello, ccs, encryptedExtensions, certificate, finished, request]);

  for (const [how, pieces] of [
    ['whole', [flight]],
    ['cut', cut(flight, 11)],
  ] as const) {
    it(`mtu-blackhole (${how}): records up to the limit pass, the first above it vanishes and the stream stalls behind it`, async () => {
      const r = run('mtu-blackhole', { maxRecordBytes: 1200 });
      for (const piece of pieces) r.link.push(piece);
      r.link.end();
      await r.link.done;
      expect(r.output().equals(Buffer.concat([hello, ccs, encryptedExtensions]))).toBe(true);
      const dropped = r.marks.filter((m) => m.kind === 'dropped');
      expect(dropped[0]).toMatchObject({ fault: 'mtu-blackhole', offset: hello.length + ccs.length + encryptedExtensions.length, length: certificate.length });
      expect(dropped.reduce((n, m) => n + m.length, 0)).toBe(certificate.length + finished.length + request.length);
      expect(r.ended()).toBe(true);
    });

    it(`corrupt-handshake (${how}): one byte of the first protected record changes, marked, everything else as read`, async () => {
      const r = run('corrupt-handshake');
      for (const piece of pieces) r.link.push(piece);
      r.link.end();
      await r.link.done;
      const out = r.output();
      expect(out.length).toBe(flight.length);
      const at = hello.length + ccs.length + 5 + 20;
      const differing = [...out.keys()].filter((i) => out[i] !== flight[i]);
      expect(differing).toEqual([at]);
      expect(r.marks).toEqual([expect.objectContaining({ kind: 'changed', fault: 'corrupt-handshake', offset: at, length: 1 })]);
    });

    it(`reset-after-finished (${how}): passes through the 53-byte Finished, then resets, the rest dropped`, async () => {
      const r = run('reset-after-finished');
      for (const piece of pieces) r.link.push(piece);
      await new Promise((resolve) => setImmediate(resolve));
      await r.link.done;
      expect(r.output().equals(Buffer.concat([hello, ccs, encryptedExtensions, certificate, finished]))).toBe(true);
      expect(r.resets()).toBe(1);
      expect(r.marks.at(-1)).toMatchObject({ kind: 'reset', fault: 'reset-after-finished' });
    });
  }

  it('inject-alert: a fatal alert in place of the first record, the rest dropped, then the end', async () => {
    const r = run('inject-alert', { alert: 48 });
    r.link.push(flight);
    r.link.end();
    await r.link.done;
    expect(r.output().toString('hex')).toBe('15030300020230');
    expect(r.marks[0]).toMatchObject({ kind: 'injected', offset: 0, length: 7 });
    expect(r.marks.filter((m) => m.kind === 'dropped').reduce((n, m) => n + m.length, 0)).toBe(flight.length);
    expect(r.ended()).toBe(true);
  });

  it('inject-alert after 2 records passes them first', async () => {
    const r = run('inject-alert', { afterRecords: 2 });
    r.link.push(flight);
    r.link.end();
    await r.link.done;
    expect(r.output().equals(Buffer.concat([hello, ccs, Buffer.from('15030300020228', 'hex')]))).toBe(true);
  });

  it('plaintext-answer: an HTTP response in place of what the service sent', async () => {
    const r = run('plaintext-answer');
    r.link.push(flight);
    r.link.push(request);
    r.link.end();
    await r.link.done;
    expect(r.output().toString('latin1')).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(r.marks[0]).toMatchObject({ kind: 'dropped', length: flight.length });
    expect(r.marks[1]).toMatchObject({ kind: 'injected', offset: 0, length: r.output().length });
    expect(r.ended()).toBe(true);
  });

  it('a stream that is not TLS passes a record-wise fault untouched', async () => {
    const r = run('mtu-blackhole', { maxRecordBytes: 5 });
    r.link.push(payload);
    r.link.end();
    await r.link.done;
    expect(r.output().equals(payload)).toBe(true);
  });

  it('a partial record at the end of stream still reaches the far end', async () => {
    const r = run('corrupt-handshake');
    r.link.push(hello.subarray(0, 100));
    r.link.end();
    await r.link.done;
    expect(r.output().equals(hello.subarray(0, 100))).toBe(true);
  });

  it('the record scanner finds boundaries in any cut', () => {
    const scanner = new RecordScanner();
    const found: number[] = [];
    for (const piece of cut(flight, 5)) {
      scanner.push(piece);
      for (let next = scanner.next(); next; next = scanner.next()) if ('record' in next) found.push(next.record.bytes.length);
    }
    expect(found).toEqual([hello, ccs, encryptedExtensions, certificate, finished, request].map((b) => b.length));
  });
});

describe('the draw: toxicity and seed', () => {
  const hitsOf = (seed: number, toxicity: number, connections = 200): number[] => {
    const chains = new WireFaultChains();
    chains.set('auth', [parseWireFault({ kind: 'latency', edge: 'auth', toxicity, seed }, ['auth'])]);
    const hit: number[] = [];
    for (let i = 0; i < connections; i++) {
      const n = chains.open('auth')!;
      if (chains.stagesFor('auth', 'downstream', n).length) hit.push(n);
    }
    return hit;
  };

  it('the same seed hits the same connections', () => {
    expect(hitsOf(7, 0.3)).toEqual(hitsOf(7, 0.3));
    expect(hitsOf(7, 0.3)).not.toEqual(hitsOf(8, 0.3));
  });

  it('toxicity is the share of connections hit', () => {
    const share = hitsOf(1, 0.3, 2000).length / 2000;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it('toxicity 0 hits none, 1 hits all', () => {
    expect(hitsOf(3, 0)).toEqual([]);
    expect(hitsOf(3, 1)).toHaveLength(200);
  });

  it('an edge without faults is left to the relay\'s fast path; the other direction gets no stage', () => {
    const chains = new WireFaultChains();
    expect(chains.open('auth')).toBeUndefined();
    chains.set('auth', [parseWireFault({ kind: 'latency', edge: 'auth', direction: 'upstream' }, ['auth'])]);
    expect(chains.stagesFor('auth', 'downstream', chains.open('auth')!)).toEqual([]);
    chains.set('auth', []);
    expect(chains.open('auth')).toBeUndefined();
  });
});

describe('parseWireFault refuses what does not fit, naming the field and the range', () => {
  const edges = ['auth'];
  it.each([
    [{ kind: 'lag', edge: 'auth' }, /kind: "lag" is not a wire fault \(known: latency, bandwidth/],
    [{ kind: 'latency', edge: 'payments' }, /edge: "payments" is not a service of this sandbox \(known: auth\)/],
    [{ kind: 'latency', edge: 'auth', direction: 'sideways' }, /direction: expected "upstream" \(client → server\) or "downstream"/],
    [{ kind: 'latency', edge: 'auth', toxicity: 1.5 }, /toxicity: expected a number from 0 to 1/],
    [{ kind: 'latency', edge: 'auth', seed: -1 }, /seed: expected a whole number from 0 to 4294967295/],
    [{ kind: 'latency', edge: 'auth', params: { latencyMs: -5 } }, /latency params\.latencyMs: expected a whole number from 0 to 3600000 but found -5/],
    [{ kind: 'latency', edge: 'auth', params: { latency: 5 } }, /unknown param "latency"/],
    [{ kind: 'slicer', edge: 'auth', params: { averageSize: 4, sizeVariation: 4 } }, /sizeVariation: expected less than averageSize \(4\)/],
  ])('%j', (input, message) => {
    expect(() => parseWireFault(input as never, edges)).toThrow(message);
  });

  it('fills the defaults: downstream, toxicity 1, seed 1, the kind\'s params', () => {
    expect(parseWireFault({ kind: 'mtu-blackhole', edge: 'auth' }, edges)).toEqual({ kind: 'mtu-blackhole', edge: 'auth', direction: 'downstream', toxicity: 1, seed: 1, params: { maxRecordBytes: 1200 } });
  });

  it('a bad kind is a WireFaultError (a TypeError)', () => {
    expect(() => parseWireFault({ kind: 'x', edge: 'auth' }, edges)).toThrow(WireFaultError);
  });
});
