/**
 * An NSS key-log file (SSLKEYLOGFILE) that a TLS stack outside this process appends to,
 * followed line by line as it grows:
 *
 *   openssl s_server -keylogfile ─┐
 *   curl / openssl s_client (SSLKEYLOGFILE) ─┴─▶ file (0600) ──inotify──▶ onLine ──▶ sandbox keylog
 *
 * Only lines of the key-log form go on (`LABEL <64 hex> <hex>`): the file may be written by
 * tools a learner runs, and OpenSSL starts it with a `#` comment.
 */
import { watch } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { openSandboxFile } from '../pki/sandboxFile.js';

export interface KeylogFile {
  readonly path: string;
  /**
   * Stops following (before the file's directory is removed), once every line written so far
   * has gone on: a handshake just before a stop logs its secrets a moment before its capture is
   * written, and the change may not have been noticed yet.
   */
  close(): Promise<void>;
}

/** NSS key log format: label, 32-byte client_random, secret (at most 64 bytes). */
const keylogLine = /^[A-Z0-9_]{1,64} [0-9a-fA-F]{64} [0-9a-fA-F]{2,128}$/;

/** Creates `path` empty, mode 0600 (it holds session secrets), and follows it. */
export async function followKeylogFile(path: string, onLine: (line: string) => void): Promise<KeylogFile> {
  await writeFile(path, '', { mode: 0o600 });
  let offset = 0;
  let partial = '';
  /** The read under way, if any; a change seen meanwhile reads again after it. */
  let reading: Promise<void> | undefined;
  let again = false;
  const read = (): Promise<void> => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = readToEnd();
    return reading;
  };
  const readToEnd = async (): Promise<void> => {
    try {
      const file = await openSandboxFile(path);
      try {
        for (;;) {
          const { bytesRead, buffer } = await file.read({ buffer: Buffer.alloc(16384), position: offset });
          if (bytesRead === 0) break;
          offset += bytesRead;
          const lines = (partial + buffer.toString('latin1', 0, bytesRead)).split('\n');
          // A writer may be mid-line; a "line" longer than any key-log line is not one.
          partial = (lines.pop() ?? '').slice(-512);
          for (const line of keylogLinesIn(lines)) onLine(line);
        }
      } finally {
        await file.close();
      }
    } catch {
      // The sandbox dir is going away, or the learner's shell put something else in the file's place.
    } finally {
      reading = undefined;
      if (again) {
        again = false;
        void read();
      }
    }
  };
  const watcher = watch(path, () => void read());
  watcher.on('error', () => watcher.close());
  return {
    path,
    async close() {
      watcher.close();
      // A read under way may have passed the last lines already; one more from here cannot.
      while (reading) await reading;
      await read();
    },
  };
}

/**
 * The key-log lines in the last `tailBytes` of `path`, for a last look once its writer is gone
 * (a cut first line is no key-log line); none when it cannot be read.
 */
export async function keylogTail(path: string, tailBytes = 64 * 1024): Promise<string[]> {
  try {
    const file = await openSandboxFile(path);
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - tailBytes);
      const { bytesRead, buffer } = await file.read({ buffer: Buffer.alloc(size - start), position: start });
      return keylogLinesIn(buffer.toString('latin1', 0, bytesRead).split('\n'));
    } finally {
      await file.close();
    }
  } catch {
    return [];
  }
}

function keylogLinesIn(lines: readonly string[]): string[] {
  return lines.map((line) => line.trim()).filter((line) => keylogLine.test(line));
}
