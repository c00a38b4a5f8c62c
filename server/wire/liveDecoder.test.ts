import { describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/waitFor.js';
import { decodeConnection, type TapChunk } from './connectionDecoder.js';
import { KeyLog } from './keylog.js';
import { LiveDecoder, type LiveDecoderOptions, type LiveResult } from './liveDecoder.js';
import { rechunk, rfc8448, rfc8448Chunks, tls12Connection } from './testing.js';

type Label = keyof typeof rfc8448.secrets;
const line = (label: Label): string => `${label} ${rfc8448.clientRandom} ${rfc8448.secrets[label]}`;
const allLines = (Object.keys(rfc8448.secrets) as Label[]).map(line);
const keyLogOf = (lines: string[]): KeyLog => KeyLog.parse(lines.join('\n'));

/** A LiveDecoder whose results arrive as promises, one per connection id. */
function live(options: Partial<LiveDecoderOptions> = {}) {
  const results = new Map<number, (result: LiveResult) => void>();
  const done = new Map<number, Promise<LiveResult>>();
  const decoder = new LiveDecoder((id, result) => results.get(id)?.(result), options);
  const open = (id: number): void => {
    done.set(id, new Promise((resolve) => results.set(id, resolve)));
    decoder.open(id);
  };
  return { decoder, open, result: (id: number) => done.get(id)! };
}

/** The §3 connection cut the way TCP might deliver it: whole records, or random pieces. */
const cuts: Array<[string, () => TapChunk[]]> = [
  ['one chunk per record', rfc8448Chunks],
  ['random pieces (seed 1)', () => rechunk(rfc8448Chunks(), 1)],
  ['random pieces (seed 2)', () => rechunk(rfc8448Chunks(), 2, 300)],
];

describe('LiveDecoder on the RFC 8448 §3 connection', () => {
  for (const [cut, chunks] of cuts) {
    it(`decodes exactly what decodeConnection decodes when every secret is logged first (${cut})`, async () => {
      const { decoder, open, result } = live();
      for (const l of allLines) decoder.addKeylogLine(l);
      open(1);
      for (const chunk of chunks()) decoder.push(1, chunk);
      decoder.close(1);
      const { decoded, keysLoggedLate } = await result(1);
      expect(decoded).toEqual(decodeConnection({ chunks: chunks(), keylog: keyLogOf(allLines) }));
      expect(keysLoggedLate).toEqual([]);
    });

    it(`holds the server's first encrypted record until its secret is logged, then decodes the same (${cut})`, async () => {
      const { decoder, open, result } = live({ keyWaitMs: 60_000 });
      open(1);
      for (const chunk of chunks()) decoder.push(1, chunk);
      expect(decoder.messages(1)?.filter((m) => m.layer === 'handshake').map((m) => m.type)).toEqual(['ClientHello', 'ServerHello']);
      expect(decoder.messages(1)?.some((m) => m.type === 'encrypted_record')).toBe(false);
      for (const l of allLines) decoder.addKeylogLine(l);
      expect(decoder.messages(1)?.filter((m) => m.layer === 'handshake').map((m) => m.type)).toContain('CertificateVerify');
      decoder.close(1);
      expect((await result(1)).decoded).toEqual(decodeConnection({ chunks: chunks(), keylog: keyLogOf(allLines) }));
    });
  }

  it('decodes messages while the connection is still open', () => {
    const { decoder, open } = live();
    for (const l of allLines) decoder.addKeylogLine(l);
    open(1);
    const chunks = rfc8448Chunks();
    for (const chunk of chunks.slice(0, 3)) decoder.push(1, chunk);
    expect(decoder.messages(1)?.filter((m) => m.layer === 'handshake').map((m) => m.type)).toEqual([
      'ClientHello',
      'ServerHello',
      'EncryptedExtensions',
      'Certificate',
      'CertificateVerify',
      'Finished',
    ]);
  });

  it('waits after the close for a secret still on its way', async () => {
    const { decoder, open, result } = live({ keyWaitMs: 60_000 });
    open(1);
    for (const chunk of rfc8448Chunks()) decoder.push(1, chunk);
    decoder.close(1);
    expect(decoder.size).toBe(1);
    for (const l of allLines) decoder.addKeylogLine(l);
    expect((await result(1)).decoded).toEqual(decodeConnection({ chunks: rfc8448Chunks(), keylog: keyLogOf(allLines) }));
    expect(decoder.size).toBe(0);
  });

  it('waits for each secret in turn: the handshake secrets, later the application secrets', async () => {
    const { decoder, open, result } = live({ keyWaitMs: 60_000 });
    const handshake = [line('CLIENT_HANDSHAKE_TRAFFIC_SECRET'), line('SERVER_HANDSHAKE_TRAFFIC_SECRET')];
    open(1);
    for (const chunk of rfc8448Chunks()) decoder.push(1, chunk);
    for (const l of handshake) decoder.addKeylogLine(l);
    const types = (): string[] | undefined => decoder.messages(1)?.filter((m) => m.layer === 'handshake').map((m) => m.type);
    // The NewSessionTicket is under the server's application secret: it waits for it.
    expect(types()).toEqual(['ClientHello', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished', 'Finished']);
    for (const l of allLines) decoder.addKeylogLine(l);
    expect(types()).toContain('NewSessionTicket');
    decoder.close(1);
    expect((await result(1)).decoded).toEqual(decodeConnection({ chunks: rfc8448Chunks(), keylog: keyLogOf(allLines) }));
  });

  it('decodes without a secret that never comes once keyWaitMs has passed', async () => {
    const { decoder, open, result } = live({ keyWaitMs: 5 });
    open(1);
    for (const chunk of rfc8448Chunks()) decoder.push(1, chunk);
    decoder.close(1);
    const { decoded, keysLoggedLate } = await result(1);
    expect(decoded).toEqual(decodeConnection({ chunks: rfc8448Chunks() }));
    expect(decoded.messages.filter((m) => m.type === 'encrypted_record')).toHaveLength(7);
    expect(keysLoggedLate).toEqual([]);
  });

  it('names the secrets logged after their records were decoded without them', async () => {
    const { decoder, open, result } = live({ keyWaitMs: 5 });
    open(1);
    for (const chunk of rfc8448Chunks()) decoder.push(1, chunk);
    const undecrypted = (): number => decoder.messages(1)?.filter((m) => m.type === 'encrypted_record').length ?? 0;
    await waitFor('every protected record to be decoded without keys', () => undecrypted() === 7);
    for (const l of allLines) decoder.addKeylogLine(l);
    decoder.close(1);
    const { decoded, keysLoggedLate } = await result(1);
    expect(decoded).toEqual(decodeConnection({ chunks: rfc8448Chunks() }));
    // Without the handshake secrets no Finished was seen, so the application secrets were never needed.
    expect(keysLoggedLate.sort()).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET']);
  });

  it('keeps connections apart: one waiting for its secret does not hold up another', async () => {
    const { decoder, open, result } = live({ keyWaitMs: 60_000 });
    open(1);
    open(2);
    const plaintext: TapChunk = { dir: 'c2s', t: 1, bytes: new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n') };
    for (const chunk of rfc8448Chunks()) decoder.push(1, chunk);
    decoder.push(2, plaintext);
    decoder.close(2);
    expect((await result(2)).decoded).toEqual(decodeConnection({ chunks: [plaintext] }));
    expect(decoder.size).toBe(1);
    decoder.close(1);
    for (const l of allLines) decoder.addKeylogLine(l);
    expect((await result(1)).decoded).toEqual(decodeConnection({ chunks: rfc8448Chunks(), keylog: keyLogOf(allLines) }));
  });

  it('holds a TLS 1.2 connection\'s first encrypted record until its CLIENT_RANDOM line is logged', async () => {
    const { chunks, keylog } = tls12Connection();
    const masterLine = `CLIENT_RANDOM ${rfc8448.clientRandom} ${Buffer.from(keylog.get(rfc8448.clientRandom, 'CLIENT_RANDOM')!).toString('hex')}`;
    const { decoder, open, result } = live({ keyWaitMs: 60_000 });
    open(1);
    for (const chunk of rechunk(chunks, 3)) decoder.push(1, chunk);
    expect(decoder.messages(1)?.filter((m) => m.layer !== 'record').map((m) => m.type)).toEqual(['ClientHello', 'ServerHello', 'ServerHelloDone', 'ClientKeyExchange', 'ChangeCipherSpec']);
    decoder.addKeylogLine(masterLine);
    decoder.close(1);
    expect((await result(1)).decoded).toEqual(decodeConnection({ chunks: rechunk(chunks, 3), keylog }));
  });

  it('refuses a keyWaitMs that is not a number of milliseconds', () => {
    expect(() => new LiveDecoder(() => {}, { keyWaitMs: Number.NaN })).toThrow(TypeError);
  });
});
