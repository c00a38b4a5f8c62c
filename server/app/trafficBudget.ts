/**
 * This machine's budget for lab traffic, in requests per second summed over the runs under way:
 *
 *   admit(costRps) ──fits beside the runs under way──▶ a turn (release it when the run ends)
 *                  ──does not──▶ waits in line, first come first served, told how many are ahead
 *
 * Every request crosses three processes — its client, the tap in this server, its service —
 * for about 5 ms of CPU at a lab's rate, more while their code is cold. A room of thirty
 * pressing Send at once asks 2 vCPUs for 300 a second: the first requests outrun their pools'
 * timeouts, each timeout costs a fresh handshake, and the runs collapse together (208 of
 * 18 000 answered over three rounds of bench/room.ts, before this line). In line, each run
 * still goes at its own lab's rate, which a lab's story may need (exhausted-pool sends 150 a
 * second).
 */
import { availableParallelism } from 'node:os';

/**
 * On 2 vCPUs a room's 30 baseline runs (10 requests/s each), all asked for together: at 50 per
 * core about 6% of their requests went unanswered; at 30 per core, none of 12 000 in one run and 5
 * of 18 000 in another (bench/room.ts).
 */
const trafficRpsPerCore = 30;

export function defaultTrafficRps(): number {
  return trafficRpsPerCore * availableParallelism();
}

export interface AdmitOptions {
  /** Leaves the line: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called while the run waits, each time the number of runs ahead of it changes. */
  onWaiting?(ahead: number): void;
}

/** Ends a turn: its requests per second go back to the budget. Idempotent. */
export type Release = () => void;

interface Waiter {
  costRps: number;
  options: AdmitOptions;
  admit(): void;
}

export class TrafficBudget {
  readonly capacityRps: number;
  #inUseRps = 0;
  #running = 0;
  #line: Waiter[] = [];

  constructor(capacityRps: number) {
    if (!(capacityRps > 0)) throw new RangeError(`TrafficBudget: capacityRps must be above 0, got ${capacityRps}`);
    this.capacityRps = capacityRps;
  }

  /** Runs under way, and runs waiting their turn. */
  get load(): { running: number; waiting: number; inUseRps: number } {
    return { running: this.#running, waiting: this.#line.length, inUseRps: this.#inUseRps };
  }

  /**
   * Resolves with the turn once `costRps` fits beside the runs under way and every run that
   * asked before it has its turn. A run costing more than the whole budget runs alone.
   */
  admit(costRps: number, options: AdmitOptions = {}): Promise<Release> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#line.length === 0 && this.#fits(costRps)) return Promise.resolve(this.#start(costRps));
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        costRps,
        options,
        admit: () => {
          signal?.removeEventListener('abort', leave);
          resolve(this.#start(costRps));
        },
      };
      const leave = (): void => {
        this.#line = this.#line.filter((each) => each !== waiter);
        reject(signal!.reason);
        this.#admitWaiting(true);
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.#line.push(waiter);
      options.onWaiting?.(this.#line.length - 1);
    });
  }

  #fits(costRps: number): boolean {
    return this.#running === 0 || this.#inUseRps + costRps <= this.capacityRps;
  }

  #start(costRps: number): Release {
    this.#inUseRps += costRps;
    this.#running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUseRps -= costRps;
      this.#running--;
      this.#admitWaiting();
    };
  }

  /** Admits from the head of the line while the head fits; tells the rest where they stand, when it moved. */
  #admitWaiting(moved = false): void {
    while (this.#line.length > 0 && this.#fits(this.#line[0]!.costRps)) {
      this.#line.shift()!.admit();
      moved = true;
    }
    if (moved) this.#line.forEach((waiter, ahead) => waiter.options.onWaiting?.(ahead));
  }
}
