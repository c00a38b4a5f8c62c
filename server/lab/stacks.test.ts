import { describe, expect, it } from 'vitest';
import { parseLab } from './loadLab.js';
import { stackProblems } from './stacks.js';
import { lab, onlyIssue } from './testing.js';

const authWith = (fields: string) => ({ 10: `  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root], ${fields} }` });

describe('stack rules', () => {
  it('reports an openssl service in permissive mode at its mode, naming the stack that can', () => {
    expect(onlyIssue(lab(authWith('stack: openssl, mode: permissive')))).toEqual({
      line: 10,
      column: 94,
      path: 'services.auth.mode',
      message: 'mode "permissive" needs stack "node", but "auth" runs stack "openssl", which serves TLS only',
      suggestion: 'set "stack: node", or "mode: strict"',
    });
  });

  it('reports an openssl service with mTLS disabled', () => {
    expect(onlyIssue(lab(authWith('stack: openssl, mode: disable')))).toMatchObject({ path: 'services.auth.mode' });
  });

  it('accepts an openssl service in strict mode', () => {
    expect(() => parseLab(lab(authWith('stack: openssl, mode: strict')), 'labs/test.yaml')).not.toThrow();
  });

  it('finds the same problem in a spec a fault changed after validation', () => {
    const { spec } = parseLab(lab(authWith('stack: openssl')), 'labs/test.yaml');
    const broken = { ...spec.services, auth: { ...spec.services['auth']!, mode: 'permissive' as const } };
    expect(stackProblems(broken).map((problem) => problem.path)).toEqual([['services', 'auth', 'mode']]);
  });
});
