/**
 * The params a fault or fix action takes. Each declares a strict valibot schema built from
 * the helpers here, with its bounds named in `paramLimits`, and `parseParams` is the one door
 * every params value passes through on its way to `apply` (applyStep calls it): a lab file's
 * faults and fixes, `mtls-lab run --fault`, and the API's start, PUT faults and fix.
 *
 *   params (unknown) ──parseParams(schema)──▶ typed params, defaults filled ──▶ apply(spec, target, params)
 *                    └──▶ ParamsError: each field, the value found, what is allowed
 *
 * Why bounds and not just types: `tune-pool {maxSockets: -5}` once became an https.Agent that
 * never hands out a socket, and the sandbox's next traffic run waited forever.
 */
import * as v from 'valibot';
import { didYouMean, formatPath, listKnown } from '../lab/labError.js';
import { maxPoolSockets, maxTimeoutMs } from '../lab/limits.js';
import { subjectAltNamePattern } from '../lab/schema.js';
import { describeValue } from '../lab/schemaIssue.js';
import { FaultError, type FaultParams } from './fault.js';

/**
 * Every bound of a param, by name: messages quote them and tests read them. Params that set a
 * field of the lab (a pool's size, its timeout) share the lab file's bounds (lab/limits.ts):
 * a fault or fix never makes a spec the schema would refuse.
 */
export const paramLimits = {
  /** Sockets one client's pool may hold open. */
  maxSockets: { min: 1, max: maxPoolSockets },
  /** A pool's request timeout: far below the 2^31 - 1 ms past which Node's setTimeout fires at once. */
  timeoutMs: { min: 1, max: maxTimeoutMs },
  /** Names a re-issued certificate carries (wrong-san). */
  subjectAltNames: { min: 1, max: 16 },
  /** Characters of one name or SAN. */
  textLength: { max: 253 },
  /** How long ago an intermediate expired (expired-intermediate): a year covers every story of a CA nobody renewed. */
  expiredDaysAgo: { min: 1, max: 365 },
  /** How long a CRL is past its nextUpdate (stale-crl): up to a month of a publishing job nobody watched. */
  overdueHours: { min: 1, max: 720 },
  /** How far a verifier's clock is behind (verifier-clock-behind): a minute to a day. */
  behindMinutes: { min: 1, max: 1440 },
} as const;

/** A strict params schema: what `Fault.params` and `FixAction.params` hold. */
export type ParamsSchema<P extends FaultParams = FaultParams> = v.GenericSchema<unknown, P> & { readonly entries: v.ObjectEntries };

/** A schema for params whose unknown keys are refused, as a typo should be. */
export function paramsSchema<const E extends v.ObjectEntries>(entries: E) {
  return v.strictObject(entries, 'a map of params');
}

/** For a fault or fix that takes none: any key is refused. */
export const noParams = paramsSchema({});

/** Every check of the field carries the same sentence, so each failure states the whole rule. */
export function wholeNumber({ min, max }: { min: number; max: number }) {
  const expected = `a whole number from ${min} to ${max}`;
  return v.pipe(v.number(expected), v.integer(expected), v.minValue(min, expected), v.maxValue(max, expected));
}

/** A name the lab defines (a certificate, a CA): checked against the lab by the fault itself. */
export function labName(what: string) {
  const expected = `the name of ${what} in the lab, like "corp-root"`;
  return v.pipe(v.string(expected), v.regex(/^[a-z][a-z0-9-]*$/, expected), v.maxLength(paramLimits.textLength.max, expected));
}

/** `dns:auth.internal`, `ip:10.0.0.1`, `uri:spiffe://…`, `email:…`: the lab's SAN syntax. */
export function subjectAltNames({ min, max }: { min: number; max: number }) {
  const one = `a SAN like "dns:auth.internal" (dns:, ip:, uri: or email:; at most ${paramLimits.textLength.max} characters)`;
  const list = `a list of ${min} to ${max} SANs like ["dns:auth.internal"]`;
  return v.pipe(
    v.array(v.pipe(v.string(one), v.regex(subjectAltNamePattern, one), v.maxLength(paramLimits.textLength.max, one)), list),
    v.minLength(min, list),
    v.maxLength(max, list),
  );
}

