/**
 * Entry point of a service process: one lab service, one real TLS stack.
 *
 *   parent (sandbox) ──argv: ServiceConfig──▶ this process ──▶ node https server | openssl s_server
 *   parent ◀──ServiceMessage (listening, tls-error, request, keylog, log)── this process
 *   parent ──reconfigure──▶ node: a new secure context, live · openssl: s_server restarted with its new arguments
 *
 * It exits when the parent goes away (IPC disconnect), taking s_server with it.
 */
import { exitWithParent, receiveConfig, reportFatal, sendAndExit, sendToParent } from './childIpc.js';
import type { ServiceCommand, ServiceConfig, ServiceMessage } from './messages.js';
import { startNodeService, type RunningService } from './nodeService.js';
import { startOpensslService, type RunningOpenssl } from './opensslService.js';
import { ServiceStartError } from './serviceStartError.js';

const send = (message: ServiceMessage): void => sendToParent(message);

let openssl: RunningOpenssl | undefined;
let node: RunningService | undefined;
let stopping = false;

exitWithParent(async () => {
  stopping = true;
  await openssl?.stop();
});
const config = await receiveConfig<ServiceConfig>();

/** s_server takes its certificate, trust and policy only as arguments: a new config is a new s_server. */
async function startOpenssl(config: ServiceConfig): Promise<number> {
  const started = await startOpensslService(config);
  openssl = started;
  started.process.once('exit', (code, signal) => {
    if (!stopping && openssl === started) reportFatal(new Error(`openssl s_server exited (${signal ?? code})`));
  });
  return started.port;
}

async function reconfigure(id: number, config: ServiceConfig): Promise<void> {
  try {
    let port: number;
    if (node) {
      node.reconfigure(config);
      port = node.port;
    } else {
      const old = openssl;
      openssl = undefined;
      await old?.stop();
      port = await startOpenssl(config);
    }
    send({ type: 'reconfigured', id, port });
  } catch (err) {
    failed(err);
  }
}

/** A configuration its TLS stack refuses (a key that does not match) is the lab's failure, said in the stack's words; anything else is ours. */
function failed(err: unknown): void {
  const refused = ServiceStartError.from(err);
  if (refused) sendAndExit({ type: 'start-failed', ...(refused.code ? { code: refused.code } : {}), message: refused.message });
  else reportFatal(err);
}

process.on('message', (command: ServiceCommand) => {
  // IPC is ordered: everything this process sent before `flushed` reaches the parent first.
  // setImmediate: output that became readable in the same poll (s_server's stderr) is
  // handled before the answer.
  if (command.type === 'flush') setImmediate(() => send({ type: 'flushed', id: command.id }));
  else if (command.type === 'reconfigure') void reconfigure(command.id, command.config);
});

try {
  if (config.stack === 'openssl') {
    send({ type: 'listening', port: await startOpenssl(config) });
  } else {
    node = await startNodeService(config);
    send({ type: 'listening', port: node.port });
  }
} catch (err) {
  failed(err);
}
