/**
 * For tests only: a minimal valid lab whose lines tests replace, and the issues a text
 * yields. Line numbers matter: tests replace whole lines and assert exact positions.
 */
import { expect } from 'vitest';
import { LabValidationError, type LabIssue } from './labError.js';
import { parseLab } from './loadLab.js';

export const minimalLab = [
  /*  1 */ 'id: baseline',
  /*  2 */ 'title: Healthy mTLS',
  /*  3 */ 'level: beginner',
  /*  4 */ 'minutes: 5',
  /*  5 */ 'pki:',
  /*  6 */ '  corp-root: { ca: true }',
  /*  7 */ '  auth-server: { issuer: corp-root, san: [dns:auth.corp.test], eku: [serverAuth] }',
  /*  8 */ '  payments-client: { issuer: corp-root, san: ["uri:spiffe://corp.test/ns/pay/sa/payments"], eku: [clientAuth] }',
  /*  9 */ 'services:',
  /* 10 */ '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root] }',
  /* 11 */ 'clients:',
  /* 12 */ '  payments: { calls: auth, cert: payments-client, trust: [corp-root] }',
  /* 13 */ 'scenario:',
  /* 14 */ '  symptom: All green.',
  /* 15 */ '  question: What is wrong?',
  /* 16 */ '  answer: none',
  /* 17 */ '  distractors: { expired-cert: every certificate is within its dates }',
  /* 18 */ '  explain: Nothing is wrong.',
];

/** The minimal lab with the given 1-based lines replaced (a replacement may span lines). */
export function lab(replacements: Record<number, string> = {}): string {
  return minimalLab.map((line, index) => replacements[index + 1] ?? line).join('\n') + '\n';
}

/** `count` lines made by `line(i)`, joined as one replacement. */
export function lines(count: number, line: (index: number) => string): string {
  return Array.from({ length: count }, (_, index) => line(index)).join('\n');
}

export function issuesOf(text: string): LabIssue[] {
  try {
    parseLab(text, 'labs/test.yaml');
  } catch (error) {
    if (error instanceof LabValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected the lab to be rejected');
}

/** The one issue a text must produce, without the file name every test shares. */
export function onlyIssue(text: string): Omit<LabIssue, 'file'> {
  const issues = issuesOf(text);
  expect(issues).toHaveLength(1);
  const { file: _file, ...rest } = issues[0]!;
  return rest;
}
