/**
 * A running sandbox's recording out to the two files Wireshark needs:
 *
 *   client ⇄ tap (sandbox address, the service's described port) ⇄ service
 *     Sandbox.tap.connections ──fromTapConnections──▶ RecordedConnection[] ──writePcapng──▶ capture.pcapng
 *     Sandbox.keylog (NSS lines from both ends) ──────────────────────────▶ DSB in capture.pcapng + keys.log
 *
 * The tap stamps chunks on process.hrtime's clock (µs, arbitrary origin) and notes the wall
 * clock once per connection (`openedAtMs`); capture files want µs since the Unix epoch.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sandbox, SandboxDescription, TapConnection } from '../../runtime/index.js';
import { keylogLines, keylogText } from './keylog.js';
import type { Endpoint, RecordedConnection } from './recording.js';
import { writePcapng } from './writePcapng.js';

export interface TapEndpoints {
  /** The sandbox's loopback address: clients dial the tap from it. */
  address: string;
  /** Where the tap listens for each service (SandboxDescription.services). */
  services: Record<string, Pick<SandboxDescription['services'][string], 'address' | 'port'>>;
}

export interface ExportedCapture {
  /** Absolute path of the pcapng file (key log embedded in a Decryption Secrets Block). */
  pcapng: string;
  /** Absolute path of the NSS key log beside it, for tools that take `tls.keylog_file`. */
  keylog: string;
}

/**
 * µs to add to a tap timestamp to get µs since the Unix epoch. One offset for the whole
 * recording, so connections keep the order the monotonic clock gave them. Each connection
 * gives an estimate `openedAtMs·1000 − openedAt` that is low by up to 1 ms (Date.now()
 * truncates to the millisecond); the largest is the closest.
 */
export function tapEpochOffsetUs(connections: readonly TapConnection[]): number {
  let offset = -Infinity;
  for (const conn of connections) offset = Math.max(offset, conn.openedAtMs * 1000 - conn.openedAt);
  return Number.isFinite(offset) ? offset : Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);
}

/** The tap ended these with a reset towards the ends (tap.ts `fail`); anything else closed with FINs. */
const resetReasons = new Set<TapConnection['closeReason']>(['reset', 'error', 'refused']);

/**
 * The tap's connections as capture recordings: the client end is the sandbox address and the
 * port the client dialled from, the server end is the tap's port for the service.
 *
 * A connection whose bytes were partly dropped to keep the tap under its cap (droppedBytes)
 * is exported without data: what is left would start mid-record and make every reader
 * misparse the stream.
 */
export function fromTapConnections(connections: readonly TapConnection[], endpoints: TapEndpoints): RecordedConnection[] {
  const offset = tapEpochOffsetUs(connections);
  const epoch = (t: number): number => Math.max(0, Math.round(t + offset));
  return connections.map((conn) => {
    const service = endpoints.services[conn.service];
    if (!service) {
      throw new TypeError(`fromTapConnections: connection ${conn.id} went to "${conn.service}", which the sandbox does not describe (known: ${Object.keys(endpoints.services).join(', ')})`);
    }
    const client: Endpoint = { address: endpoints.address, port: conn.clientPort };
    const server: Endpoint = { address: service.address, port: service.port };
    const recorded: RecordedConnection = {
      id: conn.id,
      client,
      server,
      openedAt: epoch(conn.openedAt),
      chunks: conn.droppedBytes > 0 ? [] : conn.chunks.map((chunk) => ({ dir: chunk.dir, t: epoch(chunk.t), bytes: chunk.bytes })),
    };
    if (conn.closedAt !== undefined) {
      recorded.closedAt = epoch(conn.closedAt);
      recorded.closedBy = resetReasons.has(conn.closeReason) ? 'rst' : 'fin';
    }
    return recorded;
  });
}

/** Everything the sandbox's tap recorded so far, as capture recordings. */
export function sandboxRecording(sandbox: Pick<Sandbox, 'tap' | 'describe'>): RecordedConnection[] {
  const { address, services } = sandbox.describe();
  // A copy: connections keep arriving while the file is written.
  return fromTapConnections([...sandbox.tap.connections], { address, services });
}

/**
 * `mkdir -p`, one level at a time. Not `mkdir(dir, { recursive: true })`: on Node 20 it never
 * returns for a path under a folder that answers ENOENT to mkdir although it exists (`/proc`,
 * seen with `--capture /proc/x`), retrying the parent and the child for ever. This walk makes
 * at most one attempt per path component and throws the first error.
 */
export async function ensureDirectory(dir: string): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  for (let at = target; ; at = path.dirname(at)) {
    const found = await stat(at).then(
      (s) => s,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      },
    );
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR', path: at });
      break;
    }
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing) {
    await mkdir(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/**
 * Writes `capture.pcapng` (key log embedded) and `keys.log` (NSS format) into `dir`, creating
 * it if needed. The recording and key log are taken when it is called, before its first
 * await; later traffic is not in the files. Call it before `sandbox.stop()`.
 * Open with `wireshark capture.pcapng`, or `tshark -r capture.pcapng -o tls.keylog_file:keys.log`.
 */
export async function exportSandboxCapture(sandbox: Pick<Sandbox, 'tap' | 'describe' | 'keylog'>, dir: string): Promise<ExportedCapture> {
  const connections = sandboxRecording(sandbox);
  // Both ends of a TLS 1.3 connection log the same secrets: each line once, first seen first.
  const keylog = [...new Set(keylogLines(sandbox.keylog))];
  const out = path.resolve(dir);
  await ensureDirectory(out);
  const files: ExportedCapture = { pcapng: path.join(out, 'capture.pcapng'), keylog: path.join(out, 'keys.log') };
  // keys.log holds secrets that decrypt the recorded traffic: owner-only, like the sandbox's keys.
  await Promise.all([
    writeFile(files.pcapng, writePcapng(connections, { keylog }), { mode: 0o600 }),
    writeFile(files.keylog, keylogText(keylog), { mode: 0o600 }),
  ]);
  return files;
}
