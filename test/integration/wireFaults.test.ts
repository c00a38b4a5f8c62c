/**
 * Each wire fault on a running sandbox, met by the real `openssl s_client` and `curl`
 * through the tap: the words each prints, and the trace marking what the tap changed.
 *
 *   s_client / curl ⇄ tap ⇄ [wire faults of edge auth] ⇄ auth (Node https, mTLS)
 *
 * A fault that hangs the handshake is left to the peer's own limit (`timeout` around
 * s_client, curl's --max-time); nothing here measures time.
 */
import { once } from 'node:events';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { buildTrace, verdictsForSandbox, type TraceEvent } from '../../server/explain/index.js';
import { fieldValue } from '../../server/explain/traceEvent.js';
import { startSandbox, type Sandbox, type TapConnection, type WireFaultInput } from '../../server/runtime/index.js';
import { connectionRandom } from '../../server/runtime/wireFaults/link.js';
import { runPeer, type PeerResult } from '../helpers/peers.js';
import { waitFor } from '../helpers/waitFor.js';
import { labSpec } from './runtimeHelpers.js';

/** A chain of root → issuing → leaf on both sides: the server's Certificate record is near 1 KB. */
const lab = labSpec({
  id: 'wire-faults',
  pki: {
    'corp-root': { ca: true, validity: { notAfter: '+10y' } },
    'corp-issuing': { issuer: 'corp-root', ca: true, pathLen: 0 },
    'auth-server': { issuer: 'corp-issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'payments-client': { issuer: 'corp-issuing', san: ['uri:spiffe://corp.test/ns/pay/sa/payments'], eku: ['clientAuth'] },
  },
  services: { auth: { host: 'auth.corp.test', cert: 'auth-server', clientAuth: 'require', trust: ['corp-root'] } },
  clients: { payments: { calls: 'auth', cert: 'payments-client', trust: ['corp-root'], rps: 1 } },
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox(lab);
});
afterAll(() => sandbox?.stop());

/** s_client with the client's chain and the sandbox's key log, given `seconds` (stdbuf: what it printed survives the timeout's kill). */
function sClient(seconds: number, extra: string[] = []): Promise<PeerResult> {
  const { services, clients, sslKeylogFile } = sandbox.describe();
  const service = services.auth!;
  const client = clients.payments!;
  const args = ['-connect', `${service.address}:${service.port}`, '-servername', service.host, '-ign_eof', '-CAfile', client.trust!, '-cert', client.cert!, '-key', client.key!, '-cert_chain', client.chain!, '-keylogfile', sslKeylogFile];
  return runPeer('timeout', [String(seconds), 'stdbuf', '-o0', 'openssl', 's_client', ...args, ...extra], `GET / HTTP/1.0\r\nHost: ${service.host}\r\n\r\n`);
}

function curl(seconds: number, extra: string[] = []): Promise<PeerResult> {
  const { services, clients, sslKeylogFile } = sandbox.describe();
  const service = services.auth!;
  const client = clients.payments!;
  const args = ['-sS', '--max-time', String(seconds), '--resolve', service.resolve, `https://${service.host}:${service.port}/`, '--cacert', client.trust!, '--cert', client.cert!, '--key', client.key!];
  return runPeer('curl', [...args, ...extra], '', { ...process.env, SSLKEYLOGFILE: sslKeylogFile });
}

interface Outcome {
  sClient: PeerResult;
  curl: PeerResult;
  /** The trace of the connections the two made. */
  trace: TraceEvent[];
}

function closed(conn: TapConnection): Promise<void> {
  if (conn.closedAt !== undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const onClose = (other: TapConnection): void => {
      if (other !== conn) return;
      sandbox.tap.off('close', onClose);
      resolve();
    };
    sandbox.tap.on('close', onClose);
  });
}

/**
 * Sets `faults` live, runs both peers, and traces their connections — once the tap saw them
 * close, unless `waitForClose` is false (a fault that holds the server's bytes holds its FIN too).
 */
