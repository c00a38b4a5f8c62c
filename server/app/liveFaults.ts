/**
 * The faults injected into one running sandbox on top of its lab's own, each with an id, the
 * time it went in and, with a ttl, the time it reverts by itself — on the server's clock, so it
 * reverts even when whoever injected it has gone.
 *
 *   inject (POST …/faults) ──▶ LiveFaults.add ──ttl──▶ onExpire(id) ──▶ the session clears it
 *   clear (DELETE …/faults/:id) ──▶ LiveFaults.remove
 */
import type { FaultSpec } from '../lab/schema.js';

/** A fault in effect, as the API lists it. */
export interface LiveFault {
  id: number;
  kind: string;
  target?: string;
  params: FaultSpec['params'];
  injectedAt: string;
  /** When a fault injected with a ttl reverts by itself. */
  expiresAt?: string;
}

/** `expired-cert on auth-server`, as the trace's timeline and `up` name an injection. */
export function faultName(fault: { kind: string; target?: string | undefined }): string {
  return fault.target === undefined ? fault.kind : `${fault.kind} on ${fault.target}`;
}

/** The longest ttl: a day — a drill or an incident, not a standing configuration. */
export const maxFaultTtlSeconds = 86_400;

interface Entry {
  view: LiveFault;
  fault: FaultSpec;
  timer?: NodeJS.Timeout;
}

export class LiveFaults {
  readonly #onExpire: (id: number) => void;
  #entries: Entry[] = [];
  #nextId = 1;

  constructor(onExpire: (id: number) => void) {
    this.#onExpire = onExpire;
  }

  /** The faults in effect, in the order they went in: what the spec applies on top of the lab's own. */
  get specs(): FaultSpec[] {
    return this.#entries.map((entry) => entry.fault);
  }

  list(): LiveFault[] {
    return this.#entries.map((entry) => structuredClone(entry.view));
  }

  has(id: number): boolean {
    return this.#entries.some((entry) => entry.view.id === id);
  }

  /** Records a fault now in effect; with `ttlSeconds`, onExpire(id) is called when it runs out. */
  add(fault: FaultSpec, ttlSeconds?: number): LiveFault {
    const id = this.#nextId++;
    const now = Date.now();
    const view: LiveFault = {
      id,
      kind: fault.kind,
      ...(fault.target !== undefined ? { target: fault.target } : {}),
      params: structuredClone(fault.params),
      injectedAt: new Date(now).toISOString(),
      ...(ttlSeconds !== undefined ? { expiresAt: new Date(now + ttlSeconds * 1000).toISOString() } : {}),
    };
    const entry: Entry = { view, fault: structuredClone(fault) };
    if (ttlSeconds !== undefined) entry.timer = setTimeout(() => this.#onExpire(id), ttlSeconds * 1000);
    this.#entries.push(entry);
    return structuredClone(view);
  }

  remove(id: number): void {
    const entry = this.#entries.find((candidate) => candidate.view.id === id);
    clearTimeout(entry?.timer);
    this.#entries = this.#entries.filter((candidate) => candidate !== entry);
  }

  /** Every fault out, every ttl timer stopped (a replacement of the whole list, or the sandbox stopping). */
  clear(): void {
    for (const entry of this.#entries) clearTimeout(entry.timer);
    this.#entries = [];
  }
}
