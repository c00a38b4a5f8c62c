import { beforeAll, describe, expect, it } from 'vitest';
import { applyFaults, applyFixes } from '../../faults/index.js';
import { loadLabs, type LabDocument } from '../../lab/index.js';
import { seededRandom } from '../../runtime/seededRandom.js';
import { applyVariant, describeVariant, drawVariant, variantsFor, type Variant } from './variants.js';

let labs: Map<string, LabDocument>;
beforeAll(async () => {
  labs = new Map((await loadLabs(new URL('../../../labs', import.meta.url).pathname)).map((doc) => [doc.spec.id, doc]));
});
const spec = (id: string) => labs.get(id)!.spec;

describe('variantsFor', () => {
  it('offers every lab of the catalogue at least one variant', () => {
    for (const [id, doc] of labs) expect(variantsFor(doc.spec), id).not.toEqual([]);
  });

  it('offers no protocol pin to a lab about protocol versions or ciphers', () => {
    for (const id of ['protocol-version-mismatch', 'no-shared-cipher']) {
      expect(variantsFor(spec(id)).map((v) => v.kind)).not.toContain('tls-version');
    }
  });

  it('keeps the stack of a lab whose symptom quotes what its stack logs', () => {
    // expired-client-cert's symptom quotes s_server's alert 45: Node's tls would close without it.
    expect(spec('expired-client-cert').scenario.symptom).toContain('alert');
    expect(variantsFor(spec('expired-client-cert')).map((v) => v.kind)).not.toContain('stack');
  });

  it('never moves a service onto a stack that cannot run it as broken or as fixed', () => {
    // permissive-mode's service must speak plaintext on its port: only Node's service does.
    expect(variantsFor(spec('permissive-mode')).filter((v) => v.kind === 'stack')).toEqual([]);
  });

  it('never renames a name that is also a word of the trade', () => {
    for (const [, doc] of labs) {
      for (const variant of variantsFor(doc.spec)) {
        if (variant.kind === 'edge') expect(Object.keys(variant.renames)).not.toContain('auth');
      }
    }
  });
});

describe('applyVariant', () => {
  it('pins every endpoint to the version drawn, plaintext callers aside', () => {
    const pinned = applyVariant(spec('baseline'), { kind: 'tls-version', version: 'TLSv1.2' });
    for (const endpoint of [...Object.values(pinned.services), ...Object.values(pinned.clients)]) {
      expect(endpoint.tls).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    }
    expect(spec('baseline').services.www!.tls).toBeUndefined();
  });

  it('moves one service to the other stack and nothing else', () => {
    const moved = applyVariant(spec('wrong-ca'), { kind: 'stack', service: 'ledger', stack: 'node' });
    expect(moved.services.ledger!.stack).toBe('node');
    expect({ ...moved, services: {} }).toEqual({ ...spec('wrong-ca'), services: {} });
  });

  it('renames the edge everywhere: topology, certificates, identities, faults, fixes and the story', () => {
    const renames = { billing: 'orders', ledger: 'invoices' };
    const renamed = applyVariant(spec('wrong-ca'), { kind: 'edge', renames });
    expect(Object.keys(renamed.services)).toEqual(['invoices']);
    expect(Object.keys(renamed.clients)).toEqual(['orders']);
    expect(renamed.clients.orders!.calls).toBe('invoices');
    expect(renamed.services.invoices!.host).toBe('invoices.corp.test');
    expect(renamed.pki['orders-client']!.san).toEqual(['uri:spiffe://corp.test/ns/fin/sa/orders']);
    expect(renamed.faults).toEqual([{ kind: 'wrong-ca', target: 'invoices', params: { trust: 'corp-root-2026' } }]);
    expect(renamed.scenario.fix).toEqual([{ action: 'trust-issuer', target: 'invoices', params: {} }]);
    expect(renamed.scenario.symptom).toContain('orders → invoices');
    expect(JSON.stringify(renamed)).not.toMatch(/\b(billing|ledger)\b/i);
    // The answer and the lab's id stay: the catalogue, the grading and progress go by them.
    expect(renamed.id).toBe('wrong-ca');
    expect(renamed.scenario.answer).toBe('wrong-ca');
  });

  it('keeps each variant\'s broken and fixed spec applicable with the lab\'s own faults and fix', () => {
    for (const [id, doc] of labs) {
      for (const variant of variantsFor(doc.spec)) {
        const varied = applyVariant(doc.spec, variant);
        expect(() => applyFixes(applyFaults(varied, varied.faults), varied.scenario.fix), `${id}: ${describeVariant(variant)}`).not.toThrow();
      }
    }
  });

  it('swaps which caller breaks: the two callers\' names exchanged everywhere, the broken one now under the healthy one\'s name', () => {
    const written = spec('over-broad-trust');
    expect(variantsFor(written)).toContainEqual({ kind: 'swap', callers: ['invoices', 'crawler'] });
    const swapped = applyVariant(written, { kind: 'swap', callers: ['invoices', 'crawler'] });
    // The other tenant's workload (Globex's certificate) now goes by "invoices"; Acme's own by "crawler".
    expect(swapped.clients.invoices!.cert).toBe('globex-client');
    expect(swapped.pki['globex-client']!.san).toEqual(['uri:spiffe://globex.test/ns/app/sa/invoices']);
    expect(swapped.clients.crawler!.cert).toBe('crawler-client');
    expect(swapped.pki['crawler-client']).toEqual({ ...written.pki['invoices-client'], san: ['uri:spiffe://acme.test/ns/fin/sa/crawler'] });
    expect(swapped.scenario.symptom).toBe(written.scenario.symptom.replace(/crawler|invoices/gi, (name) => ({ crawler: 'invoices', Crawler: 'Invoices', invoices: 'crawler', Invoices: 'Crawler' })[name]!));
    expect(swapped.scenario.answer).toBe(written.scenario.answer);
  });

  it('offers no swap to a lab with no two callers of one service that may be renamed', () => {
    // baseline's two callers call different services, and "browser" is a word of the trade.
    expect(variantsFor(spec('baseline')).map((v) => v.kind)).not.toContain('swap');
    expect(() => applyVariant(spec('baseline'), { kind: 'swap', callers: ['payments', 'nobody'] })).toThrow(TypeError);
  });

  it('keeps a name the story also uses as a common noun', () => {
    // permissive-mode: "A scanner reads records without a certificate".
    for (const variant of variantsFor(spec('permissive-mode'))) {
      if (variant.kind === 'edge') expect(Object.keys(variant.renames)).not.toContain('scanner');
    }
  });

  it('refuses a stack variant naming no service of the lab', () => {
    expect(() => applyVariant(spec('baseline'), { kind: 'stack', service: 'nope', stack: 'openssl' })).toThrow(TypeError);
  });
});

describe('drawVariant', () => {
  it('draws the same variant from the same seed, and among the applicable ones only', () => {
    const draw = (seed: number): Variant | undefined => drawVariant(spec('wrong-eku'), seededRandom(seed));
    expect(draw(7)).toEqual(draw(7));
    const drawn = new Set(Array.from({ length: 40 }, (_, seed) => JSON.stringify(draw(seed))));
    expect([...drawn].map((v) => JSON.parse(v))).toEqual(expect.arrayContaining(variantsFor(spec('wrong-eku'))));
    expect(drawn.size).toBe(variantsFor(spec('wrong-eku')).length);
  });
});
