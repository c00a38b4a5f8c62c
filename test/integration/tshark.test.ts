/**
 * Every lab, as Wireshark sees it: each lab in labs/ runs for real (its faults applied), its
 * tap recording is exported with exportSandboxCapture, and the real `tshark` reads the file
 * with keys.log. Per connection, tshark and our decoder (decodeConnection over the same
 * chunks with the same key log) must list the same handshake messages and alerts, in the
 * same order, each in the direction it was sent:
 *
 *   lab ──startSandbox──▶ client ⇄ tap ⇄ service
 *       tap ──exportSandboxCapture──▶ capture.pcapng + keys.log ──tshark──▶ rows per frame
 *       tap (same snapshot) ─────────────────────────▶ decodeConnection ──▶ messages
 *
 * TLS 1.3 protects everything after ServerHello (RFC 8446 §2), so agreement on
 * EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify and Finished proves
 * both decrypted them with the key log.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFaults } from '../../server/faults/index.js';
import { loadLab } from '../../server/lab/index.js';
import { startSandbox, type Sandbox } from '../../server/runtime/index.js';
import { exportSandboxCapture, sandboxRecording } from '../../server/wire/capture/fromTap.js';
import { keylogLines, keylogText } from '../../server/wire/capture/keylog.js';
import { readCapture } from '../../server/wire/capture/readCapture.js';
import type { RecordedConnection } from '../../server/wire/capture/recording.js';
import { handshakeTypes } from '../../server/wire/codepoints.js';
import { decodeConnection, type DecodedConnection } from '../../server/wire/connectionDecoder.js';
import { KeyLog } from '../../server/wire/keylog.js';
import { projectRoot } from '../helpers/cli.js';
import { runCommand as run, tshark, tsharkInstallHint as installHint } from '../helpers/command.js';

const labsDir = path.join(projectRoot, 'labs');
const labIds = readdirSync(labsDir)
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => file.slice(0, -'.yaml'.length))
  .sort();

/**
 * Labs where no handshake gets past the server's first flight in the clear: no version or
 * cipher in common (alert 70, 40), a TLS client answered in plaintext, a plaintext caller.
 * Both readers still agree on every message; there is just nothing encrypted to compare.
 */
const neverEncrypted = new Set(['no-shared-cipher', 'plaintext-to-strict-port', 'protocol-version-mismatch', 'tls-to-plaintext-port']);

/** Requests per client: enough to show each lab's failure; the pool lab needs load to queue. */
const requestsFor = (lab: string): number => (lab === 'exhausted-pool' ? 20 : 2);


/**
 * Handshake type numbers by our decoder's names (codepoints.ts). A HelloRetryRequest is a
 * ServerHello with a special random (RFC 8446 §4.1.3), so it goes on the wire as type 2, as
 * tshark reports it; 6 was only a draft's codepoint.
 */
const handshakeNumber = new Map<string, number>([...handshakeTypes].map(([code, name]) => [name, code]));
handshakeNumber.set('HelloRetryRequest', 2);

const numberOfType = (name: string): number => {
  const code = handshakeNumber.get(name) ?? Number(/^unknown \(0x([0-9a-f]+)\)$/.exec(name)?.[1] ?? 'NaN');
  if (Number.isNaN(code)) throw new Error(`no handshake type number for our message type "${name}"`);
  return code;
};

/** One connection as a list like `c2s handshake 1`, `s2c alert 45`, in wire order. */
type Events = string[];

function ourEvents(decoded: DecodedConnection): Events {
  return decoded.messages.flatMap((m) => {
    if (m.layer === 'handshake') return [`${m.dir} handshake ${numberOfType(m.type)}`];
    if (m.layer === 'alert') return [`${m.dir} alert ${m.alert?.code ?? 'malformed'}`];
    return [];
  });
}

const list = (field: string | undefined): number[] => (field ?? '').split(',').filter((v) => v !== '').map(Number);