/** `uri:spiffe://corp.test/ns/fin/sa/billing`: an identity as a service's allow list holds it (schema.ts `allow`). */
export function identity(what: string) {
  const expected = `${what} like "uri:spiffe://corp.test/ns/fin/sa/billing" (at most ${paramLimits.textLength.max} characters)`;
  return v.pipe(v.string(expected), v.regex(/^uri:[a-z][a-z0-9+.-]*:.+$/, expected), v.maxLength(paramLimits.textLength.max, expected));
}

/** One params problem: the path inside `params`, and what is wrong there. */
export interface ParamProblem {
  path: readonly (string | number)[];
  /** `key` when the key itself is wrong (an unknown param), else its value. */
  at?: 'key' | 'value';
  message: string;
  suggestion?: string;
}

/**
 * Params that do not fit the fault or fix action. The message names each field, the value
 * found and what is allowed: `tune-pool params.maxSockets: expected a whole number from 1 to
 * 256 but found -5`. `ofLab`: they fit the schema but name what this lab lacks (a CA it does
 * not have), so the step does not apply to this lab, rather than being malformed.
 */
export class ParamsError extends FaultError {
  override name = 'ParamsError';
  readonly owner: string;
  readonly problems: readonly ParamProblem[];
  readonly ofLab: boolean;

  constructor(owner: string, problems: readonly ParamProblem[], options: { ofLab?: boolean } = {}) {
    super(`${owner} ${problems.map(describeProblem).join('; ')}`);
    this.owner = owner;
    this.problems = problems;
    this.ofLab = options.ofLab ?? false;
  }
}

/** `params.maxSockets: expected … but found -5`, then the suggestion if any. */
export function describeProblem(problem: ParamProblem): string {
  const next = problem.suggestion === undefined ? '' : `; ${problem.suggestion}`;
  return `${formatPath(['params', ...problem.path])}: ${problem.message}${next}`;
}

/** `params` checked against `schema`, with its defaults; every problem at once in a ParamsError. */
export function parseParams<P extends FaultParams>(owner: string, schema: ParamsSchema<P>, params: unknown): P {
  const result = v.safeParse(schema, params);
  if (result.success) return result.output;
  throw new ParamsError(owner, result.issues.map((issue) => paramProblem(owner, schema, issue)));
}

function paramProblem(owner: string, schema: ParamsSchema, issue: v.BaseIssue<unknown>): ParamProblem {
  const path = (issue.path ?? []).map((item) => item.key as string | number);
  const known = Object.keys(schema.entries);
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    // valibot reports an unknown key with the key itself as the input, and last on the path.
    const key = String(issue.input);
    if (known.length === 0) return { path, at: 'key', message: `unknown param ${JSON.stringify(key)}: ${owner} takes no params` };
    const suggestion = didYouMean(key, known);
    return { path, at: 'key', message: `unknown param ${JSON.stringify(key)} (known: ${listKnown(known)})`, ...(suggestion ? { suggestion } : {}) };
  }
  if (issue.type === 'strict_object' && issue.input === undefined && path.length > 0) {
    // A required param left out: the object's issue, so the field's own rule is read from it.
    const field = schema.entries[String(path.at(-1))] as { message?: unknown } | undefined;
    const expected = typeof field?.message === 'string' ? field.message : 'a value';
    return { path, message: `expected ${expected} but found nothing` };
  }
  if (path.length === 0) {
    return { path, message: `expected a map of params${known.length ? ` (${listKnown(known)})` : ' (this one takes none: {})'} but found ${describeValue(issue.input)}` };
  }
  return { path, message: `expected ${issue.message} but found ${describeValue(issue.input)}` };
}
