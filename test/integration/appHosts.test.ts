/**
 * Serving a team (issue 9): a server on 0.0.0.0 answers to what it really listens on — each
 * interface address, loopback — and to the `--allowed-hosts` names, exactly; never to the
 * wildcard itself. The Origin check judges an origin's host as the Host check does. Tables of
 * allowed and denied Host and Origin headers, on the API and the WebSocket upgrade, tricky
 * ones included.
 */
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWs, startTestApp, type TestApp } from './appHarness.js';

const interfaces = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
/** An address of this machine's own that is not loopback (loopback's when there is none). */
const ifaceV4 = interfaces.find((i) => i.family === 'IPv4' && !i.internal)?.address ?? '127.0.0.1';
/** Cases that need an interface address apart from loopback; a machine with none has no such case. */
const apartFromLoopback = <T>(...cases: T[]): T[] => (ifaceV4 === '127.0.0.1' ? [] : cases);
/** An IPv6 address of this machine's (a documentation one when it has none): 0.0.0.0 does not listen on it. */
const ifaceV6 = `[${interfaces.find((i) => i.family === 'IPv6' && !i.internal && !/^fe[89ab]/i.test(i.address))?.address ?? '2001:db8::1'}]`;

let t: TestApp;
let loopbackOnly: TestApp;

beforeAll(async () => {
  [t, loopbackOnly] = await Promise.all([startTestApp({ host: '0.0.0.0', allowedHosts: ['lab.example'] }), startTestApp()]);
});

afterAll(async () => {
  await Promise.allSettled([t?.stop(), loopbackOnly?.stop()]);
});

const bearer = (t: TestApp) => `Bearer ${t.token}`;
const withPort = (host: string) => (t: TestApp) => host.replace('PORT', String(t.port));

interface HostCase {
  name: string;
  host: (t: TestApp) => string;
  /** Where the request really goes: the address in the Host header, when it is one of ours. */
  address?: string;
}

const allowedHosts: HostCase[] = [
  { name: 'the loopback URL serve prints first', host: withPort('127.0.0.1:PORT') },
  { name: `an interface address (${ifaceV4}), connected to for real`, host: withPort(`${ifaceV4}:PORT`), address: ifaceV4 },
  { name: 'localhost', host: withPort('localhost:PORT') },
  { name: '[::1], a loopback name as before', host: withPort('[::1]:PORT') },
  { name: 'an --allowed-hosts name, as a proxy on port 80 forwards it', host: () => 'lab.example' },
  { name: 'an --allowed-hosts name with any port', host: () => 'lab.example:8443' },
  { name: 'an --allowed-hosts name in capitals', host: () => 'LAB.Example' },
];

const deniedHosts: HostCase[] = [
  { name: 'the wildcard 0.0.0.0, which serve printed before', host: withPort('0.0.0.0:PORT') },
  { name: 'the IPv6 wildcard [::]', host: withPort('[::]:PORT') },
  { name: `an IPv6 address (${ifaceV6}) that 0.0.0.0 does not listen on`, host: withPort(`${ifaceV6}:PORT`) },
  { name: 'an address not of this machine', host: withPort('203.0.113.9:PORT') },
  { name: 'a subdomain of an allowed name (names match exactly)', host: () => 'www.lab.example' },
  { name: 'an allowed name followed by another domain', host: () => 'lab.example.evil.example' },
  { name: 'an allowed name with a trailing dot', host: () => 'lab.example.' },
  { name: 'another name ending in the allowed one', host: () => 'evillab.example' },
  { name: 'an interface address followed by a domain', host: withPort(`${ifaceV4}.nip.io:PORT`) },
  { name: 'localhost.evil.example', host: withPort('localhost.evil.example:PORT') },
  { name: 'userinfo before an allowed name', host: () => 'lab.example@evil.example' },
  { name: 'an allowed name and another, as a list', host: () => 'lab.example, evil.example' },
  { name: 'an allowed name with a scheme', host: () => 'http://lab.example' },
];

describe('served on 0.0.0.0 with --allowed-hosts lab.example, the API', () => {
  it.each(allowedHosts)('answers Host: $name', async (c) => {
    const res = await t.request('/api/labs', { headers: { host: c.host(t), authorization: bearer(t) }, ...(c.address ? { address: c.address } : {}) });
    expect(res.status).toBe(200);
  });

  it.each(deniedHosts)('refuses Host: $name', async (c) => {
    const res = await t.request('/api/labs', { headers: { host: c.host(t), authorization: bearer(t) } });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: { code: 'HOST_NOT_ALLOWED', message: expect.stringContaining(`Host "${c.host(t)}"`) } });
  });
});

describe('served on 127.0.0.1 with no --allowed-hosts, the API', () => {
  it.each([
    ...apartFromLoopback({ name: `an interface address (${ifaceV4}) it does not listen on`, host: withPort(`${ifaceV4}:PORT`) }),
    { name: 'a name no one allowed', host: () => 'lab.example' },
    { name: 'the wildcard', host: withPort('0.0.0.0:PORT') },
  ])('refuses Host: $name', async (c) => {
    const res = await loopbackOnly.request('/api/labs', { headers: { host: c.host(loopbackOnly), authorization: bearer(loopbackOnly) } });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('HOST_NOT_ALLOWED');
  });
});

