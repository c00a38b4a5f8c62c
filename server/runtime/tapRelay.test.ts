/**
 * The relay in this test's own event loop, so the order in which it meets events can be set:
 * what one end sent just before its reset must still reach the other end, even when the relay
 * meets the reset first by writing to it.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloseReason, Direction } from './tapProtocol.js';
import { TapRelay, type RelaySink } from './tapRelay.js';

/** A sink that keeps what it is told: each chunk's direction and bytes, and how the connection closed. */
class RecordingSink implements RelaySink {
  readonly chunks: Array<{ dir: Direction; bytes: string }> = [];
  readonly #waiting: Array<{ dir: Direction; resolve: () => void }> = [];
  #onClose: ((reason: CloseReason) => void) | undefined;
  readonly closed = new Promise<CloseReason>((resolve) => (this.#onClose = resolve));

  open(): void {}
  upstream(): void {}
  serviceEnd(): void {}
  mark(): void {}
  chunk(_id: number, dir: Direction, _t: number, bytes: Buffer): void {
    this.chunks.push({ dir, bytes: bytes.toString() });
    for (const waiter of this.#waiting.filter((w) => w.dir === dir)) {
      this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
      // The relay writes the chunk right after it reports it.
      setImmediate(waiter.resolve);
    }
  }
  close(_id: number, _t: number, reason: CloseReason): void {
    this.#onClose?.(reason);
  }
  /** Resolves once the relay has passed on its next chunk in `dir`. */
  relayed(dir: Direction): Promise<void> {
    return new Promise((resolve) => this.#waiting.push({ dir, resolve }));
  }
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function relayInFrontOfAService(): Promise<{ sink: RecordingSink; client: net.Socket; service: net.Socket }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  const sink = new RecordingSink();
  const relay = new TapRelay('127.0.0.1', sink);
  cleanup.push(() => relay.close());
  const port = await relay.listen('svc');
  await relay.setUpstream('svc', (server.address() as net.AddressInfo).port);
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect({ host: '127.0.0.1', port });
  client.on('error', () => {});
  cleanup.push(async () => client.destroy());
  const [service] = await accepted;
  service.on('error', () => {});
  return { sink, client, service };
}

/**
 * What `socket` reads until it closes. Node cannot tell a reset that comes right behind data
 * from an end of stream (libuv reads a hang-up after a short read as EOF), so how the
 * connection ended is read from the relay's report instead.
 */
async function readToClose(socket: net.Socket): Promise<string> {
  let read = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (read += chunk));
  await new Promise((resolve) => socket.on('close', resolve));
  return read;
}

describe('the relay passes on what an end sent before its reset', () => {
  const cases = [
    { name: 'the service answers and resets while the client is still sending: the client reads the answer, then the relay resets it', closer: 'service', dir: 's2c' },
    { name: 'the client says its last and resets while the service is still sending: the service reads it, then the relay resets it', closer: 'client', dir: 'c2s' },
  ] as const;

  for (const { name, closer, dir } of cases) {
    it(name, async () => {
      const ends = await relayInFrontOfAService();
      const closing = ends[closer];
      const other = closer === 'service' ? ends.client : ends.service;
      // The closing end leaves the other's bytes unread, so its close is a reset (RFC 2525 §2.17).
      closing.pause();
      const forwarded = ends.sink.relayed(dir === 's2c' ? 'c2s' : 's2c');
      other.write('request');
      await forwarded;

      // The other end's next bytes reach the relay before the closing end's last ones, so the
      // relay's write of them is what meets the reset — with those last bytes unread on its leg.
      const read = readToClose(other);
      other.write('more');
      closing.write('alert');
      closing.destroy();

      expect(await read).toBe('alert');
      expect(ends.sink.chunks.filter((c) => c.dir === dir).map((c) => c.bytes)).toEqual(['alert']);
      expect(await ends.sink.closed).toBe('reset');
    });
  }
});
