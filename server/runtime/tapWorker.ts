/**
 * The main thread's end of the tap's thread (tapThread.ts): one worker for every Tap of the
 * process, started with the first one.
 *
 *   Tap ──command / request──▶ TapWorker ──MessagePort──▶ tap thread
 *   Tap ◀──TapEvent (by tap id)──── TapWorker ◀────────── tap thread
 *                                    └─ replies settle their request
 *
 * The thread posts a connection's events before it forwards another byte of it; a process's
 * report naming that connection (its port) arrives here only after the bytes it answers, on
 * another channel. `drain()` takes whatever the thread has posted, synchronously, so a lookup
 * made for such a report always finds the connection — even when the report is read first.
 *
 * The worker holds the process open only while some Tap is listening (ref/unref).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { TapCommand, TapEvent } from './tapProtocol.js';
import { siblingModule, threadEntry } from './threadScript.js';

export interface TapEndpoint {
  receive(event: TapEvent): void;
  /** The thread is gone: every connection is over. */
  lost(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class TapWorker {
  static #current: TapWorker | undefined;

  /** The process's tap thread, started on first use (and again if it died). */
  static get(): TapWorker {
    if (!TapWorker.#current || TapWorker.#current.#dead) TapWorker.#current = new TapWorker();
    return TapWorker.#current;
  }

  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #endpoints = new Map<number, TapEndpoint>();
  readonly #requests = new Map<number, Pending>();
  #nextTap = 1;
  #nextRequest = 1;
  #refs = 0;
  #dead: Error | undefined;

  private constructor() {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(threadEntry(siblingModule(import.meta.url, 'tapThread')), { workerData: { port: port2 }, transferList: [port2] });
    this.#worker.unref();
    this.#port.on('message', (event: TapEvent) => this.#receive(event));
    this.#port.unref();
    const die = (error: Error): void => {
      if (this.#dead) return;
      this.#dead = error;
      for (const request of this.#requests.values()) request.reject(error);
      this.#requests.clear();
      for (const endpoint of this.#endpoints.values()) endpoint.lost();
      this.#endpoints.clear();
      this.#port.close();
    };
    this.#worker.on('error', die);
    this.#worker.on('exit', (code) => die(new Error(`the tap thread exited (code ${code})`)));
  }

  /** A new tap in the thread, relaying at `address`; its messages go to `endpoint`. */
  open(endpoint: TapEndpoint, address: string, maxRecordedBytes: number): number {
    if (this.#dead) throw this.#dead;
    const tap = this.#nextTap++;
    this.#endpoints.set(tap, endpoint);
    this.post({ op: 'open', tap, address, maxRecordedBytes });
    return tap;
  }

  forget(tap: number): void {
    this.#endpoints.delete(tap);
  }

  post(command: TapCommand, transfer: MessagePort[] = []): void {
    if (this.#dead) throw this.#dead;
    this.#port.postMessage(command, transfer);
  }

  /** Posts a command that carries a request id and resolves with the thread's reply. */
  request<T>(make: (request: number) => TapCommand, transfer: MessagePort[] = []): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const request = this.#nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.#requests.set(request, { resolve: resolve as (value: unknown) => void, reject });
      this.post(make(request), transfer);
    });
  }

  /** Keeps the process alive while a tap listens. */
  ref(): void {
    if (this.#refs++ === 0) {
      this.#worker.ref();
      this.#port.ref();
    }
  }

  unref(): void {
    if (--this.#refs === 0) {
      this.#worker.unref();
      this.#port.unref();
    }
  }

  /** Applies, now, every message the thread has posted so far. */
  drain(): void {
    if (this.#dead) return;
    for (let next = receiveMessageOnPort(this.#port); next; next = receiveMessageOnPort(this.#port)) this.#receive(next.message as TapEvent);
  }

  #receive(event: TapEvent): void {
    if (event.ev !== 'reply') return this.#endpoints.get(event.tap)?.receive(event);
    const pending = this.#requests.get(event.request);
    this.#requests.delete(event.request);
    if (!pending) return;
    if (event.error) pending.reject(Object.assign(new Error(event.error.message), event.error.code ? { code: event.error.code } : {}));
    else pending.resolve(event.value);
  }
}
