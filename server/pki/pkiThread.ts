/**
 * The PKI's thread (pkiWorker.ts starts it): issues a lab's PKI, and writes its files when
 * asked, away from the main thread.
 *
 *   main ──{ request, spec, now, previous?, writeTo? }──▶ issuePki ──▶ writeMaterialFiles ──{ request, pki } or { request, error }──▶ main
 *
 * Issuing and writing are chains of awaits (a key, then a signature, then the next certificate
 * down; a file's open, write and close), each a turn of the event loop. On a server busy with
 * thirty sandboxes' traffic a turn of the main loop takes tens of milliseconds, and a learner's
 * Start waited about a second for its certificates (bench/room.ts); this thread's loop has
 * nothing else to do.
 */
import { parentPort } from 'node:worker_threads';
import type { CertificateSpec } from '../lab/schema.js';
import { issuePki } from './issuePki.js';
import { writeMaterialFiles } from './materials.js';
import { pkiFromWire, pkiToWire, type WirePki } from './pkiWire.js';

export interface PkiRequest {
  request: number;
  spec: Record<string, CertificateSpec>;
  now: Date;
  previous?: WirePki;
  /** A directory to write the PKI's files in, as writeMaterials does (only what changed since `previous`). */
  writeTo?: string;
}

export type PkiReply = { request: number; pki: WirePki } | { request: number; error: { name: string; message: string } };

async function issue({ spec, now, previous, writeTo }: PkiRequest): Promise<WirePki> {
  const before = previous && pkiFromWire(previous);
  const pki = await issuePki(spec, now, before);
  if (writeTo !== undefined) await writeMaterialFiles(pki, writeTo, before);
  return pkiToWire(pki);
}

const port = parentPort!;
port.on('message', (request: PkiRequest) => {
  issue(request).then(
    (pki) => port.postMessage({ request: request.request, pki } satisfies PkiReply),
    (error: Error) => port.postMessage({ request: request.request, error: { name: error.name, message: error.message } } satisfies PkiReply),
  );
});
