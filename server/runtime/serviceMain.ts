/**
 * Entry point of a service process: one lab service, one real TLS stack.
 *
 *   parent (sandbox) ──argv: ServiceConfig──▶ this process ──▶ node https server | openssl s_server
 *   parent ◀──ServiceMessage (listening, tls-error, request, keylog, log)── this process
 *
 * It exits when the parent goes away (IPC disconnect), taking s_server with it.
 */
import { exitWithParent, readConfig, reportFatal, sendAndExit, sendToParent } from './childIpc.js';
import type { ServiceCommand, ServiceConfig, ServiceMessage } from './messages.js';
import { startNodeService } from './nodeService.js';
import { startOpensslService, type RunningOpenssl } from './opensslService.js';
import { ServiceStartError } from './serviceStartError.js';

const send = (message: ServiceMessage): void => sendToParent(message);

const config = readConfig<ServiceConfig>();
let openssl: RunningOpenssl | undefined;
let stopping = false;

exitWithParent(async () => {
  stopping = true;
  await openssl?.stop();
});

process.on('message', (command: ServiceCommand) => {
  // IPC is ordered: everything this process sent before `flushed` reaches the parent first.
  // setImmediate: output that became readable in the same poll (s_server's stderr) is
  // handled before the answer.
  if (command.type === 'flush') setImmediate(() => send({ type: 'flushed', id: command.id }));
});

try {
  if (config.stack === 'openssl') {
    openssl = await startOpensslService(config);
    openssl.process.once('exit', (code, signal) => {
      if (!stopping) reportFatal(new Error(`openssl s_server exited (${signal ?? code})`));
    });
    send({ type: 'listening', port: openssl.port });
  } else {
    const service = await startNodeService(config);
    send({ type: 'listening', port: service.port });
  }
} catch (err) {
  const refused = ServiceStartError.from(err);
  if (refused) sendAndExit({ type: 'start-failed', ...(refused.code ? { code: refused.code } : {}), message: refused.message } satisfies ServiceMessage);
  else reportFatal(err);
}
