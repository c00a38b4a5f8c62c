/**
 * A service on OpenSSL's own server (`stack: openssl`): the real `openssl s_server`,
 * supervised by this service process so it dies with it.
 *
 *   tap ──▶ openssl s_server -www (internal port)
 *              ├─ stdout: `ACCEPT <addr>:<port>` ──▶ listening
 *              ├─ stderr: verify errors ──▶ log + tls-error
 *              └─ -keylogfile ──tail──▶ keylog
 *
 * Unlike Node, s_server answers a bad client certificate with the alert that names it
 * (certificate_expired 45, unknown_ca 48 …), and its -www page shows the client certificate
 * or "no client certificate available". It serves one connection at a time and closes each
 * after one response (HTTP/1.0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { sendToParent } from './childIpc.js';
import { followKeylogFile } from './keylogFile.js';
import type { ServiceConfig, ServiceMessage } from './messages.js';
import { parseOpensslLine } from './opensslErrors.js';
import { ServiceStartError } from './serviceStartError.js';
import { opensslTlsPolicy } from './tlsPolicy.js';

const send = (message: ServiceMessage): void => sendToParent(message);

export interface RunningOpenssl {
  port: number;
  process: ChildProcess;
  /** Kills s_server and resolves once it has exited (and been reaped). */
  stop(): Promise<void>;
}

/**
 * Verify depth: how many intermediates may sit between the leaf and the trust anchor
 * (openssl-verification-options(1): neither end counts). -Verify/-verify take it as their
 * argument; a lab's chains are short, the limit just must not be what fails.
 */
const verifyDepth = '9';

export function opensslArgs(config: ServiceConfig): string[] {
  if (config.mode !== 'strict') {
    throw new TypeError(`service "${config.name}": stack openssl serves TLS only (mode strict), not mode ${config.mode}`);
  }
  const args = ['s_server', '-accept', `${config.address}:0`, '-cert', config.certPath, '-key', config.keyPath];
  if (config.intermediatesPath) args.push('-cert_chain', config.intermediatesPath);
  if (config.trustPath) args.push('-CAfile', config.trustPath);
  if (config.crlsInTrust) args.push('-crl_check');
  // A verifier whose clock is off: every validity check (certificates, CRLs) is made at this
  // instant instead of now (openssl-verification-options(1) -attime). It stays fixed while
  // the process runs, where a skewed clock would tick on: the same for a lab shorter than the skew.
  if (config.verifyAtSeconds !== undefined) args.push('-attime', String(config.verifyAtSeconds));
  // -Verify: a client certificate is required (missing → certificate_required); -verify:
  // asked for, optional. -verify_return_error: a failed verification aborts the handshake
  // with its alert instead of carrying on.
  if (config.clientAuth === 'require') args.push('-Verify', verifyDepth, '-verify_return_error');
  if (config.clientAuth === 'optional') args.push('-verify', verifyDepth, '-verify_return_error');
  args.push(...opensslTlsPolicy(config.tls));
  if (config.certRequestSigalgs) args.push('-client_sigalgs', config.certRequestSigalgs);
  args.push('-www', '-keylogfile', config.keylogPath);
  return args;
}

export async function startOpensslService(config: ServiceConfig): Promise<RunningOpenssl> {
  const args = opensslArgs(config);
  // Key material: created 0600 before s_server appends to it.
  const keylog = await followKeylogFile(config.keylogPath, (line) => send({ type: 'keylog', line }));

  const child = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) send({ type: 'spawned', pid: child.pid, command: `openssl ${args.join(' ')}` });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // Until it listens, what s_server prints is why it could not start; after, its verify errors.
  let listening = false;
  const beforeListening: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    send({ type: 'log', stream: 'stderr', line });
    if (!listening) return void beforeListening.push(line);
    const error = parseOpensslLine(line);
    if (error) send({ type: 'tls-error', ...error });
  });
  const stderrDone = once(child.stderr!, 'close');

  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 1) return reject(new Error(`openssl s_server exited (${signal ?? code}) before listening: openssl ${args.join(' ')}`));
      // Exit 1 before ACCEPT: s_server refused its own configuration, and its stderr says why.
      void stderrDone.then(() => reject(new ServiceStartError(beforeListening.join('\n'))));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const accept = /^ACCEPT .*:(\d+)$/.exec(line);
      if (accept) {
        listening = true;
        resolve(Number(accept[1]));
      } else send({ type: 'log', stream: 'stdout', line });
    });
  });

  return {
    port,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      // After its exit: every secret s_server logged goes on.
      await keylog.close();
    },
  };
}
