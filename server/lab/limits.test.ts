import { describe, expect, it } from 'vitest';
import { parseLab } from './loadLab.js';
import { lab, lines, onlyIssue } from './testing.js';

const service = (i: number) => `  s${i}: { host: s${i}.corp.test, cert: auth-server, trust: [corp-root] }`;
const client = (i: number) => `  c${i}: { calls: auth, cert: payments-client, trust: [corp-root] }`;
const leaf = (i: number) => `  leaf${i}: { issuer: corp-root, san: [dns:leaf${i}.corp.test] }`;

describe('lab limits', () => {
  it('accepts as many services, clients and certificates as the caps allow', () => {
    const text = lab({
      8: '  payments-client: { issuer: corp-root, eku: [clientAuth] }\n' + lines(61, leaf),
      10: '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root] }\n' + lines(15, service),
      12: lines(32, client),
    });
    const { spec } = parseLab(text, 'labs/test.yaml');
    expect([Object.keys(spec.pki).length, Object.keys(spec.services).length, Object.keys(spec.clients).length]).toEqual([64, 16, 32]);
  });

  it('reports a 17th service at the services key, with the cap and why', () => {
    const text = lab({ 10: '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root] }\n' + lines(16, service) });
    expect(onlyIssue(text)).toEqual({
      line: 9,
      column: 1,
      path: 'services',
      message: 'expected at most 16 entries but found 17',
      suggestion: 'each service is a process of its own; split a bigger system into several labs',
    });
  });

  it('reports a 33rd client at the clients key, with the cap and why', () => {
    expect(onlyIssue(lab({ 12: lines(33, client) }))).toEqual({
      line: 11,
      column: 1,
      path: 'clients',
      message: 'expected at most 32 entries but found 33',
      suggestion: 'each client is a process of its own; split a bigger system into several labs',
    });
  });

  it('reports a 65th certificate at the pki key, with the cap and why', () => {
    const text = lab({ 8: '  payments-client: { issuer: corp-root, eku: [clientAuth] }\n' + lines(62, leaf) });
    expect(onlyIssue(text)).toEqual({
      line: 5,
      column: 1,
      path: 'pki',
      message: 'expected at most 64 entries but found 65',
      suggestion: 'every key is generated when the lab starts; share CAs, or split the system into several labs',
    });
  });

  it('reports a latency past Node’s 2^31 ms timer limit, with the 10-minute bound', () => {
    const text = lab({ 10: '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root], latencyMs: 2147483648 }' });
    expect(onlyIssue(text)).toEqual({
      line: 10,
      column: 83,
      path: 'services.auth.latencyMs',
      message: 'expected a latency of at most 600000 ms (10 minutes) but found 2147483648',
    });
  });

  it('accepts a latency of exactly 10 minutes', () => {
    const text = lab({ 10: '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root], latencyMs: 600000 }' });
    expect(parseLab(text, 'labs/test.yaml').spec.services['auth']?.latencyMs).toBe(600_000);
  });

  it('reports a pool timeout past 5 minutes, with the bound', () => {
    const text = lab({ 12: '  payments: { calls: auth, cert: payments-client, trust: [corp-root], pool: { timeoutMs: 2147483648 } }' });
    expect(onlyIssue(text)).toEqual({
      line: 12,
      column: 90,
      path: 'clients.payments.pool.timeoutMs',
      message: 'expected a timeout of at most 300000 ms (5 minutes) but found 2147483648',
    });
  });

  it('reports a pool of more than 256 sockets', () => {
    const text = lab({ 12: '  payments: { calls: auth, cert: payments-client, trust: [corp-root], pool: { maxSockets: 257 } }' });
    expect(onlyIssue(text)).toEqual({
      line: 12,
      column: 91,
      path: 'clients.payments.pool.maxSockets',
      message: 'expected at most 256 but found 257',
    });
  });

  it('reports a service connection limit above what every caller could open', () => {
    const text = lab({ 10: '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root], maxConnections: 8193 }' });
    expect(onlyIssue(text)).toEqual({
      line: 10,
      column: 88,
      path: 'services.auth.maxConnections',
      message: 'expected at most 8192 but found 8193',
    });
  });

  it('reports a request rate above 5000 per second', () => {
    const text = lab({ 12: '  payments: { calls: auth, cert: payments-client, trust: [corp-root], rps: 5001 }' });
    expect(onlyIssue(text)).toEqual({ line: 12, column: 76, path: 'clients.payments.rps', message: 'expected at most 5000 but found 5001' });
  });

  it('reports a pathLen longer than any chain a lab can hold', () => {
    const text = lab({ 6: '  corp-root: { ca: true, pathLen: 1e300 }' });
    expect(onlyIssue(text)).toEqual({ line: 6, column: 35, path: 'pki.corp-root.pathLen', message: 'expected at most 62 but found 1e+300' });
  });
});