interface OriginCase {
  name: string;
  host: (t: TestApp) => string;
  origin: (t: TestApp) => string;
}

const allowedOrigins: OriginCase[] = [
  { name: 'the page on the loopback URL', host: withPort('127.0.0.1:PORT'), origin: withPort('http://127.0.0.1:PORT') },
  { name: 'the page on an interface address', host: withPort(`${ifaceV4}:PORT`), origin: withPort(`http://${ifaceV4}:PORT`) },
  { name: 'the page behind a proxy, as lab.example', host: () => 'lab.example', origin: () => 'http://lab.example' },
  { name: 'the page behind a proxy that forwards the port, lab.example:80', host: () => 'lab.example:80', origin: () => 'http://lab.example' },
  { name: 'the page as lab.example on another port', host: () => 'lab.example:8080', origin: () => 'http://lab.example:8080' },
];

const deniedOrigins: OriginCase[] = [
  { name: 'a page on the wildcard 0.0.0.0', host: withPort('127.0.0.1:PORT'), origin: withPort('http://0.0.0.0:PORT') },
  ...apartFromLoopback({ name: 'the loopback page sent to an interface address (another allowed name, not this Host)', host: withPort(`${ifaceV4}:PORT`), origin: withPort('http://127.0.0.1:PORT') }),
  { name: 'an interface page sent as lab.example', host: () => 'lab.example', origin: withPort(`http://${ifaceV4}:PORT`) },
  { name: 'lab.example on another port', host: () => 'lab.example', origin: () => 'http://lab.example:8080' },
  { name: 'lab.example over https (this server speaks http)', host: () => 'lab.example', origin: () => 'https://lab.example' },
  { name: 'a subdomain of lab.example', host: () => 'lab.example', origin: () => 'http://www.lab.example' },
  { name: 'lab.example followed by another domain', host: () => 'lab.example', origin: () => 'http://lab.example.evil.example' },
  { name: 'a foreign page', host: () => 'lab.example', origin: () => 'http://evil.example' },
  { name: 'not an origin: a path after it', host: () => 'lab.example', origin: () => 'http://lab.example/' },
  { name: 'not an origin: userinfo', host: () => 'lab.example', origin: () => 'http://x@lab.example' },
  { name: 'not canonical: the default port written out', host: () => 'lab.example', origin: () => 'http://lab.example:80' },
  { name: 'Origin: null', host: () => 'lab.example', origin: () => 'null' },
];

describe('served on 0.0.0.0 with --allowed-hosts lab.example, a state change', () => {
  it.each(allowedOrigins)('is allowed from $name', async (c) => {
    const res = await t.request('/api/progress', { method: 'DELETE', headers: { host: c.host(t), origin: c.origin(t), authorization: bearer(t) } });
    expect(res.status).toBe(200);
  });

  it.each(deniedOrigins)('is refused from $name', async (c) => {
    const res = await t.request('/api/progress', { method: 'DELETE', headers: { host: c.host(t), origin: c.origin(t), authorization: bearer(t) } });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('ORIGIN_NOT_ALLOWED');
  });
});

describe('served on 0.0.0.0 with --allowed-hosts lab.example, the WebSocket upgrade', () => {
  it.each([
    { name: 'the page on an interface address', host: withPort(`${ifaceV4}:PORT`), origin: withPort(`http://${ifaceV4}:PORT`) },
    { name: 'the page behind a proxy, as lab.example', host: () => 'lab.example', origin: () => 'http://lab.example' },
  ])('is accepted from $name', async (c) => {
    const outcome = await connectWs(t.port, { host: c.host(t), origin: c.origin(t), cookie: `mtls_lab_token_${t.port}=${t.token}` });
    expect(outcome.open).toBe(true);
    if (outcome.open) await outcome.client.close();
  });

  it.each([
    { name: 'the wildcard 0.0.0.0', host: withPort('0.0.0.0:PORT'), origin: withPort('http://0.0.0.0:PORT'), status: 403, code: 'HOST_NOT_ALLOWED' },
    { name: 'a subdomain of lab.example', host: () => 'www.lab.example', origin: () => 'http://www.lab.example', status: 403, code: 'HOST_NOT_ALLOWED' },
    { name: 'a foreign page, to lab.example (cross-site WebSocket hijacking)', host: () => 'lab.example', origin: () => 'http://evil.example', status: 403, code: 'ORIGIN_NOT_ALLOWED' },
    ...apartFromLoopback({ name: 'the loopback page, to an interface address', host: withPort(`${ifaceV4}:PORT`), origin: withPort('http://127.0.0.1:PORT'), status: 403, code: 'ORIGIN_NOT_ALLOWED' }),
  ])('is refused from $name ($code)', async (c) => {
    const outcome = await connectWs(t.port, { host: c.host(t), origin: c.origin(t), cookie: `mtls_lab_token_${t.port}=${t.token}` });
    expect(outcome.open).toBe(false);
    if (outcome.open) return;
    expect(outcome.status).toBe(c.status);
    expect(JSON.parse(outcome.body).error.code).toBe(c.code);
  });
});
