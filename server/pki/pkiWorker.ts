/**
 * The main thread's end of the PKI's thread (pkiThread.ts): one worker for the process,
 * started on first use (and again if it died).
 *
 *   issuePkiInThread(spec, { now, previous, writeTo }) ──▶ thread: issuePki (and writeMaterialFiles) ──▶ Pki (pkiWire.ts)
 *
 * It holds the process open only while an issue is under way. A TypeError thrown by issuePki
 * (a lab it cannot issue) arrives as a TypeError with its message.
 */
import { Worker } from 'node:worker_threads';
import type { CertificateSpec } from '../lab/schema.js';
import { siblingModule, threadEntry } from '../runtime/threadScript.js';
import type { Pki } from './issuePki.js';
import type { PkiReply, PkiRequest } from './pkiThread.js';
import { pkiFromWire, pkiToWire } from './pkiWire.js';

interface Pending {
  resolve(pki: Pki): void;
  reject(error: Error): void;
}

class PkiWorker {
  readonly #worker = new Worker(threadEntry(siblingModule(import.meta.url, 'pkiThread')));
  readonly #pending = new Map<number, Pending>();
  #nextRequest = 1;
  dead: Error | undefined;

  constructor() {
    this.#worker.on('message', (reply: PkiReply) => this.#settle(reply));
    const die = (error: Error): void => {
      this.dead ??= error;
      for (const pending of this.#pending.values()) pending.reject(this.dead);
      this.#pending.clear();
    };
    this.#worker.on('error', die);
    this.#worker.on('exit', (code) => die(new Error(`the PKI thread exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again.
    this.#worker.unref();
  }

  issue(spec: Record<string, CertificateSpec>, { now = new Date(), previous, writeTo }: IssueOptions): Promise<Pki> {
    const request = this.#nextRequest++;
    return new Promise<Pki>((resolve, reject) => {
      // Posted first: a spec that cannot be cloned throws here, leaving nothing pending.
      this.#worker.postMessage({ request, spec, now, ...(previous ? { previous: pkiToWire(previous) } : {}), ...(writeTo !== undefined ? { writeTo } : {}) } satisfies PkiRequest);
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(request, { resolve, reject });
    });
  }

  #settle(reply: PkiReply): void {
    const pending = this.#pending.get(reply.request);
    this.#pending.delete(reply.request);
    if (this.#pending.size === 0) this.#worker.unref();
    if (!pending) return;
    if ('pki' in reply) return pending.resolve(pkiFromWire(reply.pki));
    const ErrorType = reply.error.name === 'TypeError' ? TypeError : Error;
    pending.reject(new ErrorType(reply.error.message));
  }
}

export interface IssueOptions {
  /** issuePki's `now` and `previous`. */
  now?: Date;
  previous?: Pki;
  /** Writes the PKI's files here as well, as writeMaterials does; writtenMaterials(pki, writeTo) then names them. */
  writeTo?: string;
}

let current: PkiWorker | undefined;

/** issuePki (issuePki.ts), run in the PKI's thread: the same Pki, whatever the main thread is busy with meanwhile. */
export function issuePkiInThread(spec: Record<string, CertificateSpec>, options: IssueOptions = {}): Promise<Pki> {
  if (!current || current.dead) current = new PkiWorker();
  return current.issue(spec, options);
}
