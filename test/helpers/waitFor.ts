/**
 * Polls real state (a port, a folder, a pid) until `check` holds: bounded in time, for
 * effects that have no event to wait on — such as what a reaper does after a SIGKILL.
 */
import { setTimeout as delay } from 'node:timers/promises';

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(25);
  }
}

/** Polls like waitFor until `get` yields a value, and returns it. */
export async function waitForValue<T>(what: string, get: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  let value: T | undefined;
  await waitFor(what, async () => (value = await get()) !== undefined, timeoutMs);
  return value!;
}
