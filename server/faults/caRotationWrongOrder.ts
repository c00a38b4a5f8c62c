import * as v from 'valibot';
import { chainOf, described, detector, evidenceOf, finding, possessive, shortName, witnesses } from './evidence.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { labName, ParamsError, paramsSchema } from './params.js';
import { unknownCaSignal, wrongCa } from './wrongCa.js';
import type { LabSpec } from '../lab/schema.js';

const params = paramsSchema({
  /** Only leaves under this CA move; every leaf under another root than the target's when absent. */
  from: v.optional(labName('the CA being retired')),
});

/** `name`'s issuers, nearest first, up to its root. */
function issuersOf(spec: LabSpec, name: string): string[] {
  const out: string[] = [];
  for (let at = spec.pki[name]?.issuer; at !== undefined && out.length < 64; at = spec.pki[at]?.issuer) out.push(at);
  return out;
}

/**
 * CA rotation in the wrong order: the leaves are re-issued under the new CA (step 2) before
 * every verifier's trust bundle holds its root (step 1). Callers whose bundle was updated
 * carry on; one whose bundle was not — a legacy fleet, a pinned bundle baked into an image —
 * fails, with the words of an unknown CA. The target is the new issuing CA; each leaf under
 * another root (or under `params.from`) is re-issued by it.
 */
export const caRotationWrongOrder: Fault<v.InferOutput<typeof params>> = {
  kind: 'ca-rotation-wrong-order',
  title: 'CA rotated before every trust bundle held the new root',
  summary: "Certificates were re-issued under a new CA before every verifier's trust bundle held its root: callers with the new bundle work, the others refuse the new certificates as issued by an unknown CA.",
  target: 'certificate',
  fixes: ['trust-issuer'],
  params,
  signal: unknownCaSignal,
  rules: {
    /**
     * A certificate refused as issued by an unknown CA that other callers of the same service
     * accepted (another connection of the capture, served with the same certificate): part of
     * the topology trusts its issuer, part does not. One connection alone is wrong-ca.
     */
    partlyTrusted(f) {
      if (!f.serverCertAcceptedElsewhere) return undefined;
      const w = witnesses(f, unknownCaSignal)[0];
      if (!w || detector(w, 'client') !== 'client') return undefined;
      const chain = chainOf(f.serverCert);
      const top = chain.at(-1);
      return {
        ...finding('ca-rotation-wrong-order', 'client', evidenceOf(f.serverCert!, 'issuer', top?.issuer ?? ''),
          `${f.client} refused ${possessive(f.service)} certificate ${shortName(chain[0]?.subject)}, issued under ${shortName(top?.issuer)}, as from an unknown CA (${described(w)}) — the same certificate other callers of ${f.service} accept: it moved to a new CA before ${possessive(f.client)} trust bundle held that CA's root`),
        alternatives: ['wrong-ca'],
      };
    },
  },
  // The refusal is an unknown CA's, word for word: the difference is only who else accepts it.
  wording: wrongCa.wording,
  apply(spec, target, { from }) {
    const next = cloneSpec(spec);
    if (!next.pki[target]?.ca) throw new FaultError(`ca-rotation-wrong-order: "${target}" is not a CA of lab ${spec.id}: the target is the new CA the leaves move to`);
    if (from !== undefined && !next.pki[from]?.ca) {
      const cas = Object.entries(spec.pki).filter(([, cert]) => cert.ca).map(([name]) => name);
      throw new ParamsError('ca-rotation-wrong-order', [{ path: ['from'], message: `"${from}" is not a CA in lab ${spec.id} (known: ${cas.join(', ')})` }], { ofLab: true });
    }
    const newRoot = [target, ...issuersOf(next, target)].at(-1);
    const moved = Object.entries(next.pki)
      .filter(([, cert]) => !cert.ca && cert.issuer !== undefined)
      .filter(([name]) => (from === undefined ? issuersOf(next, name).at(-1) !== newRoot : issuersOf(next, name).includes(from)))
      .map(([name]) => name);
    if (moved.length === 0) throw new FaultError(`ca-rotation-wrong-order: no leaf of lab ${spec.id} is issued under another CA than "${target}"`);
    for (const name of moved) next.pki[name]!.issuer = target;
    return next;
  },
};