/**
 * tshark's rows (one per frame, fields tab-separated, repeated fields comma-separated) as
 * events per tcp.stream. Within a frame, the record content types give the order of alert
 * records against the handshake records (ChangeCipherSpec and application data records in
 * between do not matter); an alert between two handshake records of one frame would be
 * ambiguous in `-T fields` output (how many messages each record held is not printed), so it
 * fails the test loudly instead of guessing.
 */
function tsharkEvents(output: string, clientPortOf: Map<number, number>): Map<number, Events> {
  const byStream = new Map<number, Events>();
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const [streamField, srcPort, contentTypes, handshakes, alerts] = line.split('\t');
    const stream = Number(streamField);
    const clientPort = clientPortOf.get(stream);
    if (clientPort === undefined) throw new Error(`tshark row for tcp.stream ${stream}, which has no SYN comment: ${line}`);
    const dir = Number(srcPort) === clientPort ? 'c2s' : 's2c';
    const events = byStream.get(stream) ?? [];
    byStream.set(stream, events);
    const types = list(handshakes);
    const descs = list(alerts);
    let handshakesPlaced = false;
    let alertAfterHandshakes = false;
    for (const contentType of list(contentTypes)) {
      if (contentType === 22 && !handshakesPlaced) {
        events.push(...types.map((t) => `${dir} handshake ${t}`));
        handshakesPlaced = true;
      } else if (contentType === 22 && alertAfterHandshakes && types.length > 0) {
        throw new Error(`a frame with an alert between handshake records; their order is ambiguous in -T fields: ${line}`);
      }
      if (contentType === 21) {
        alertAfterHandshakes = handshakesPlaced;
        const desc = descs.shift();
        if (desc !== undefined) events.push(`${dir} alert ${desc}`);
      }
    }
    if (!handshakesPlaced) events.push(...types.map((t) => `${dir} handshake ${t}`));
    events.push(...descs.map((d) => `${dir} alert ${d}`));
  }
  return byStream;
}