async function meet(faults: WireFaultInput[], seconds = 3, waitForClose = true, tls12 = false): Promise<Outcome> {
  await sandbox.setWireFaults(faults);
  const before = sandbox.tap.connections.length;
  const [s, c] = await Promise.all([sClient(seconds, tls12 ? ['-tls1_2'] : []), curl(seconds, tls12 ? ['--tls-max', '1.2'] : [])]);
  const connections = sandbox.tap.connections.slice(before);
  if (waitForClose) await Promise.all(connections.map(closed));
  const traceOf = (): TraceEvent[] => buildTrace({ sandbox: sandbox.id, connections, keylog: sandbox.keylog, processEvents: [] });
  // The peers' key-log lines reach the sandbox through a file it follows, which may trail the
  // connection's close: wait for the secrets of every connection that got a ServerHello (the
  // client logs them from then on) before reading the decrypted trace.
  await waitFor('the key log of every connection', () => {
    const trace = traceOf();
    const answered = new Set(trace.filter((e) => e.type === 'ServerHello').map((e) => e.conn));
    const randoms = trace.filter((e) => e.type === 'ClientHello' && answered.has(e.conn)).map((e) => fieldValue(e.fields, 'random'));
    return randoms.every((random) => random !== undefined && sandbox.keylog.some((line) => line.includes(random)));
  });
  return { sClient: s, curl: c, trace: traceOf() };
}

const wireFaultEvents = (trace: TraceEvent[], did: string): TraceEvent[] => trace.filter((e) => e.type === 'wire-fault' && e.fields?.some((f) => f.name === 'did' && f.value === did));
const inFlight = (trace: TraceEvent[]): TraceEvent[] => trace.filter((e) => e.fields?.some((f) => f.name === 'in_flight'));
/** Each connection's verdict names the wire fault, not what the ends said after it (a bad_record_mac is no certificate problem). */
function expectWireVerdicts(trace: TraceEvent[], fault: string): void {
  const { verdicts } = verdictsForSandbox(trace);
  expect(verdicts.length).toBe(new Set(trace.map((e) => e.conn)).size);
  for (const verdict of verdicts) expect(verdict, verdict.summary).toMatchObject({ rootCause: 'wire-fault', evidence: { message: 'wire-fault', field: 'fault', value: fault } });
}
const ok = /hello from auth; you are CN=payments-client/;
const openssl = String.raw`OpenSSL/[\d.]+`;

