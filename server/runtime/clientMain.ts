/**
 * Entry point of a client process: one lab client calling one service through the tap.
 *
 *   parent ──argv or, warm, a message: ClientConfig, then { run, requests[, held] }──▶ this process
 *   this process ──requests at `rps`, a steady schedule──▶ tap ⇄ service
 *   held: the first request at once, the rest from { go } (the run's turn on the machine)
 *   parent ◀──{ result } per request, { done }, { keylog }── this process
 *   parent ──{ reconfigure }──▶ a new caller for requests from now on; the old one finishes what it has
 *
 * It exits when the parent goes away (IPC disconnect).
 */
import { createCaller } from './caller.js';
import { exitWithParent, receiveConfig, reportFatal, sendToParent } from './childIpc.js';
import type { ClientCommand, ClientConfig, ClientMessage } from './messages.js';

const send = (message: ClientMessage): void => sendToParent(message);

exitWithParent();
const config = await receiveConfig<ClientConfig>();

try {
  const onKeylog = (line: string): void => send({ type: 'keylog', line });
  let caller = createCaller(config, onKeylog);
  let rps = config.rps;
  /** How to stop each run still sending, by run id. */
  const stops = new Map<number, () => void>();
  /** How to let each held run go on, by run id. */
  const goes = new Map<number, () => void>();
  process.on('message', (command: ClientCommand) => {
    if (command.type === 'run') void run(command.runId, command.requests, command.held === true);
    else if (command.type === 'go') goes.get(command.runId)?.();
    else if (command.type === 'stop') stops.get(command.runId)?.();
    else if (command.type === 'reconfigure') {
      const old = caller;
      rps = command.config.rps;
      caller = createCaller(command.config, onKeylog);
      old.retire();
      send({ type: 'reconfigured', id: command.id });
    }
  });
  send({ type: 'ready' });

  /**
   * Request i is due at start + i/rps: a steady rate, like a real caller's traffic, not a
   * burst. Late ticks catch up by sending every request already due. A stop ends the
   * schedule: nothing more is sent, and what is in flight finishes before `done`. A held run
   * sends its first request, then waits for `go`; the schedule goes on from there, so the
   * wait counts in neither its rate nor its duration.
   */
  async function run(runId: number, requests: number, held: boolean): Promise<void> {
    const intervalMs = 1000 / rps;
    let startedAt = performance.now();
    const pending: Promise<void>[] = [];
    let sentBody = false;
    let next = 0;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((scheduled) => {
      stops.set(runId, () => {
        stopped = true;
        clearTimeout(timer);
        scheduled();
      });
      const tick = (): void => {
        const now = performance.now();
        while (!stopped && next < requests && startedAt + next * intervalMs <= now) {
          const seq = next++;
          const { queueDepth, result } = caller.call();
          pending.push(
            result.then(({ body, ...outcome }) => {
              const first = body !== undefined && !sentBody;
              if (first) sentBody = true;
              send({ type: 'result', runId, seq, queueDepth, ...outcome, ...(first ? { body } : {}) });
            }),
          );
        }
        if (stopped) return;
        if (next >= requests) scheduled();
        else if (held) {
          held = false;
          goes.set(runId, () => {
            goes.delete(runId);
            // Admitted at once: the schedule as it was. Later: it resumes now, the wait left out.
            startedAt = Math.max(startedAt, performance.now() - next * intervalMs);
            tick();
          });
        } else timer = setTimeout(tick, Math.max(0, startedAt + next * intervalMs - performance.now()));
      };
      tick();
    });
    stops.delete(runId);
    goes.delete(runId);
    await Promise.all(pending);
    send({ type: 'done', runId, durationMs: performance.now() - startedAt });
  }
} catch (err) {
  reportFatal(err);
}
