/**
 * `mtls-lab decode`: any capture a user brings, annotated with the same decoder and
 * explainer as a sandbox's own traffic.
 *
 *   file.pcap(ng) ──readCapture──▶ TCP streams (+ embedded key log) ──buildTrace──▶ TraceEvents + verdicts
 */
import { readFile } from 'node:fs/promises';
import { buildTrace, verdictsForSandbox } from '../explain/index.js';
import type { TapConnection } from '../runtime/index.js';
import { CaptureError, readCapture, type RecordedConnection } from '../wire/capture/index.js';
import { CliError } from './cliError.js';
import { formatTrace, wantsColour } from './traceFormat.js';

export interface DecodeOptions {
  file: string;
  keylog?: string;
  json: boolean;
}

/** A captured stream in the shape the explainer reads a tap recording in. */
function asTapConnection(recorded: RecordedConnection): TapConnection {
  const chunks = recorded.chunks.map((chunk) => ({ dir: chunk.dir, t: chunk.t, bytes: Buffer.from(chunk.bytes) }));
  const total = (dir: 'c2s' | 's2c') => chunks.filter((c) => c.dir === dir).reduce((sum, c) => sum + c.bytes.length, 0);
  return {
    id: recorded.id,
    service: `${recorded.server.address}:${recorded.server.port}`,
    clientPort: recorded.client.port,
    openedAt: recorded.openedAt,
    openedAtMs: recorded.openedAt / 1000,
    ...(recorded.closedAt !== undefined ? { closedAt: recorded.closedAt, closeReason: recorded.closedBy === 'rst' ? 'reset' : 'end' } : {}),
    chunks,
    bytes: { c2s: total('c2s'), s2c: total('s2c') },
    droppedBytes: 0,
  };
}

/** What a mistyped path meets, in words, with the next step; any other error is quoted by its code. */
function unreadable(code: string, what: string, example: string): string {
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'there is no such file; check the path';
    case 'EISDIR':
      return `it is a directory; give the ${what} file itself, like ${example}`;
    case 'EACCES':
      return 'permission denied; check its permissions';
    default:
      return `${code}; check the path`;
  }
}

async function readInput(file: string, what: string, example: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new CliError(`cannot read the ${what} ${file}: ${unreadable(code, what, example)}`);
  }
}

export async function decodeCommand(options: DecodeOptions): Promise<void> {
  let capture;
  try {
    capture = readCapture(await readInput(options.file, 'capture', 'cap/capture.pcapng'));
  } catch (error) {
    if (error instanceof CaptureError) throw new CliError(`${options.file} is not a pcap or pcapng capture (${error.message}); save it from Wireshark or tcpdump -w`);
    throw error;
  }
  const keylogLines = [...capture.keylog];
  if (options.keylog) keylogLines.push(...(await readInput(options.keylog, 'key log', 'cap/keys.log')).toString('utf8').split('\n'));
  const trace = buildTrace({ sandbox: options.file, connections: capture.connections.map(asTapConnection), keylog: keylogLines, processEvents: [], recordedBy: 'capture' });
  const verdicts = verdictsForSandbox(trace);
  if (options.json) {
    process.stdout.write(JSON.stringify({ file: options.file, warnings: capture.warnings, trace, ...verdicts }) + '\n');
    return;
  }
  const header = `${options.file}: ${capture.connections.length} TCP connections` + (keylogLines.length ? `, ${keylogLines.filter(Boolean).length} key-log lines` : ', no key log (TLS 1.3 handshakes stay encrypted past ServerHello)');
  const text = formatTrace(trace, verdicts, { colour: wantsColour(process.stdout), fullConnections: Number.POSITIVE_INFINITY });
  process.stdout.write([header, ...capture.warnings.map((w) => `warning: ${w}`), '', text].join('\n') + '\n');
}
