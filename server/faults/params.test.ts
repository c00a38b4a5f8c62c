import { describe, expect, it } from 'vitest';
import { parseLab } from '../lab/index.js';
import { applyFaults, checkStepParams, faultSteps, fixSteps } from './apply.js';
import { faults } from './catalogue.js';
import { checkLabFaults } from './checkLab.js';
import { fixActions } from './fixes.js';
import { paramLimits, ParamsError } from './params.js';

const { maxSockets, timeoutMs, subjectAltNames } = paramLimits;

/** A lab with an exhausted-pool fault and a tune-pool fix, each with the params given (YAML). */
const lab = (faultParams: string, fixParams: string): string => `id: unit
title: Unit lab
level: beginner
minutes: 5
pki:
  corp-root: { ca: true }
  auth-server: { issuer: corp-root, san: ["dns:auth.corp.test"], eku: [serverAuth] }
  pay-client: { issuer: corp-root, eku: [clientAuth] }
services:
  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root] }
clients:
  payments: { calls: auth, cert: pay-client, trust: [corp-root] }
faults:
  - { kind: exhausted-pool, target: payments, params: ${faultParams} }
scenario:
  symptom: s
  question: q
  answer: exhausted-pool
  distractors: { none: requests time out }
  fix:
    - { action: tune-pool, target: payments, params: ${fixParams} }
  explain: e
`;

/** The ParamsError's message for these params, or the parsed params when they fit. */
function check(kind: typeof faultSteps, name: string, params: unknown): string | object {
  try {
    return checkStepParams(kind, { name, params: params as Record<string, unknown> });
  } catch (error) {
    if (error instanceof ParamsError) return error.message;
    throw error;
  }
}

