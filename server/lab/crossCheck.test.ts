import { describe, expect, it } from 'vitest';
import { issuesOf, lab, onlyIssue } from './testing.js';

describe('crossCheck', () => {
  it('reports a trust entry that names no CA, listing the CAs and the likely one', () => {
    const text = lab({
      6: '  corp-root: { ca: true }\n  partner-root: { ca: true }',
      10: '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-rooot] }',
    });
    expect(onlyIssue(text)).toEqual({
      line: 11,
      column: 60,
      path: 'services.auth.trust[0]',
      message: '"corp-rooot" is not a CA in this lab (known: corp-root, partner-root)',
      suggestion: 'did you mean "corp-root"?',
    });
  });

  it('reports a client trusting a leaf certificate as if it were a CA', () => {
    const text = lab({ 12: '  payments: { calls: auth, cert: payments-client, trust: [auth-server] }' });
    expect(onlyIssue(text)).toEqual({
      line: 12,
      column: 59,
      path: 'clients.payments.trust[0]',
      message: '"auth-server" is a leaf certificate, not a CA (known: corp-root)',
    });
  });

  it('reports an issuer that is not a certificate of the lab', () => {
    const text = lab({ 7: '  auth-server: { issuer: corp-rot, san: [dns:auth.corp.test], eku: [serverAuth] }' });
    expect(onlyIssue(text)).toEqual({
      line: 7,
      column: 26,
      path: 'pki.auth-server.issuer',
      message: '"corp-rot" is not a CA in this lab (known: corp-root)',
      suggestion: 'did you mean "corp-root"?',
    });
  });

  it('reports an issuer that is a leaf, not a CA', () => {
    const text = lab({
      8: '  payments-client: { issuer: auth-server, san: ["uri:spiffe://corp.test/ns/pay/sa/payments"], eku: [clientAuth] }',
    });
    expect(onlyIssue(text)).toEqual({
      line: 8,
      column: 30,
      path: 'pki.payments-client.issuer',
      message: '"auth-server" is a leaf certificate, not a CA (known: corp-root)',
    });
  });

  it('reports a certificate that names itself as issuer', () => {
    const text = lab({ 6: '  corp-root: { ca: true, issuer: corp-root }' });
    expect(onlyIssue(text)).toEqual({
      line: 6,
      column: 34,
      path: 'pki.corp-root.issuer',
      message: '"corp-root" names itself as issuer',
      suggestion: 'remove "issuer": a certificate without one is a self-signed root',
    });
  });

  it('reports an issuer cycle once, at its first member', () => {
    const text = lab({ 6: '  corp-root: { ca: true }\n  ca-a: { ca: true, issuer: ca-b }\n  ca-b: { ca: true, issuer: ca-a }' });
    expect(onlyIssue(text)).toEqual({
      line: 7,
      column: 29,
      path: 'pki.ca-a.issuer',
      message: 'issuer cycle: ca-a → ca-b → ca-a',
      suggestion: 'one of them must be a root (no "issuer")',
    });
  });

  it('reports pathLen on a certificate that is not a CA', () => {
    const text = lab({ 7: '  auth-server: { issuer: corp-root, pathLen: 0, san: [dns:auth.corp.test], eku: [serverAuth] }' });
    expect(onlyIssue(text)).toEqual({
      line: 7,
      column: 46,
      path: 'pki.auth-server.pathLen',
      message: 'pathLen is only for CAs (RFC 5280 §4.2.1.9) but "auth-server" is not one',
      suggestion: 'add "ca: true" or remove "pathLen"',
    });
  });

  it('reports a service certificate that does not exist', () => {
    const text = lab({ 10: '  auth: { host: auth.corp.test, cert: auth-sever, trust: [corp-root] }' });
    expect(onlyIssue(text)).toEqual({
      line: 10,
      column: 39,
      path: 'services.auth.cert',
      message: '"auth-sever" is not a certificate in this lab (known: auth-server, payments-client)',
      suggestion: 'did you mean "auth-server"?',
    });
  });

  it('reports a service that presents a CA certificate', () => {
    const text = lab({ 10: '  auth: { host: auth.corp.test, cert: corp-root, trust: [corp-root] }' });
    expect(onlyIssue(text)).toEqual({
      line: 10,
      column: 39,
      path: 'services.auth.cert',
      message: '"corp-root" is a CA; an endpoint presents a leaf certificate (known: auth-server, payments-client)',
    });
  });

  it('reports a client that calls a service the lab does not have', () => {
    const text = lab({ 12: '  payments: { calls: auht, cert: payments-client, trust: [corp-root] }' });
    expect(onlyIssue(text)).toEqual({
      line: 12,
      column: 22,
      path: 'clients.payments.calls',
      message: '"auht" is not a service in this lab (known: auth)',
      suggestion: 'did you mean "auth"?',
    });
  });

  it('reports a client that presents a CA certificate', () => {
    const text = lab({ 12: '  payments: { calls: auth, cert: corp-root, trust: [corp-root] }' });
    expect(onlyIssue(text)).toMatchObject({ line: 12, column: 34, path: 'clients.payments.cert' });
  });

  it('reports an answer that is also offered as a distractor, at its key', () => {
    const text = lab({ 17: '  distractors: { expired-cert: every date is good, none: nothing is wrong }' });
    expect(onlyIssue(text)).toEqual({
      line: 17,
      column: 52,
      path: 'scenario.distractors.none',
      message: '"none" is the answer; a distractor is another root cause, with why it is wrong here',
      suggestion: 'remove "none" from the distractors',
    });
  });

  it('reports a distractor without a reason on one line', () => {
    const text = lab({ 17: '  distractors:\n    expired-cert: |\n      every date\n      is good' });
    expect(onlyIssue(text)).toMatchObject({ line: 18, path: 'scenario.distractors.expired-cert', message: expect.stringContaining('one line: why this cause is wrong for this incident') });
  });

  it('reports a quiz with no distractor', () => {
    const text = lab({ 17: '  distractors: {}' });
    expect(onlyIssue(text)).toMatchObject({ line: 17, path: 'scenario.distractors', message: expect.stringContaining('at least one distractor') });
  });

  it('reports a SAN listed twice on one certificate at the repeat', () => {
    const text = lab({ 7: '  auth-server: { issuer: corp-root, san: [dns:auth.corp.test, dns:auth.corp.test], eku: [serverAuth] }' });
    expect(onlyIssue(text)).toEqual({
      line: 7,
      column: 63,
      path: 'pki.auth-server.san[1]',
      message: '"dns:auth.corp.test" is listed twice (also san[0])',
    });
  });

  it('reports a plaintext client that names a certificate', () => {
    const text = lab({ 12: '  payments: { calls: auth, protocol: plaintext, cert: payments-client }' });
    expect(onlyIssue(text)).toEqual({
      line: 12,
      column: 55,
      path: 'clients.payments.cert',
      message: 'a plaintext client sends no certificate, but "payments" names "payments-client"',
      suggestion: 'remove "cert" or set "protocol: tls"',
    });
  });

  it('reports every broken reference in a file, not just the first', () => {
    const text = lab({
      7: '  auth-server: { issuer: corp-rot, san: [dns:auth.corp.test], eku: [serverAuth] }',
      10: '  auth: { host: auth.corp.test, cert: auth-sever, trust: [corp-root] }',
      12: '  payments: { calls: auht, cert: payments-client, trust: [corp-root] }',
      17: '  distractors: { none: nothing is wrong }',
    });
    expect(issuesOf(text).map(({ line, path }) => `${line} ${path}`)).toEqual([
      '7 pki.auth-server.issuer',
      '10 services.auth.cert',
      '12 clients.payments.calls',
      '17 scenario.distractors.none',
    ]);
  });
});
