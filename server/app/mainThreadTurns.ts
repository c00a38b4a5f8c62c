/**
 * Background work that shares the main thread with the API and the WebSocket, in turns:
 *
 *   takeTurns(worker) ──▶ queued once ──setImmediate──▶ workers run in order, each until the
 *   turn's deadline (sliceMs from its start) or out of work ──▶ the event loop polls I/O ──▶ next turn
 *
 * A sandbox's trace is rebuilt connection by connection (traceStore.ts); thirty sandboxes
 * whose requests all time out at once (a room's traffic outrunning 2 vCPUs) left that much
 * to build in one tick, and a request to the API waited seconds behind it (a 31st learner's
 * Start: up to 32 s, its event loop held up to 3.7 s). In turns, the API waits one slice at most.
 */

export interface TurnWorker {
  /** Does work until `deadline` (performance.now()); true when some is left for the next turn. */
  work(deadline: number): boolean;
}

const sliceMs = 8;
const queue = new Set<TurnWorker>();
let scheduled = false;

/** Queues `worker` for the next turn (once, however often asked). */
export function takeTurns(worker: TurnWorker): void {
  queue.add(worker);
  if (scheduled) return;
  scheduled = true;
  setImmediate(turn);
}

function turn(): void {
  scheduled = false;
  const deadline = performance.now() + sliceMs;
  // Those queued now; one with work left goes behind the rest, for the next turn.
  for (const worker of [...queue]) {
    if (performance.now() >= deadline) break;
    queue.delete(worker);
    if (worker.work(deadline)) queue.add(worker);
  }
  if (queue.size > 0 && !scheduled) {
    scheduled = true;
    setImmediate(turn);
  }
}
