/**
 * From injecting a fault into a running sandbox to the first handshake that shows it, for a
 * certificate fault (re-issued and hot-swapped into the running service) and a wire fault (set
 * in the tap's thread), and back again on clearing each:
 *
 *   t0 ──Sandbox.reconfigure(expired auth-server) | setWireFaults(reset-peer)──▶ Node tls.connect, again and again ──▶ first failure: t1
 *
 * Each attempt is a new connection and a full handshake through the tap, as a caller would make.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { applyFaults } from '../server/faults/index.js';
import { loadLab } from '../server/lab/index.js';
import { startSandbox, type Sandbox } from '../server/runtime/index.js';
import { formatMs, median } from './stats.js';

/** One full handshake as payments → auth: undefined when it is accepted, else the error code it met. */
function handshake(sandbox: Sandbox): Promise<string | undefined> {
  const { services, clients } = sandbox.describe();
  const auth = services.auth!;
  const payments = clients.payments!;
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: auth.address,
      port: auth.port,
      servername: auth.host,
      ca: readFileSync(payments.trust!),
      cert: readFileSync(payments.cert!),
      key: readFileSync(payments.key!),
    });
    // TLS 1.3: the server judges the client's certificate after the client's Finished; a
    // refusal is read on the first byte after it, so read one answer before calling it good.
    socket.once('secureConnect', () => socket.write(`GET / HTTP/1.1\r\nHost: ${auth.host}\r\nConnection: close\r\n\r\n`));
    socket.once('data', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.once('close', () => resolve('closed without an answer'));
  });
}

/** Milliseconds from `change` starting until a handshake's outcome is what `shows` wants. */
async function timeUntil(sandbox: Sandbox, change: () => Promise<unknown>, shows: (outcome: string | undefined) => boolean): Promise<number> {
  const started = performance.now();
  await change();
  let outcome: string | undefined;
  do outcome = await handshake(sandbox);
  while (!shows(outcome));
  return performance.now() - started;
}

export async function benchLiveFault(labsDir: string, runs: number): Promise<string[]> {
  const doc = await loadLab(path.join(labsDir, 'baseline.yaml'));
  const spec = applyFaults(doc.spec, doc.spec.faults);
  const expired = applyFaults(spec, [{ kind: 'expired-cert', target: 'auth-server', params: {} }]);
  const sandbox = await startSandbox(spec);
  const failing = (outcome: string | undefined): boolean => outcome !== undefined;
  const healthy = (outcome: string | undefined): boolean => outcome === undefined;
  const timings = { certInject: [] as number[], certClear: [] as number[], wireInject: [] as number[], wireClear: [] as number[] };
  try {
    for (let i = 0; i < runs; i++) {
      timings.certInject.push(await timeUntil(sandbox, () => sandbox.reconfigure(expired), failing));
      timings.certClear.push(await timeUntil(sandbox, () => sandbox.reconfigure(spec), healthy));
      timings.wireInject.push(await timeUntil(sandbox, () => sandbox.setWireFaults([{ kind: 'reset-peer', edge: 'auth' }]), failing));
      timings.wireClear.push(await timeUntil(sandbox, () => sandbox.setWireFaults([]), healthy));
    }
  } finally {
    await sandbox.stop();
  }
  return [
    `live fault → first handshake showing it (baseline, payments → auth, median of ${runs}): certificate fault (expired-cert, re-issued and hot-swapped) ${formatMs(median(timings.certInject))}, cleared ${formatMs(median(timings.certClear))} (target ≤ 100 ms)`,
    `  wire fault (reset-peer in the tap) ${formatMs(median(timings.wireInject))}, cleared ${formatMs(median(timings.wireClear))} (target ≤ 100 ms)`,
  ];
}
