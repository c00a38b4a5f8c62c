/**
 * The checks one field cannot make alone: names that refer to other parts of the lab,
 * validity offsets as spans of time (validity.ts), and what a service's stack can serve
 * (stacks.ts).
 *
 *   LabSchema ──LabSpec──▶ crossCheck ──▶ every broken reference and rule, as LabProblems
 *
 * All problems are collected, not just the first: an author fixing a lab wants the whole
 * list in one run. Faults and fix actions are checked by server/faults, which owns their
 * catalogue; a `host` that no SAN matches is a scenario (hostname mismatch), not a
 * mistake, so it is not checked here either.
 */
import { didYouMean, formatPath, listKnown, type LabProblem } from './labError.js';
import type { LabSpec } from './schema.js';
import { stackProblems } from './stacks.js';
import { validityProblems } from './validity.js';

export function crossCheck(spec: LabSpec): LabProblem[] {
  const problems: LabProblem[] = [];
  const certs = Object.keys(spec.pki);
  const cas = certs.filter((name) => spec.pki[name]?.ca === true);
  const services = Object.keys(spec.services);

  /** A reference to a CA: an issuer or a trust anchor. */
  const expectCa = (path: LabProblem['path'], name: string): void => {
    if (cas.includes(name)) return;
    const kind = certs.includes(name) ? 'a leaf certificate, not a CA' : 'not a CA in this lab';
    const message = `${JSON.stringify(name)} is ${kind} (known: ${listKnown(cas)})`;
    problems.push(withSuggestion({ path, message }, didYouMean(name, cas)));
  };

  /** A reference to the certificate an endpoint presents: a leaf, never a CA. */
  const expectLeaf = (path: LabProblem['path'], name: string): void => {
    const leaves = certs.filter((cert) => !cas.includes(cert));
    if (leaves.includes(name)) return;
    const message = cas.includes(name)
      ? `${JSON.stringify(name)} is a CA; an endpoint presents a leaf certificate (known: ${listKnown(leaves)})`
      : `${JSON.stringify(name)} is not a certificate in this lab (known: ${listKnown(leaves)})`;
    problems.push(withSuggestion({ path, message }, didYouMean(name, leaves)));
  };

  for (const [name, cert] of Object.entries(spec.pki)) {
    if (cert.issuer === name) {
      problems.push({
        path: ['pki', name, 'issuer'],
        message: `${JSON.stringify(name)} names itself as issuer`,
        suggestion: 'remove "issuer": a certificate without one is a self-signed root',
      });
    } else if (cert.issuer !== undefined) {
      expectCa(['pki', name, 'issuer'], cert.issuer);
    }
    if (cert.pathLen !== undefined && !cert.ca) {
      problems.push({
        path: ['pki', name, 'pathLen'],
        message: `pathLen is only for CAs (RFC 5280 §4.2.1.9) but ${JSON.stringify(name)} is not one`,
        suggestion: 'add "ca: true" or remove "pathLen"',
      });
    }
    problems.push(...duplicates(cert.san, ['pki', name, 'san']));
  }
  problems.push(...issuerCycles(spec));
  problems.push(...validityProblems(spec.pki));

  for (const [name, service] of Object.entries(spec.services)) {
    expectLeaf(['services', name, 'cert'], service.cert);
    if (service.key !== undefined) expectLeaf(['services', name, 'key'], service.key);
    if (service.loaded !== undefined) expectLeaf(['services', name, 'loaded'], service.loaded);
    service.trust.forEach((anchor, index) => expectCa(['services', name, 'trust', index], anchor));
  }
  problems.push(...stackProblems(spec.services));

  for (const [name, client] of Object.entries(spec.clients)) {
    if (!services.includes(client.calls)) {
      const message = `${JSON.stringify(client.calls)} is not a service in this lab (known: ${listKnown(services)})`;
      problems.push(withSuggestion({ path: ['clients', name, 'calls'], message }, didYouMean(client.calls, services)));
    }
    if (client.cert !== undefined) {
      if (client.protocol === 'plaintext') {
        problems.push({
          path: ['clients', name, 'cert'],
          message: `a plaintext client sends no certificate, but ${JSON.stringify(name)} names ${JSON.stringify(client.cert)}`,
          suggestion: 'remove "cert" or set "protocol: tls"',
        });
      } else {
        expectLeaf(['clients', name, 'cert'], client.cert);
      }
    }
    client.trust.forEach((anchor, index) => expectCa(['clients', name, 'trust', index], anchor));
  }

  const { answer, distractors } = spec.scenario;
  if (Object.hasOwn(distractors, answer)) {
    problems.push({
      path: ['scenario', 'distractors', answer],
      at: 'key',
      message: `${JSON.stringify(answer)} is the answer; a distractor is another root cause, with why it is wrong here`,
      suggestion: `remove ${JSON.stringify(answer)} from the distractors`,
    });
  }

  return problems;
}

/** Each repeat after the first, pointing at the repeat. */
function duplicates(values: readonly string[], path: LabProblem['path']): LabProblem[] {
  const problems: LabProblem[] = [];
  values.forEach((value, index) => {
    const first = values.indexOf(value);
    if (first !== index) {
      const earlier = formatPath([path.at(-1) ?? '', first]);
      problems.push({ path: [...path, index], message: `${JSON.stringify(value)} is listed twice (also ${earlier})` });
    }
  });
  return problems;
}

/**
 * An issuer chain that comes back on itself has no root, so no certificate in it could
 * ever be issued. Each cycle is reported once, at its first member in file order.
 */
function issuerCycles(spec: LabSpec): LabProblem[] {
  const problems: LabProblem[] = [];
  const reported = new Set<string>();
  for (const start of Object.keys(spec.pki)) {
    const chain: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !chain.includes(current) && !reported.has(current)) {
      chain.push(current);
      const issuer: string | undefined = spec.pki[current]?.issuer;
      // Self-issuers are reported on their own; a missing issuer is reported by crossCheck.
      current = issuer === current || (issuer !== undefined && spec.pki[issuer] === undefined) ? undefined : issuer;
    }
    if (current === undefined || reported.has(current)) continue;
    const cycle = chain.slice(chain.indexOf(current));
    for (const member of cycle) reported.add(member);
    const first = Object.keys(spec.pki).find((name) => cycle.includes(name)) ?? current;
    const rotated = [...cycle.slice(cycle.indexOf(first)), ...cycle.slice(0, cycle.indexOf(first))];
    problems.push({
      path: ['pki', first, 'issuer'],
      message: `issuer cycle: ${[...rotated, first].join(' → ')}`,
      suggestion: 'one of them must be a root (no "issuer")',
    });
  }
  return problems;
}

function withSuggestion(problem: LabProblem, suggestion: string | undefined): LabProblem {
  return suggestion === undefined ? problem : { ...problem, suggestion };
}
