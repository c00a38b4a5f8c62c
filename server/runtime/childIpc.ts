/**
 * The child side of the IPC channel, shared by every child entry point. Light on purpose:
 * children start on the cold-start path.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Sends to the parent; once the channel is gone there is no one left to tell. */
export function sendToParent(message: object): void {
  if (process.connected) process.send?.(message);
}

/** What the parent sends a warm child (warmPool.ts): the config it would have had as argv[2], and the sandbox dir to work in. */
export interface ConfigCommand<T> {
  type: 'config';
  config: T;
  cwd: string;
}

/** Where the pool puts the warm-up's certificate and key (warmUp.ts) for its processes. */
export const warmUpEnv = 'MTLS_LAB_WARM_UP';
const warmUpLimitMs = 5000;

/**
 * The config: argv[2] when the parent spawned this process for one sandbox, else (a warm
 * process, started ahead of need) the first `config` message, after which the process moves
 * into the sandbox dir as if spawned there. A warm process says `warm` once its modules are
 * loaded and its TLS code rehearsed (warmUp.ts). The parent sends nothing else before this
 * process's first message of its own (`listening`, `ready`), so no command can slip past
 * before its handler is in place.
 */
export async function receiveConfig<T>(): Promise<T> {
  const raw = process.argv[2];
  if (raw !== undefined) return JSON.parse(raw) as T;
  const material = process.env[warmUpEnv];
  // Not the sandbox's: neither its processes nor the tools they start inherit it.
  delete process.env[warmUpEnv];
  // A rehearsal that fails or stalls only leaves the process as cold as one spawned for its sandbox.
  if (material !== undefined) {
    const { warmUp } = await import('./warmUp.js');
    await Promise.race([warmUp(JSON.parse(material)).catch(() => {}), delay(warmUpLimitMs, undefined, { ref: false })]);
  }
  return new Promise((resolve) => {
    const onMessage = (message: ConfigCommand<T>): void => {
      if (message.type !== 'config') return;
      process.off('message', onMessage);
      process.chdir(message.cwd);
      resolve(message.config);
    };
    process.on('message', onMessage);
    sendToParent({ type: 'warm' });
  });
}

/**
 * Runs `cleanup` and exits when the parent goes away: a closed IPC channel is the one signal
 * that arrives whether the parent stopped us, exited, or was SIGKILLed.
 */
export function exitWithParent(cleanup: () => void | Promise<void> = () => {}): void {
  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    Promise.resolve()
      .then(cleanup)
      .catch(() => {})
      .finally(() => process.exit(code));
  };
  process.on('disconnect', () => exit(0));
  if (!process.connected) exit(0);
  // Ctrl-C in a terminal reaches the whole process group; leave the same way.
  process.on('SIGINT', () => exit(130));
  process.on('SIGTERM', () => exit(143));
}

/** Reports a crash to the parent before dying, so the sandbox can say why a service is gone. */
export function reportFatal(err: unknown): void {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(message + '\n');
  sendAndExit({ type: 'fatal', message });
}

/** Sends a last message, then exits 1 — only once it is on its way: process.exit would drop a queued send. */
export function sendAndExit(message: object): void {
  if (process.connected && process.send) process.send(message, () => process.exit(1));
  else process.exit(1);
}