describe('wire faults on a running sandbox, met by openssl s_client and curl', () => {
  it('no fault, and a fault with toxicity 0: both peers get their answer, the trace shows no wire fault', async () => {
    for (const faults of [[], [{ kind: 'corrupt-handshake', edge: 'auth', toxicity: 0 }]]) {
      const { sClient: s, curl: c, trace } = await meet(faults);
      expect(s.output).toMatch(ok);
      expect(c.output).toMatch(ok);
      expect(trace.some((e) => e.type === 'wire-fault')).toBe(false);
      expect(verdictsForSandbox(trace).verdicts).toEqual([]);
    }
  });

  it('toxicity and seed: the same seed hits the same connections, in order, each time the faults are set', async () => {
    const fault = { kind: 'corrupt-handshake', edge: 'auth', toxicity: 0.5, seed: 7 } satisfies WireFaultInput;
    const expected = Array.from({ length: 8 }, (_, n) => connectionRandom(7, n)() < 0.5);
    expect(expected).toContain(true);
    expect(expected).toContain(false);
    for (let round = 0; round < 2; round++) {
      await sandbox.setWireFaults([fault]);
      const hit: boolean[] = [];
      for (let n = 0; n < expected.length; n++) {
        const before = sandbox.tap.connections.length;
        const c = await curl(5);
        const [conn] = sandbox.tap.connections.slice(before);
        await closed(conn!);
        const changed = (conn!.marks ?? []).some((m) => m.kind === 'changed');
        // A connection the draw hit fails as the fault says; one it spared is answered.
        expect(c.output).toMatch(changed ? /decryption failed or bad record mac/ : ok);
        hit.push(changed);
      }
      expect(hit).toEqual(expected);
    }
  });

  it('setting them restarts nothing: every process keeps its pid', async () => {
    const pids = sandbox.describe().pids;
    await sandbox.setWireFaults([{ kind: 'latency', edge: 'auth', params: { latencyMs: 1 } }]);
    await sandbox.setWireFaults([]);
    expect(sandbox.describe().pids).toEqual(pids);
  });

  it('latency: a little passes; more than the peer waits for, and it gives up', async () => {
    const small = await meet([{ kind: 'latency', edge: 'auth', params: { latencyMs: 20, jitterMs: 10 } }]);
    expect(small.sClient.output).toMatch(ok);
    expect(small.curl.output).toMatch(ok);
    const large = await meet([{ kind: 'latency', edge: 'auth', params: { latencyMs: 60_000 } }], 2, false);
    expect(large.curl.output).toMatch(/curl: \(28\) Connection timed out after \d+ milliseconds/);
    expect(large.sClient.code).toBe(124);
    expect(large.sClient.output).toContain('CONNECTED(');
    expect(large.sClient.output).not.toContain('Verify return code');
  });

  it('bandwidth, slicer and slow-close change no byte: both peers get their answer, and the trace decodes the sliced records', async () => {
    for (const fault of [
      { kind: 'bandwidth', edge: 'auth', params: { rateKBps: 256 } },
      { kind: 'slicer', edge: 'auth', params: { averageSize: 20, sizeVariation: 10, delayUs: 50 } },
      { kind: 'slicer', edge: 'auth', direction: 'upstream', params: { averageSize: 7, sizeVariation: 3, delayUs: 0 } },
      { kind: 'slow-close', edge: 'auth', params: { delayMs: 50 } },
    ] satisfies WireFaultInput[]) {
      const { sClient: s, curl: c, trace } = await meet([fault]);
      expect(s.output, fault.kind).toMatch(ok);
      expect(c.output, fault.kind).toMatch(ok);
      expect(trace.filter((e) => e.type === 'ServerHello')).toHaveLength(2);
      expect(trace.filter((e) => e.type === 'Certificate' && e.dir === 'c2s')).toHaveLength(2);
      expect(trace.some((e) => e.type === 'wire-fault')).toBe(false);
    }
  });

  it('reset-peer: connection reset by peer, on both sides, the reset the tap\'s', async () => {
    const { sClient: s, curl: c, trace } = await meet([{ kind: 'reset-peer', edge: 'auth', params: { timeoutMs: 0 } }]);
    expect(s.output).toMatch(/(write|read):errno=104/);
    // A reset at once may reach curl before it has seen its connect complete: then it says it could not connect (7).
    expect(c.output).toMatch(/curl: \(35\) (Send|Recv) failure: Connection reset by peer|curl: \(7\) Failed to connect to .*: Couldn't connect to server/);
    expect(wireFaultEvents(trace, 'reset')).toHaveLength(2);
    expect(trace.filter((e) => e.type === 'tcp-close').map((e) => e.fields?.[0]?.value)).toEqual(['reset', 'reset']);
  });

  it('timeout: a blackhole that closes after a while — unexpected eof, SSL_ERROR_SYSCALL; with no limit, the peers give up', async () => {
    const closing = await meet([{ kind: 'timeout', edge: 'auth', params: { timeoutMs: 200 } }]);
    expect(closing.sClient.output).toMatch(/error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading/);
    expect(closing.curl.output).toMatch(/curl: \(35\) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to auth\.corp\.test:\d+/);
    // Every chunk the blackhole swallowed, one mark per connection.
    expect(wireFaultEvents(closing.trace, 'dropped')).toHaveLength(2);
    expect(wireFaultEvents(closing.trace, 'closed')).toHaveLength(2);

    const hanging = await meet([{ kind: 'timeout', edge: 'auth', direction: 'upstream' }], 2);
    expect(hanging.curl.output).toMatch(/curl: \(28\) Connection timed out after \d+ milliseconds/);
    expect(hanging.sClient.code).toBe(124);
    // The ClientHello went in and nothing came back.
    expect(hanging.trace.filter((e) => e.type === 'ServerHello')).toEqual([]);
    expect(wireFaultEvents(hanging.trace, 'dropped').length).toBeGreaterThanOrEqual(2);
  });

  it('mtu-blackhole: the server\'s Certificate record vanishes and the handshake hangs; the small records of the client pass', async () => {
    const hung = await meet([{ kind: 'mtu-blackhole', edge: 'auth', params: { maxRecordBytes: 600 } }], 2);
    expect(hung.curl.output).toMatch(/curl: \(28\) Connection timed out after \d+ milliseconds/);
    expect(hung.sClient.code).toBe(124);
    expect(hung.sClient.output).toContain('CONNECTED(');
    expect(hung.sClient.output).not.toContain('Verify return code');
    const vanished = wireFaultEvents(hung.trace, 'dropped').filter((e) => /above 600, vanished/.test(e.note));
    expect(vanished).toHaveLength(2);
    for (const event of vanished) expect(Number(event.fields?.find((f) => f.name === 'length')?.value)).toBeGreaterThan(600);
    // ServerHello (small) got through; the client never saw the server's Finished, so it never sent its Certificate.
    expect(hung.trace.filter((e) => e.type === 'ServerHello')).toHaveLength(2);
    expect(hung.trace.filter((e) => e.type === 'Certificate' && e.dir === 'c2s')).toEqual([]);

    const passes = await meet([{ kind: 'mtu-blackhole', edge: 'auth', direction: 'upstream', params: { maxRecordBytes: 1200 } }]);
    expect(passes.sClient.output).toMatch(ok);
    expect(passes.curl.output).toMatch(ok);
  });

  it('corrupt-handshake, downstream: a ciphertext byte of the server\'s flight changed — the client cannot decrypt it and says bad record mac (20)', async () => {
    const { sClient: s, curl: c, trace } = await meet([{ kind: 'corrupt-handshake', edge: 'auth' }]);
    expect(s.output).toMatch(/error:0A000119:SSL routines:ssl3_get_record:decryption failed or bad record mac/);
    expect(c.output).toMatch(new RegExp(String.raw`curl: \(35\) ${openssl}: error:0A000119:SSL routines::decryption failed or bad record mac`));
    expect(wireFaultEvents(trace, 'changed')).toHaveLength(2);
    const changed = inFlight(trace);
    expect(changed.length).toBeGreaterThanOrEqual(2);
    for (const event of changed) {
      expect(event.dir).toBe('s2c');
      expect(event.note).toMatch(/^Changed in flight by the tap \(wire fault corrupt-handshake\)/);
    }
    // Each client's answer, decrypted with its logged handshake secret: alert bad_record_mac (20).
    expect(trace.filter((e) => e.dir === 'c2s' && e.type === 'alert bad_record_mac (20)')).toHaveLength(2);
    expectWireVerdicts(trace, 'corrupt-handshake');
  });

  it('corrupt-handshake, TLS 1.2: the server\'s Finished, the first record after its ChangeCipherSpec, fails its MAC — bad record mac, and curl names the cipher', async () => {
    const { sClient: s, curl: c, trace } = await meet([{ kind: 'corrupt-handshake', edge: 'auth' }], 3, true, true);
    expect(s.output).toMatch(/error:0A000119:SSL routines:ssl3_get_record:decryption failed or bad record mac/);
    // In TLS 1.2 the GCM provider's error is first in OpenSSL's queue: curl prints only that one, s_client the whole queue.
    expect(s.output).toMatch(/error:1C800066:Provider routines:ossl_gcm_stream_update:cipher operation failed/);
    expect(c.output).toMatch(new RegExp(String.raw`curl: \(35\) ${openssl}: error:1C800066:Provider routines::cipher operation failed`));
    const hellos = trace.filter((e) => e.type === 'ServerHello');
    expect(hellos).toHaveLength(2);
    for (const hello of hellos) expect(hello.note).toMatch(/answers: TLS 1\.2,/);
    expect(wireFaultEvents(trace, 'changed')).toHaveLength(2);
  });

  it('corrupt-handshake, upstream: a byte of the client\'s Certificate flight changed — the server answers alert bad record mac (20)', async () => {
    const { sClient: s, curl: c, trace } = await meet([{ kind: 'corrupt-handshake', edge: 'auth', direction: 'upstream' }]);
    expect(s.output).toMatch(/error:0A0003FC:SSL routines:ssl3_read_bytes:sslv3 alert bad record mac:.*SSL alert number 20/);
    // The server closes with the client's last records unread, so a reset follows its alert. curl's
    // words depend on where the reset finds it: reading (the alert, 56), or between its handshake
    // and its request, asking the socket for its peer (55) — the alert on the wire either way.
    expect(c.output).toMatch(
      new RegExp(String.raw`curl: \(56\) OpenSSL SSL_read: ${openssl}: error:0A0003FC:SSL routines::sslv3 alert bad record mac, errno 0|curl: \(55\) getpeername\(\) failed with errno 107: Transport endpoint is not connected`),
    );
    expect(wireFaultEvents(trace, 'changed').map((e) => e.dir)).toEqual(['c2s', 'c2s']);
    expect(inFlight(trace).every((e) => e.dir === 'c2s')).toBe(true);
    expect(trace.filter((e) => e.dir === 's2c' && e.type === 'alert bad_record_mac (20)')).toHaveLength(2);
    expectWireVerdicts(trace, 'corrupt-handshake');
  });

  it('inject-alert: a fatal alert the server never sent — handshake failure (40), marked made up in flight', async () => {
    const { sClient: s, curl: c, trace } = await meet([{ kind: 'inject-alert', edge: 'auth', params: { alert: 40 } }]);
    expect(s.output).toMatch(/error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:.*SSL alert number 40/);
    expect(c.output).toMatch(new RegExp(String.raw`curl: \(35\) ${openssl}: error:0A000410:SSL routines::sslv3 alert handshake failure`));
    const alerts = trace.filter((e) => e.type === 'alert handshake_failure (40)');
    expect(alerts).toHaveLength(2);
    for (const alert of alerts) expect(alert.note).toMatch(/^Made up in flight by the tap \(wire fault inject-alert\)/);
    expect(trace.filter((e) => e.type === 'ServerHello')).toEqual([]);
    expectWireVerdicts(trace, 'inject-alert');
  });

  it('reset-after-finished: connected, then reset — the client\'s Finished passes and both legs are reset', async () => {
    const { sClient: s, curl: c, trace } = await meet([{ kind: 'reset-after-finished', edge: 'auth', direction: 'upstream' }]);
    expect(s.output).toContain('Verify return code: 0 (ok)');
    expect(s.output).toMatch(/(read|write):errno=104/);
    // curl's words depend on where the RST finds it: reading the answer (56), or still sending the request (55).
    expect(c.output).toMatch(/curl: \(56\) Recv failure: Connection reset by peer|curl: \(55\) getpeername\(\) failed with errno 107: Transport endpoint is not connected/);
    expect(wireFaultEvents(trace, 'reset')).toHaveLength(2);
    // The client's Finished is in the trace (decrypted with its key log), the reset after it.
    for (const conn of new Set(trace.map((e) => e.conn))) {
      const events = trace.filter((e) => e.conn === conn);
      const finished = events.findIndex((e) => e.type === 'Finished' && e.dir === 'c2s');
      expect(finished).toBeGreaterThanOrEqual(0);
      expect(events.findIndex((e) => e.type === 'wire-fault')).toBeGreaterThan(finished);
    }
    expectWireVerdicts(trace, 'reset-after-finished');
  });

  it('plaintext-answer: a middlebox answers in plain HTTP on the TLS port — wrong version number', async () => {
    const { sClient: s, curl: c, trace } = await meet([{ kind: 'plaintext-answer', edge: 'auth' }]);
    expect(s.output).toMatch(/error:0A00010B:SSL routines:ssl3_get_record:wrong version number/);
    expect(c.output).toMatch(new RegExp(String.raw`curl: \(35\) ${openssl}: error:0A00010B:SSL routines::wrong version number`));
    const made = inFlight(trace);
    expect(made.length).toBeGreaterThanOrEqual(2);
    for (const event of made) {
      expect(event).toMatchObject({ dir: 's2c', layer: 'plaintext' });
      expect(event.note).toMatch(/^Made up in flight by the tap \(wire fault plaintext-answer\)/);
    }
    expectWireVerdicts(trace, 'plaintext-answer');
  });
});
