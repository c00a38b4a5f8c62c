/**
 * An interview's variants: transformations of a lab's spec drawn at random (from a seed the
 * interview records), so that a candidate who saw the lab before cannot answer it from memory.
 * Each keeps the lab's answer true and its own fix working; a variant that cannot do that for a
 * lab is not applicable to it and is never drawn for it.
 *
 *   lab spec ──variantsFor──▶ the applicable variants ──draw(seed)──▶ one ──applyVariant──▶ spec'
 *   spec' ──LabSession (as any lab)──▶ the same answer, the same fix, another wire
 *
 * Kinds:
 * - `tls-version`: every endpoint pinned to TLS 1.2 or to TLS 1.3 — the same failure in the other
 *   protocol's messages (in 1.2 the client's Certificate and the alerts are in the clear; in 1.3
 *   they follow the encrypted handshake, RFC 8446 §4.4).
 * - `stack`: one service behind the other real TLS stack (Node's tls or `openssl s_server`),
 *   which words the same refusal differently (an alert, or a bare close).
 * - `edge`: the failing edge is another team's — the caller and the service it calls renamed
 *   everywhere (topology, certificates, identities, the story), so names seen before mean nothing.
 * - `swap`: which of two callers of one service breaks — their names exchanged everywhere, so the
 *   caller remembered as the broken one is now the healthy one.
 *
 * Moving a fault to the other end of the connection (the server's certificate instead of the
 * client's) is not a kind: it changes who detects it, the evidence, and the story the symptom
 * tells, which no transformation of names keeps true.
 */
import { applyFaults, applyFixes } from '../../faults/index.js';
import { stackProblems } from '../../lab/stacks.js';
import type { LabSpec, TlsPolicySpec } from '../../lab/schema.js';

export type Variant =
  | { kind: 'tls-version'; version: 'TLSv1.2' | 'TLSv1.3' }
  | { kind: 'stack'; service: string; stack: 'node' | 'openssl' }
  | { kind: 'edge'; renames: Record<string, string> }
  | { kind: 'swap'; callers: [string, string] };

/** Service and client names an `edge` variant may give; plausible teams of any company. */
export const edgeNames = ['orders', 'ledger', 'invoices', 'catalog', 'shipping', 'accounts', 'search', 'pricing', 'reports', 'identity', 'wallet', 'notify'] as const;

/**
 * Names that are also words of the trade: renaming `auth` would rewrite "client auth" in the
 * story, `www` the web's name. These stay as they are.
 */
const termNames = new Set(['auth', 'www', 'browser', 'client', 'server', 'api', 'proxy', 'gateway', 'edge', 'mesh', 'legacy', 'web', 'service', 'app', 'records']);

/** What a lab's story quotes that one stack's logs say: with it, the other stack would contradict the symptom. */
const stackWords = /\balert\b|\bSSL\b|ECONNRESET|hang up|EPROTO|s_server|openssl|socket|alert number|handshake failure/i;
/** A story that names a protocol version is about that version. */
const versionWords = /TLS\s?v?1\.[0-3]|TLSv1|tls13/i;

/** The lab's every text a learner reads: what an `edge` rename rewrites and what the checks read. */
function storyOf(spec: LabSpec): string {
  const { symptom, question, hints, explain, distractors } = spec.scenario;
  return [symptom, question, ...hints, explain, ...Object.values(distractors), spec.title, spec.summary ?? ''].join('\n');
}

/** The spec as the candidate meets it (its own faults applied) and as its own fix leaves it. */
function brokenAndFixed(spec: LabSpec): { broken: LabSpec; fixed: LabSpec } {
  const broken = applyFaults(spec, spec.faults);
  return { broken, fixed: applyFixes(broken, spec.scenario.fix) };
}

/** A version, cipher or CertificateRequest signature policy of its own: a pin would overwrite it, or read it in another version's terms (RFC 5246 §7.4.4 against RFC 8446 §4.3.2). */
function hasTlsPolicy(spec: LabSpec): boolean {
  return [...Object.values(spec.services), ...Object.values(spec.clients)].some((endpoint) => endpoint.tls !== undefined || ('certRequestSigalgs' in endpoint && endpoint.certRequestSigalgs !== undefined));
}

