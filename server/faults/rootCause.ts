/**
 * A root cause: everything known about one way mTLS breaks, in one module. A fault (fault.ts)
 * is a root cause with a spec transform; `none` is one without.
 *
 *   lab faults ──apply──▶ broken spec ──runtime──▶ bytes ──explain: facts──▶ rules ──▶ Finding
 *                                                                   wording ──▶ how each stack says it
 */
import type { EdgeRule, Rule, Signal, StartRule } from './facts.js';

/** Stacks whose wording a root cause records. */
export type Stack = 'openssl' | 'curl' | 'node' | 'python' | 'go' | 'envoy';

export interface Wording {
  /** What the side that detected the problem prints; absent for a stack that only ever sees the peer's alert. */
  detector?: string;
  /** What it does where it lets the fault pass: one stack accepts what another refuses. */
  accepts?: string;
  /** What its peer sees, when that differs (usually an alert). */
  peer?: string;
  /** What the peer prints instead when TLS 1.2 is negotiated, where that differs. */
  tls12?: string;
  /** The version the wording is true for: `OpenSSL 3.0`, `Go 1.21+`. */
  version: string;
  /** For a stack that cannot run on this machine: the file or document the wording comes from. */
  source?: string;
}

export type StackWordings = Partial<Record<Stack, Wording>>;

export interface RootCause {
  kind: string;
  title: string;
  /** One sentence a learner reads after the diagnosis. */
  summary: string;
  /** What the stacks report for it: alerts, verify errors, codes and texts. */
  signal?: Signal;
  /**
   * Its detection rules, by name. The explainer's ordered list (explain/verdict.ts) places each
   * one: a cause may have a rule that reads reports and a later one that reads dates alone.
   */
  rules: Readonly<Record<string, Rule>>;
  /** A rule over a client → service edge of a traffic run (a pool), when the cause shows there. */
  edgeRule?: EdgeRule;
  /** A rule over a service that failed to start, when the cause stops it there. */
  startRule?: StartRule;
  /** What Verify must see once it is repaired, beyond each edge behaving as the lab's policy says (app/grading.ts). */
  healthy?: Healthy;
  /** How each stack words it. */
  wording: StackWordings;
}

/**
 * Repaired, for a cause that only shows under load: Verify sends each client's own rps for
 * `loadSeconds` (the incident's load and duration), and every edge must stay below
 * `maxHandshakesPerRequest`. Without it Verify sends a few requests per edge, which any
 * cause that fails every handshake fails.
 */
export interface Healthy {
  loadSeconds: number;
  maxHandshakesPerRequest: number;
}
