import { describe, expect, it } from 'vitest';
import { closest, formatIssue, formatPath, LabValidationError, type LabIssue } from './labError.js';

const issue: LabIssue = {
  file: 'labs/expired.yaml',
  line: 14,
  column: 9,
  path: 'services.auth.trust[0]',
  message: '"corp-rooot" is not a CA in this lab (known: corp-root, partner-root)',
};

describe('formatIssue', () => {
  it('prints the place, the path and the message on one line', () => {
    expect(formatIssue(issue)).toBe(
      'ERROR: labs/expired.yaml:14:9 services.auth.trust[0]: "corp-rooot" is not a CA in this lab (known: corp-root, partner-root)',
    );
  });

  it('appends the suggestion after a semicolon', () => {
    expect(formatIssue({ ...issue, suggestion: 'did you mean "corp-root"?' })).toBe(
      'ERROR: labs/expired.yaml:14:9 services.auth.trust[0]: "corp-rooot" is not a CA in this lab (known: corp-root, partner-root); did you mean "corp-root"?',
    );
  });

  it('leaves the path out for a problem with the whole file', () => {
    expect(formatIssue({ ...issue, line: 1, column: 1, path: '', message: 'the file is empty' })).toBe(
      'ERROR: labs/expired.yaml:1:1 the file is empty',
    );
  });
});

describe('LabValidationError', () => {
  it('sorts its issues by file, line and column and prints one line each', () => {
    const later = { ...issue, line: 20, path: 'scenario.answer', message: 'b' };
    const other = { ...issue, file: 'labs/a.yaml', line: 30, path: 'id', message: 'c' };
    const error = new LabValidationError([later, issue, other]);
    expect(error.issues).toEqual([other, issue, later]);
    expect(error.message.split('\n')).toEqual([formatIssue(other), formatIssue(issue), formatIssue(later)]);
    expect(error.name).toBe('LabValidationError');
  });
});

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['services', 'auth', 'trust', 0])).toBe('services.auth.trust[0]');
  });

  it('quotes keys that would not read as one name', () => {
    expect(formatPath(['pki', 'corp root', 'san'])).toBe('pki["corp root"].san');
  });
});

describe('closest', () => {
  it('counts two swapped letters as one slip', () => {
    expect(closest('trsut', ['host', 'trust', 'cert'])).toBe('trust');
  });

  it('ignores case', () => {
    expect(closest('serverauth', ['serverAuth', 'clientAuth'])).toBe('serverAuth');
  });

  it('suggests nothing when no candidate is close', () => {
    expect(closest('colour', ['host', 'stack', 'cert', 'trust'])).toBeUndefined();
  });
});
