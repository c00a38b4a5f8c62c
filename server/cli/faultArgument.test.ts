import { describe, expect, it } from 'vitest';
import { parseFaultArgument } from './faultArgument.js';

describe('the --fault argument', () => {
  it('reads a kind and a target', () => {
    expect(parseFaultArgument('wrong-ca:auth')).toEqual({ kind: 'wrong-ca', target: 'auth', params: {} });
  });

  it('leaves the target to the catalogue when none is given', () => {
    expect(parseFaultArgument('permissive-mode')).toEqual({ kind: 'permissive-mode', target: undefined, params: {} });
  });
});
