/**
 * The child side of the IPC channel, shared by every child entry point. Light on purpose:
 * children start on the cold-start path.
 */

/** Sends to the parent; once the channel is gone there is no one left to tell. */
export function sendToParent(message: object): void {
  if (process.connected) process.send?.(message);
}

/** The config the parent passed as argv[2]. */
export function readConfig<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new TypeError('missing config: a child process is started with its JSON config as argv[2]');
  return JSON.parse(raw) as T;
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