/** Every variant that keeps `spec`'s answer and fix, in a fixed order (a seed then draws the same one). */
export function variantsFor(spec: LabSpec): Variant[] {
  const variants: Variant[] = [];
  const story = storyOf(spec);
  const { broken, fixed } = brokenAndFixed(spec);

  // A lab about versions or ciphers, or a fault that sets them, is about the policy a pin would overwrite.
  if (!hasTlsPolicy(broken) && !hasTlsPolicy(fixed) && !versionWords.test(story) && !spec.tags.some((tag) => /tls13|tls-version|cipher|protocol/.test(tag))) {
    variants.push({ kind: 'tls-version', version: 'TLSv1.2' }, { kind: 'tls-version', version: 'TLSv1.3' });
  }

  if (!stackWords.test(spec.scenario.symptom)) {
    for (const name of Object.keys(spec.services)) {
      const other = spec.services[name]!.stack === 'node' ? 'openssl' : 'node';
      const swapped: Variant = { kind: 'stack', service: name, stack: other };
      if (stackApplies(spec, swapped)) variants.push(swapped);
    }
  }

  const renames = edgeRenames(spec);
  if (Object.keys(renames).length > 0) variants.push({ kind: 'edge', renames });
  const callers = swappableCallers(spec);
  if (callers) variants.push({ kind: 'swap', callers });
  return variants;
}

/**
 * Both stacks can run the service as the lab breaks it and as its fix leaves it, and the lab's
 * evidence does not rest on what only the old stack says: Node's tls closes on a bad client
 * certificate without an alert, so a lab proved only by a server's alert keeps its stack.
 */
function stackApplies(spec: LabSpec, variant: Extract<Variant, { kind: 'stack' }>): boolean {
  const service = spec.services[variant.service]!;
  if (variant.stack === 'openssl') {
    // s_server answers one request per connection, with no latency of its own and no connection cap.
    if (service.latencyMs > 0 || service.maxConnections !== undefined) return false;
  } else {
    const evidence = spec.scenario.evidence ?? [];
    if (evidence.length > 0 && evidence.every((item) => item.side === 'server' && item.message === 'alert')) return false;
  }
  try {
    const varied = applyVariant(spec, variant);
    const { broken, fixed } = brokenAndFixed(varied);
    return stackProblems(varied.services).length === 0 && stackProblems(broken.services).length === 0 && stackProblems(fixed.services).length === 0;
  } catch {
    return false;
  }
}

/**
 * Whether a name of the lab may change: not a word of the trade, not part of a catalogue id in
 * the lab (a fault, a root cause, a fix action: those ids must not change), and not a word the
 * story also uses as a common noun ("A scanner reads records" would read "A orders").
 */
function renameableIn(spec: LabSpec): (name: string) => boolean {
  const story = storyOf(spec);
  const { answer, distractors, fix } = spec.scenario;
  const idParts = new Set([answer, ...Object.keys(distractors), ...spec.faults.map((f) => f.kind), ...fix.map((f) => f.action)].flatMap((id) => id.split('-')));
  return (name) => !termNames.has(name) && !idParts.has(name) && !new RegExp(`\\ban? ${name}\\b`, 'i').test(story);
}

/** New names for the lab's first caller that may be renamed, and for the service it calls if it may be too. */
function edgeRenames(spec: LabSpec): Record<string, string> {
  const taken = new Set([...Object.keys(spec.services), ...Object.keys(spec.clients), ...Object.keys(spec.pki)]);
  const story = storyOf(spec);
  const renameable = renameableIn(spec);
  const free = edgeNames.filter((name) => !taken.has(name) && !new RegExp(`\\b${name}\\b`, 'i').test(story));
  const renames: Record<string, string> = {};
  const caller = Object.entries(spec.clients).find(([name]) => renameable(name));
  if (!caller) return renames;
  const [name, client] = caller;
  renames[name] = free.shift()!;
  if (renameable(client.calls)) renames[client.calls] = free.shift()!;
  return renames;
}