/** tcp.stream → our connection id, from the comment writePcapng puts on each SYN. */
async function streamsOf(file: string): Promise<Map<number, number>> {
  const rows = await tshark(['-r', file, '-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'tcp.stream', '-e', 'frame.comment']);
  const ids = new Map<number, number>();
  for (const line of rows.split('\n').filter((l) => l.trim() !== '')) {
    const [stream, comment] = line.split('\t');
    const id = /^mtls-lab connection (\d+)$/.exec(comment ?? '')?.[1];
    if (id === undefined) throw new Error(`SYN of tcp.stream ${stream} carries no connection comment: ${line}`);
    ids.set(Number(stream), Number(id));
  }
  return ids;
}

// RFC 8446 §4: the messages that exist only encrypted in TLS 1.3.
const decryptedOnly = { EncryptedExtensions: 8, CertificateRequest: 13, Certificate: 11, CertificateVerify: 15, Finished: 20 };

interface LabCapture {
  recording: RecordedConnection[];
  keylog: string[];
  files: { pcapng: string; keylog: string };
  requests: number;
}

describe('tshark and our decoder read every lab the same way', () => {
  let outDir = '';
  const sandboxes = new Set<Sandbox>();

  beforeAll(async () => {
    const version = await run('tshark', ['--version']).catch((error: unknown) => {
      throw new Error(`tshark is not installed (${String(error)}); the capture tests need it. ${installHint}`);
    });
    if (version.code !== 0) throw new Error(`tshark --version exited ${version.code}: ${version.stderr}. ${installHint}`);
    outDir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-tshark-'));
  });

  afterAll(async () => {
    await Promise.allSettled([...sandboxes].map((sandbox) => sandbox.stop()));
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  /** Runs the lab's traffic and exports its capture; the sandbox is stopped whatever happens. */
  async function captureLab(lab: string): Promise<LabCapture> {
    const doc = await loadLab(path.join(labsDir, `${lab}.yaml`));
    const sandbox = await startSandbox(applyFaults(doc.spec, doc.spec.faults));
    sandboxes.add(sandbox);
    try {
      const requests = requestsFor(lab);
      await sandbox.runTraffic({ requests });
      // exportSandboxCapture snapshots the tap when called, before its first await: the
      // snapshot taken in the same tick is exactly what the file holds.
      const exported = exportSandboxCapture(sandbox, path.join(outDir, lab));
      const recording = sandboxRecording(sandbox);
      const keylog = [...new Set(keylogLines(sandbox.keylog))];
      return { recording, keylog, files: await exported, requests };
    } finally {
      await sandbox.stop();
      sandboxes.delete(sandbox);
    }
  }

  it.each(labIds)('%s: same handshake messages and alerts, per connection, in order', async (lab) => {
    const { recording, keylog, files } = await captureLab(lab);
    expect(path.basename(files.pcapng)).toBe('capture.pcapng');
    expect(path.basename(files.keylog)).toBe('keys.log');
    expect(await readFile(files.keylog, 'utf8')).toBe(keylogText(keylog));
    expect((await stat(files.keylog)).mode & 0o077).toBe(0);
    // The file carries the same key log in its DSB, so Wireshark needs nothing else.
    expect(readCapture(await readFile(files.pcapng)).keylog).toEqual(keylog);

    const keys = KeyLog.parse(keylog.join('\n'));
    const decoded = new Map(recording.map((conn) => [conn.id, decodeConnection({ chunks: conn.chunks, keylog: keys })]));
    const ours = new Map([...decoded].map(([id, connection]) => [id, ourEvents(connection)]));

    const streams = await streamsOf(files.pcapng);
    expect([...streams.values()].sort((a, b) => a - b)).toEqual(recording.map((conn) => conn.id).sort((a, b) => a - b));
    const clientPortOf = new Map([...streams].map(([stream, id]) => [stream, recording.find((c) => c.id === id)!.client.port]));
    // Ports are ephemeral, and Wireshark registers a few of that range to other protocols
    // (57000 irc, 44818 enip, …: `tshark -G decodes`); a connection on one would be read as
    // that protocol, not TLS. "Decode As" TLS on every port, as one does for a non-standard port.
    const decodeAsTls = [...new Set(recording.flatMap((conn) => [conn.client.port, conn.server.port]))].flatMap((port) => ['-d', `tcp.port==${port},tls`]);
    const rows = await tshark([
      '-r', files.pcapng,
      ...decodeAsTls,
      '-o', `tls.keylog_file:${files.keylog}`,
      '-Y', 'tls.handshake or tls.alert_message',
      '-T', 'fields',
      '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tls.record.content_type', '-e', 'tls.handshake.type', '-e', 'tls.alert_message.desc',
    ]);
    const theirs = tsharkEvents(rows, clientPortOf);

    // Per connection, keyed by our id: a connection with no TLS at all (plaintext) is empty on both sides.
    const theirsById = Object.fromEntries([...streams].map(([stream, id]) => [id, theirs.get(stream) ?? []]));
    const oursById = Object.fromEntries([...ours]);
    expect(theirsById).toEqual(oursById);

    const tlsConnections = [...ours.values()].filter((events) => events.length > 0);
    // The plaintext caller's lab puts no TLS on the wire at all; every other lab some.
    expect(tlsConnections.length > 0).toBe(lab !== 'plaintext-to-strict-port');
    const seen = new Set(tlsConnections.flat());
    for (const [name, code] of Object.entries(decryptedOnly)) {
      if (neverEncrypted.has(lab)) expect(seen.has(`s2c handshake ${code}`), `${lab} is listed as never encrypted, yet shows the server's ${name}`).toBe(false);
      else expect(seen.has(`s2c handshake ${code}`), `no connection of ${lab} shows the server's ${name}`).toBe(true);
    }
    const protectedMessages = [...decoded.values()].flatMap((c) => c.messages).filter((m) => m.layer === 'handshake' && m.type in decryptedOnly);
    expect(protectedMessages.every((m) => m.encrypted)).toBe(true);
  }, 90_000);
});
