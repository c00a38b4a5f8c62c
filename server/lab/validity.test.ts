import { describe, expect, it } from 'vitest';
import { parseLab } from './loadLab.js';
import { lab, onlyIssue } from './testing.js';
import { relativeTimeMs } from './validity.js';

/** Line 8 of the minimal lab, payments-client, with the given validity. */
const clientWith = (validity: string) => ({
  8: `  payments-client: { issuer: corp-root, eku: [clientAuth], validity: ${validity} }`,
});

describe('relativeTimeMs', () => {
  it('reads a signed offset in its unit', () => {
    expect([relativeTimeMs('-1h'), relativeTimeMs('+90d'), relativeTimeMs('+0s')]).toEqual([-3_600_000, 90 * 86_400_000, 0]);
  });

  it('counts a year as 365 days', () => {
    expect(relativeTimeMs('+1y')).toBe(365 * 86_400_000);
  });
});

describe('validity checks', () => {
  it('accepts offsets of exactly 50 years either way', () => {
    const { spec } = parseLab(lab(clientWith('{ notBefore: -50y, notAfter: +50y }')), 'labs/test.yaml');
    expect(spec.pki['payments-client']?.validity).toEqual({ notBefore: '-50y', notAfter: '+50y' });
  });

  it('reports a notAfter a million years away, with the 50-year bound', () => {
    expect(onlyIssue(lab(clientWith('{ notAfter: +1000000y }')))).toEqual({
      line: 8,
      column: 82,
      path: 'pki.payments-client.validity.notAfter',
      message: `"+1000000y" is more than 50 years from now, the furthest a lab's certificate dates may reach`,
      suggestion: 'use an offset within ±50y, like "+10y"',
    });
  });

  it('reports a notBefore a century ago, which a certificate would read as this year', () => {
    expect(onlyIssue(lab(clientWith('{ notBefore: -100y, notAfter: +1d }')))).toEqual({
      line: 8,
      column: 83,
      path: 'pki.payments-client.validity.notBefore',
      message: `"-100y" is more than 50 years from now, the furthest a lab's certificate dates may reach`,
      suggestion: 'use an offset within ±50y, like "-10y"',
    });
  });

  it('reports an offset written in a small unit that still reaches past 50 years', () => {
    expect(onlyIssue(lab(clientWith('{ notAfter: +1576800001s }')))).toMatchObject({
      line: 8,
      column: 82,
      path: 'pki.payments-client.validity.notAfter',
    });
  });

  it('reports a notAfter before notBefore at notAfter, with both values', () => {
    expect(onlyIssue(lab(clientWith('{ notBefore: -1h, notAfter: -2h }')))).toEqual({
      line: 8,
      column: 98,
      path: 'pki.payments-client.validity.notAfter',
      message: 'notAfter "-2h" is not after notBefore "-1h"',
      suggestion: 'for an expired certificate move both into the past, like { notBefore: "-91d", notAfter: "-1d" }',
    });
  });

  it('compares offsets in different units as times', () => {
    expect(onlyIssue(lab(clientWith('{ notBefore: +1d, notAfter: +23h }')))).toMatchObject({
      path: 'pki.payments-client.validity.notAfter',
      message: 'notAfter "+23h" is not after notBefore "+1d"',
    });
  });

  it('reports a notAfter equal to notBefore', () => {
    expect(onlyIssue(lab(clientWith('{ notBefore: -1d, notAfter: -24h }')))).toMatchObject({
      path: 'pki.payments-client.validity.notAfter',
      message: 'notAfter "-24h" is not after notBefore "-1d"',
    });
  });

  it('reports a notBefore past a leaf’s default notAfter at notBefore, suggesting a notAfter', () => {
    expect(onlyIssue(lab(clientWith('{ notBefore: +1y }')))).toEqual({
      line: 8,
      column: 83,
      path: 'pki.payments-client.validity.notBefore',
      message: 'notBefore "+1y" is not before the default notAfter "+90d" of a leaf',
      suggestion: 'add a later notAfter, like { notBefore: "+1y", notAfter: "+455d" }',
    });
  });

  it('measures a CA’s notBefore against the CA default of ten years', () => {
    const text = lab({ 6: '  corp-root: { ca: true, validity: { notBefore: +11y } }' });
    expect(onlyIssue(text)).toMatchObject({
      path: 'pki.corp-root.validity.notBefore',
      message: 'notBefore "+11y" is not before the default notAfter "+10y" of a CA',
    });
  });
});