/** The first two callers of one service whose names may change (renameable), if the lab has them. */
function swappableCallers(spec: LabSpec): [string, string] | undefined {
  const byService = new Map<string, string[]>();
  const renameable = renameableIn(spec);
  for (const [name, client] of Object.entries(spec.clients)) {
    if (!renameable(name)) continue;
    const callers = [...(byService.get(client.calls) ?? []), name];
    if (callers.length === 2) return [callers[0]!, callers[1]!];
    byService.set(client.calls, callers);
  }
  return undefined;
}

/** One of the variants applicable to `spec`, drawn by `random` (0 ≤ r < 1), or undefined when none applies. */
export function drawVariant(spec: LabSpec, random: () => number): Variant | undefined {
  const variants = variantsFor(spec);
  return variants.length === 0 ? undefined : variants[Math.floor(random() * variants.length)];
}

/** `spec` as the variant changes it; the lab's own faults, fixes and story come along. */
export function applyVariant(spec: LabSpec, variant: Variant): LabSpec {
  switch (variant.kind) {
    case 'tls-version':
      return pinVersion(spec, variant.version);
    case 'stack': {
      if (!(variant.service in spec.services)) throw new TypeError(`stack variant: "${variant.service}" is not a service of lab ${spec.id}`);
      const services = structuredClone(spec.services);
      services[variant.service]!.stack = variant.stack;
      return { ...structuredClone(spec), services };
    }
    case 'edge':
      return renamed(spec, variant.renames);
    case 'swap': {
      const [a, b] = variant.callers;
      if (!(a in spec.clients) || !(b in spec.clients)) throw new TypeError(`swap variant: "${a}" and "${b}" must both be clients of lab ${spec.id}`);
      return renamed(spec, { [a]: b, [b]: a });
    }
  }
}

/** A few words for the interviewer: what this draw changed. */
export function describeVariant(variant: Variant | undefined): string {
  if (!variant) return 'as written (no variant applies to this lab)';
  switch (variant.kind) {
    case 'tls-version':
      return `every endpoint pinned to ${variant.version}`;
    case 'stack':
      return `${variant.service} runs on ${variant.stack === 'node' ? "Node's tls" : 'openssl s_server'}`;
    case 'edge':
      return `the edge renamed: ${Object.entries(variant.renames).map(([from, to]) => `${from} → ${to}`).join(', ')}`;
    case 'swap':
      return `the callers swapped: ${variant.callers[0]} ↔ ${variant.callers[1]}`;
  }
}

function pinVersion(spec: LabSpec, version: 'TLSv1.2' | 'TLSv1.3'): LabSpec {
  const pinned: TlsPolicySpec = { minVersion: version, maxVersion: version };
  const copy = structuredClone(spec);
  for (const service of Object.values(copy.services)) service.tls = { ...pinned };
  for (const client of Object.values(copy.clients)) if (client.protocol === 'tls') client.tls = { ...pinned };
  return copy;
}

/**
 * Renames names wherever they stand alone: as keys, references, host labels (`orders.corp.test`),
 * hyphen parts of certificate names (`payments-client`), SPIFFE path segments and words of the
 * story. A letter, digit or `_` on either side means another word, which stays.
 */
function renamed(spec: LabSpec, renames: Record<string, string>): LabSpec {
  const entries = Object.entries(renames);
  if (entries.length === 0) return structuredClone(spec);
  // Case-blind, so the story's "Payments" follows the topology's `payments`; the new name takes the old one's capital.
  const pattern = new RegExp(`(?<![A-Za-z0-9_])(${entries.map(([from]) => from).join('|')})(?![A-Za-z0-9_])`, 'gi');
  const swap = (text: string): string =>
    text.replace(pattern, (name) => {
      const to = renames[name.toLowerCase()] ?? name;
      return name[0] === name[0]!.toUpperCase() && name[0] !== name[0]!.toLowerCase() ? to[0]!.toUpperCase() + to.slice(1) : to;
    });
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return swap(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [swap(key), deep(inner)]));
    return value;
  };
  // The lab's id stays: the catalogue, progress and the report name the lab by it.
  return { ...(deep(spec) as LabSpec), id: spec.id };
}
