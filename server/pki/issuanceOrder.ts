import type { CertificateSpec } from '../lab/schema.js';

/**
 * The lab's certificates with every issuer before the certificates it signs. Refuses an
 * issuer that is not in the lab and a cycle of issuers, naming them: neither can be issued.
 */
export function issuanceOrder(pki: Readonly<Record<string, CertificateSpec>>): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];

  const visit = (name: string): void => {
    if (done.has(name)) return;
    const spec = pki[name]!;
    if (path.includes(name)) {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' → ');
      throw new TypeError(
        `pki: issuers form a cycle: ${cycle}; a root has no issuer (leave "issuer" out to self-sign)`,
      );
    }
    if (spec.issuer !== undefined) {
      if (!Object.hasOwn(pki, spec.issuer)) {
        throw new TypeError(
          `pki.${name}.issuer: "${spec.issuer}" is not a certificate in this lab (known: ${Object.keys(pki).join(', ')})`,
        );
      }
      path.push(name);
      visit(spec.issuer);
      path.pop();
    }
    done.add(name);
    order.push(name);
  };

  for (const name of Object.keys(pki)) visit(name);
  return order;
}