describe('fault and fix params', () => {
  const refused: Array<{ name: string; kind: typeof faultSteps; step: string; params: unknown; message: string }> = [
    { name: 'a negative pool size for tune-pool', kind: fixSteps, step: 'tune-pool', params: { maxSockets: -5 }, message: `tune-pool params.maxSockets: expected a whole number from 1 to ${maxSockets.max} but found -5` },
    { name: 'a pool of no sockets', kind: faultSteps, step: 'exhausted-pool', params: { maxSockets: 0 }, message: 'exhausted-pool params.maxSockets: expected a whole number from 1 to 256 but found 0' },
    { name: 'a pool one past the largest', kind: fixSteps, step: 'tune-pool', params: { maxSockets: maxSockets.max + 1 }, message: 'but found 257' },
    { name: 'a fractional pool size', kind: faultSteps, step: 'exhausted-pool', params: { maxSockets: 1.5 }, message: 'params.maxSockets: expected a whole number from 1 to 256 but found 1.5' },
    { name: 'a pool size as text', kind: fixSteps, step: 'tune-pool', params: { maxSockets: '16' }, message: 'params.maxSockets: expected a whole number from 1 to 256 but found "16"' },
    { name: 'a timeout past five minutes', kind: fixSteps, step: 'tune-pool', params: { timeoutMs: timeoutMs.max + 1 }, message: 'tune-pool params.timeoutMs: expected a whole number from 1 to 300000 but found 300001' },
    { name: 'a timeout Node would fire at once (2^31 ms)', kind: fixSteps, step: 'tune-pool', params: { timeoutMs: 2 ** 31 }, message: 'but found 2147483648' },
    { name: 'an unknown key, with the one meant', kind: fixSteps, step: 'tune-pool', params: { maxSocket: 16 }, message: 'tune-pool params.maxSocket: unknown param "maxSocket" (known: maxSockets, timeoutMs); did you mean "maxSockets"?' },
    { name: 'a key for a fault that takes none', kind: faultSteps, step: 'expired-cert', params: { days: 3 }, message: 'expired-cert params.days: unknown param "days": expired-cert takes no params' },
    { name: 'params that are not a map', kind: faultSteps, step: 'exhausted-pool', params: 5, message: 'exhausted-pool params: expected a map of params (maxSockets) but found 5' },
    { name: 'a CA name that is not a name', kind: faultSteps, step: 'wrong-ca', params: { trust: 'Corp Root' }, message: 'wrong-ca params.trust: expected the name of a CA in the lab, like "corp-root" but found "Corp Root"' },
    { name: 'an empty SAN list', kind: faultSteps, step: 'wrong-san', params: { san: [] }, message: 'wrong-san params.san: expected a list of 1 to 16 SANs like ["dns:auth.internal"] but found a list' },
    { name: 'more SANs than a certificate here carries', kind: faultSteps, step: 'wrong-san', params: { san: Array.from({ length: subjectAltNames.max + 1 }, (_, i) => `dns:h${i}.test`) }, message: 'expected a list of 1 to 16 SANs' },
    { name: 'a SAN without its type', kind: faultSteps, step: 'wrong-san', params: { san: ['dns:ok.test', 'auth.internal'] }, message: 'params.san[1]: expected a SAN like "dns:auth.internal"' },
    { name: 'a missing required param', kind: fixSteps, step: 'present-client-cert', params: {}, message: 'present-client-cert params.cert: expected the name of a client certificate in the lab, like "corp-root" but found nothing' },
  ];

  it.each(refused)('refuse $name', ({ kind, step, params, message }) => {
    expect(check(kind, step, params)).toContain(message);
  });

  it('report every problem of one params at once', () => {
    expect(check(fixSteps, 'tune-pool', { maxSockets: 0, timeoutMs: -1, keepAlive: false })).toBe(
      'tune-pool params.maxSockets: expected a whole number from 1 to 256 but found 0; ' +
        'params.timeoutMs: expected a whole number from 1 to 300000 but found -1; ' +
        'params.keepAlive: unknown param "keepAlive" (known: maxSockets, timeoutMs)',
    );
  });

  it('take the bounds themselves', () => {
    expect(check(fixSteps, 'tune-pool', { maxSockets: maxSockets.min, timeoutMs: timeoutMs.max })).toEqual({ maxSockets: 1, timeoutMs: 300_000 });
    expect(check(faultSteps, 'exhausted-pool', { maxSockets: maxSockets.max })).toEqual({ maxSockets: 256 });
  });

  it('fill in the defaults the faults and fixes document', () => {
    expect(check(faultSteps, 'exhausted-pool', {})).toEqual({ maxSockets: 2 });
    expect(check(fixSteps, 'tune-pool', undefined)).toEqual({ maxSockets: 16 });
    expect(check(faultSteps, 'wrong-ca', {})).toEqual({ trust: 'stray-root' });
    expect(check(faultSteps, 'expired-cert', {})).toEqual({});
  });

  it('tell params that break the schema from params that name what the lab lacks', () => {
    const spec = parseLab(lab('{}', '{}'), 'labs/unit.yaml').spec;
    const thrown = (params: Record<string, unknown>): unknown => {
      try {
        return applyFaults(spec, [{ kind: 'wrong-ca', target: 'auth', params }]);
      } catch (error) {
        return error;
      }
    };
    expect(thrown({ trust: 'Partner Root' })).toMatchObject({ name: 'ParamsError', ofLab: false });
    expect(thrown({ trust: 'partner-root' })).toMatchObject({
      name: 'ParamsError',
      ofLab: true,
      message: 'wrong-ca params.trust: "partner-root" is not a CA in lab unit (known: corp-root, stray-root)',
    });
  });

  it('are strict for every fault and fix action in the catalogue', () => {
    for (const kind of faults.keys()) expect(check(faultSteps, kind, { typo: 1 }), kind).toMatch(/params\.typo: unknown param "typo"/);
    for (const action of fixActions.keys()) expect(check(fixSteps, action, { typo: 1 }), action).toMatch(/params\.typo: unknown param "typo"/);
  });
});

describe('params in a lab file', () => {
  it('are checked like the API checks them, each problem at its line and field', () => {
    const issues = checkLabFaults(parseLab(lab('{ maxSockets: -5 }', '{ maxSockets: 16, timeoutMs: 9999999999 }'), 'labs/unit.yaml'));
    expect(issues).toEqual([
      expect.objectContaining({ line: 14, path: 'faults[0].params.maxSockets', message: 'exhausted-pool: expected a whole number from 1 to 256 but found -5' }),
      expect.objectContaining({ line: 21, path: 'scenario.fix[0].params.timeoutMs', message: 'tune-pool: expected a whole number from 1 to 300000 but found 9999999999' }),
    ]);
  });

  it('point at the unknown key and suggest the one meant', () => {
    const [issue] = checkLabFaults(parseLab(lab('{ maxSockts: 2 }', '{}'), 'labs/unit.yaml'));
    expect(issue).toMatchObject({ line: 14, path: 'faults[0].params.maxSockts', suggestion: 'did you mean "maxSockets"?' });
  });

  it('pass a lab whose params fit', () => {
    expect(checkLabFaults(parseLab(lab('{ maxSockets: 2 }', '{ maxSockets: 16 }'), 'labs/unit.yaml'))).toEqual([]);
  });
});
