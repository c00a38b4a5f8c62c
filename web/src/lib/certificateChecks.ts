/**
 * What the certificate inspector points out, without naming a root cause: a certificate
 * outside its dates, a chain out of order, a chain whose last issuer is not among the
 * anchors of the peer that verifies it (a chain that stops at its leaf shows up here), a
 * key purpose or a name the peer will not accept. The same checks a learner makes by hand
 * with `openssl x509` and `openssl verify`; each said with an icon and words.
 *
 *   CertificateHolder + every holder ──verifiersOf──▶ the peers' anchors ─┐
 *   chain (files, or a Certificate message from the trace) ─────────────────┴─chainFindings──▶ Finding[]
 */
import type { CertificateHolder } from '../../../server/app/protocol.ts';
import { readableTime, roughDuration, shortName } from '../../../server/explain/certificateFacts.ts';
import { validityAt } from '../../../server/pki/validity.ts';

/** The part of a certificate the checks read: a file's InspectedCertificate or a chain entry from the wire. */
export interface CheckedCertificate {
  subject?: string;
  issuer?: string;
  notBefore?: string;
  notAfter?: string;
  subjectAltNames?: string[];
  extendedKeyUsage?: string[];
  sha256?: string;
}

/** The trust anchors of one peer that verifies the chain. */
export interface Verifier {
  /** The lab's name: `auth`. */
  name: string;
  /** The bundle's file, for the words. */
  file: string;
  anchors: CheckedCertificate[];
}

export interface ChainContext {
  /** Who presents the chain: a server certificate needs serverAuth, a client one clientAuth. */
  role: 'service' | 'client';
  /** The instant validity is judged at. */
  atMs: number;
  /** Every peer that verifies this chain and has a bundle of its own. */
  verifiers: Verifier[];
  /** For a service: the name its callers dial, which the leaf's SANs must hold. */
  host?: string;
}

export interface Finding {
  tone: 'fail' | 'warn';
  icon: string;
  text: string;
  /** The certificate it is about (its index in the chain); absent for the chain as a whole. */
  at?: number;
}

const fail = (text: string, at?: number): Finding => ({ tone: 'fail', icon: '✗', text, ...(at === undefined ? {} : { at }) });
const warn = (text: string, at?: number): Finding => ({ tone: 'warn', icon: '⚠', text, ...(at === undefined ? {} : { at }) });

/** A certificate's dates against `atMs`, in words; null while it is valid. */
export function validityFinding(cert: CheckedCertificate, atMs: number, at?: number): Finding | null {
  const state = validityAt(cert, atMs);
  if (state === 'expired') return fail(`expired ${roughDuration(atMs - Date.parse(cert.notAfter!))} ago (notAfter ${readableTime(cert.notAfter)})`, at);
  if (state === 'not-yet-valid') return fail(`not valid yet: valid from ${readableTime(cert.notBefore)}, in ${roughDuration(Date.parse(cert.notBefore!) - atMs)}`, at);
  return null;
}

/** RFC 9525 §6.3 (formerly RFC 6125 §6.4.3): a wildcard stands for exactly one left-most label. */
function nameMatches(san: string, host: string): boolean {
  if (!san.startsWith('dns:')) return false;
  const name = san.slice(4).toLowerCase();
  if (!name.startsWith('*.')) return name === host.toLowerCase();
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1).toLowerCase() === name.slice(2);
}

export function chainFindings(chain: readonly CheckedCertificate[], ctx: ChainContext): Finding[] {
  const findings: Finding[] = [];
  chain.forEach((cert, i) => {
    const dated = validityFinding(cert, ctx.atMs, i);
    if (dated) findings.push(dated);
    const next = chain[i + 1];
    if (next && cert.issuer !== next.subject) {
      findings.push(warn(`certificate ${i + 2} (${shortName(next.subject)}) is not the issuer of certificate ${i + 1}, which names ${shortName(cert.issuer)}`, i + 1));
    }
  });

  const leaf = chain[0];
  if (!leaf) return findings;
  const purpose = ctx.role === 'service' ? 'serverAuth' : 'clientAuth';
  // RFC 5280 §4.2.1.12: an absent extension means any purpose.
  if (leaf.extendedKeyUsage && !leaf.extendedKeyUsage.includes(purpose) && !leaf.extendedKeyUsage.includes('anyExtendedKeyUsage')) {
    findings.push(warn(`its extended key usage (${leaf.extendedKeyUsage.join(', ') || 'none'}) has no ${purpose}`, 0));
  }
  if (ctx.host && !(leaf.subjectAltNames ?? []).some((san) => nameMatches(san, ctx.host!))) {
    findings.push(warn(`${ctx.host} is not among its subject alternative names (${leaf.subjectAltNames?.join(', ') ?? 'it has none'})`, 0));
  }

  const last = chain.at(-1)!;
  for (const verifier of ctx.verifiers) {
    const anchored = verifier.anchors.some(
      (anchor) => anchor.subject === last.issuer || (anchor.sha256 !== undefined && anchor.sha256 === last.sha256),
    );
    if (anchored) continue;
    const where = `${verifier.name}'s trust anchors (${verifier.file}: ${verifier.anchors.map((a) => shortName(a.subject)).join(', ') || 'empty'})`;
    findings.push(
      warn(
        chain.length === 1
          ? `the chain stops at the leaf, and its issuer ${shortName(last.issuer)} is not among ${where}`
          : `the chain ends at ${shortName(last.subject)}, whose issuer ${shortName(last.issuer)} is not among ${where}`,
      ),
    );
  }
  return findings;
}

/** The peers that verify what `holder` presents: the service a client calls; the clients of a service. Each with its own bundle. */
export function verifiersOf(holder: CertificateHolder, holders: readonly CertificateHolder[]): Verifier[] {
  const peerRole = holder.role === 'client' ? 'service' : 'client';
  return holder.peers.flatMap((name) => {
    const trusts = holders.find((h) => h.role === peerRole && h.name === name)?.trusts;
    return trusts ? [{ name, file: trusts.file, anchors: trusts.certificates }] : [];
  });
}
