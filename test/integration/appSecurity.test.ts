/**
 * The local control plane is locked: Host allow-list (DNS rebinding), Origin check (CSRF,
 * cross-site WebSocket hijacking) and the per-run token, on the API and on the WebSocket
 * upgrade. Tables of allowed and denied requests, tricky ones included; a denied request
 * starts nothing.
 */
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWs, startTestApp, type RequestOptions, type TestApp } from './appHarness.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.stop();
});

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  headers: (t: TestApp) => Record<string, string | undefined>;
  body?: unknown;
}

const bearer = (t: TestApp) => `Bearer ${t.token}`;
const start = { lab: 'baseline' };

const denied: Array<Case & { status: number; code: string }> = [
  { name: 'no token at all', method: 'GET', path: '/api/labs', headers: () => ({}), status: 401, code: 'TOKEN_REQUIRED' },
  { name: 'no token on a start', method: 'POST', path: '/api/sandboxes', body: start, headers: (t) => ({ origin: t.origin }), status: 401, code: 'TOKEN_REQUIRED' },
  { name: 'a wrong token of the same length', method: 'GET', path: '/api/labs', headers: (t) => ({ authorization: `Bearer ${'x'.repeat(t.token.length)}` }), status: 401, code: 'TOKEN_REQUIRED' },
  { name: 'the token with one character more', method: 'GET', path: '/api/labs', headers: (t) => ({ authorization: `Bearer ${t.token}x` }), status: 401, code: 'TOKEN_REQUIRED' },
  { name: 'a cookie for another port', method: 'GET', path: '/api/labs', headers: (t) => ({ cookie: `mtls_lab_token_1=${t.token}` }), status: 401, code: 'TOKEN_REQUIRED' },
  { name: 'the token in an API query string', method: 'GET', path: '/api/labs?token=TOKEN', headers: () => ({}), status: 401, code: 'TOKEN_REQUIRED' },
  { name: 'Host: localhost.evil.example', method: 'GET', path: '/api/labs', headers: (t) => ({ host: 'localhost.evil.example', authorization: bearer(t) }), status: 403, code: 'HOST_NOT_ALLOWED' },
  { name: 'Host: evil.example:PORT', method: 'GET', path: '/api/labs', headers: (t) => ({ host: `evil.example:${t.port}`, authorization: bearer(t) }), status: 403, code: 'HOST_NOT_ALLOWED' },
  { name: 'Host: 127.0.0.1.nip.io', method: 'GET', path: '/api/labs', headers: (t) => ({ host: `127.0.0.1.nip.io:${t.port}`, authorization: bearer(t) }), status: 403, code: 'HOST_NOT_ALLOWED' },
  { name: 'Host: localhost@evil.example', method: 'GET', path: '/api/labs', headers: (t) => ({ host: 'localhost@evil.example', authorization: bearer(t) }), status: 403, code: 'HOST_NOT_ALLOWED' },
  { name: 'Host: [::1].evil.example', method: 'GET', path: '/api/labs', headers: (t) => ({ host: '[::1].evil.example', authorization: bearer(t) }), status: 403, code: 'HOST_NOT_ALLOWED' },
  { name: 'a bad Host before a missing token', method: 'POST', path: '/api/sandboxes', body: start, headers: () => ({ host: 'evil.example' }), status: 403, code: 'HOST_NOT_ALLOWED' },
  { name: 'a valid token with a foreign Origin', method: 'POST', path: '/api/sandboxes', body: start, headers: (t) => ({ origin: 'http://evil.example', authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
  { name: 'a valid token with Origin: null', method: 'POST', path: '/api/sandboxes', body: start, headers: (t) => ({ origin: 'null', authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
  { name: 'a valid token and no Origin on a POST', method: 'POST', path: '/api/sandboxes', body: start, headers: (t) => ({ authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
  { name: 'Origin http://localhost.evil.example:PORT', method: 'POST', path: '/api/sandboxes', body: start, headers: (t) => ({ origin: `http://localhost.evil.example:${t.port}`, authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
  { name: 'Origin on another port of 127.0.0.1', method: 'POST', path: '/api/sandboxes', body: start, headers: (t) => ({ origin: `http://127.0.0.1:${t.port + 1}`, authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
  { name: 'Origin with https:', method: 'POST', path: '/api/sandboxes', body: start, headers: (t) => ({ origin: `https://127.0.0.1:${t.port}`, authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
  { name: 'Origin localhost while Host is 127.0.0.1', method: 'POST', path: '/api/sandboxes', body: start, headers: (t) => ({ origin: `http://localhost:${t.port}`, authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
  { name: 'a foreign Origin on a GET with the cookie', method: 'GET', path: '/api/labs', headers: (t) => ({ origin: 'http://evil.example', cookie: `mtls_lab_token_${t.port}=${t.token}` }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
  { name: 'a form post (text/plain: no CORS preflight)', method: 'POST', path: '/api/sandboxes', body: JSON.stringify(start), headers: (t) => ({ origin: t.origin, authorization: bearer(t), 'content-type': 'text/plain' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'a body over 64 KiB', method: 'POST', path: '/api/sandboxes', body: { lab: 'baseline', pad: 'x'.repeat(70_000) }, headers: (t) => ({ origin: t.origin, authorization: bearer(t) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
];

const allowed: Array<Case & { status: number }> = [
  { name: 'Host 127.0.0.1:PORT with the token', method: 'GET', path: '/api/labs', headers: (t) => ({ authorization: bearer(t) }), status: 200 },
  { name: 'Host [::1]:PORT', method: 'GET', path: '/api/labs', headers: (t) => ({ host: `[::1]:${t.port}`, authorization: bearer(t) }), status: 200 },
  { name: 'Host localhost:PORT', method: 'GET', path: '/api/labs', headers: (t) => ({ host: `localhost:${t.port}`, authorization: bearer(t) }), status: 200 },
  { name: 'Host LOCALHOST (names are case-insensitive)', method: 'GET', path: '/api/labs', headers: (t) => ({ host: `LOCALHOST:${t.port}`, authorization: bearer(t) }), status: 200 },
  { name: 'the cookie instead of Bearer', method: 'GET', path: '/api/labs', headers: (t) => ({ cookie: `other=1; mtls_lab_token_${t.port}=${t.token}` }), status: 200 },
  { name: 'our own Origin on a GET', method: 'GET', path: '/api/labs', headers: (t) => ({ origin: t.origin, authorization: bearer(t) }), status: 200 },
  { name: 'our own Origin under [::1]', method: 'GET', path: '/api/labs', headers: (t) => ({ host: `[::1]:${t.port}`, origin: `http://[::1]:${t.port}`, authorization: bearer(t) }), status: 200 },
];

function options(c: Case): RequestOptions {
  const headers = c.headers(t);
  return { method: c.method, headers, ...(c.body === undefined ? {} : { body: c.body }) };
}

describe('the HTTP API refuses', () => {
  it.each(denied)('$name → $status $code', async (c) => {
    const res = await t.request(c.path.replace('TOKEN', t.token), options(c));
    expect(res.status).toBe(c.status);
    expect(res.json).toEqual({ error: { code: c.code, message: expect.any(String) } });
  });

  it('and a refused start starts nothing', async () => {
    expect(t.app.sandboxes.list()).toEqual([]);
    expect(await readdir(t.sandboxDir)).toEqual([]);
  });
});

describe('the HTTP API allows', () => {
  it.each(allowed)('$name → $status', async (c) => {
    const res = await t.request(c.path, options(c));
    expect(res.status).toBe(c.status);
  });
});

describe('the page', () => {
  it('swaps the token in the URL for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const res = await t.request(`/lab/expired?token=${t.token}&x=1`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/lab/expired?x=1');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`mtls_lab_token_${t.port}=${t.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  // Issue 9: `/.//evil.example/` normalises to the path `//evil.example/`, a Location to another host.
  // A target that itself starts `//` or `/\` is read as an authority and a path: only the path stays.
  const redirects: Array<{ target: string; location: string }> = [
    { target: '/.//evil.example/?token=TOKEN', location: '/evil.example/' },
    { target: '/..//evil.example?token=TOKEN&x=1', location: '/evil.example?x=1' },
    { target: '/./\\evil.example?token=TOKEN', location: '/evil.example' },
    { target: '/\\evil.example?token=TOKEN', location: '/' },
    { target: '//evil.example?token=TOKEN', location: '/' },
    { target: '///evil.example/a?token=TOKEN', location: '/a' },
    { target: '/%2F%2Fevil.example?token=TOKEN', location: '/%2F%2Fevil.example' },
    { target: '/lab/expired/?x=1&token=TOKEN&y=%2F%2Fz', location: '/lab/expired/?x=1&y=%2F%2Fz' },
  ];

  it.each(redirects)('redirects $target only to a path of this server ($location)', async ({ target, location }) => {
    const res = await t.request(target.replace('TOKEN', t.token));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(location);
    expect(res.headers.location).toMatch(/^\/(?![/\\])/);
    expect(res.headers.location).not.toContain(t.token);
    // As a browser resolves it: still this server.
    expect(new URL(res.headers.location!, t.origin).origin).toBe(t.origin);
  });

  it('refuses a wrong token in the URL', async () => {
    const res = await t.request('/?token=not-the-token');
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('serves HTML with a Content-Security-Policy: own origin, our WebSocket, no inline script (inline styles for the terminal)', async () => {
    const res = await t.request('/', { headers: { cookie: `mtls_lab_token_${t.port}=${t.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${t.port}`);
    expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(csp).toMatch(/(^|; )style-src 'self' 'unsafe-inline'(;|$)/);
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('the WebSocket upgrade', () => {
  const refused: Array<{ name: string; headers: (t: TestApp) => Record<string, string>; path?: string; status: number; code: string }> = [
    { name: 'without a token', headers: (t) => ({ origin: t.origin }), status: 401, code: 'TOKEN_REQUIRED' },
    { name: 'with a wrong token', headers: (t) => ({ origin: t.origin, authorization: 'Bearer nope-nope-nope-nope' }), status: 401, code: 'TOKEN_REQUIRED' },
    { name: 'with the token and a foreign Origin', headers: (t) => ({ origin: 'http://evil.example', authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
    { name: 'with the cookie and a foreign Origin (cross-site WebSocket hijacking)', headers: (t) => ({ origin: 'http://evil.example', cookie: `mtls_lab_token_${t.port}=${t.token}` }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
    { name: 'with Origin: null', headers: (t) => ({ origin: 'null', authorization: bearer(t) }), status: 403, code: 'ORIGIN_NOT_ALLOWED' },
    { name: 'with Host: localhost.evil.example', headers: (t) => ({ host: 'localhost.evil.example', origin: 'http://localhost.evil.example', authorization: bearer(t) }), status: 403, code: 'HOST_NOT_ALLOWED' },
    { name: 'on another path', path: '/socket', headers: (t) => ({ origin: t.origin, authorization: bearer(t) }), status: 404, code: 'NOT_FOUND' },
  ];

  it.each(refused)('is refused $name ($status $code)', async (c) => {
    const outcome = await connectWs(t.port, c.headers(t), c.path);
    expect(outcome.open).toBe(false);
    if (outcome.open) return;
    expect(outcome.status).toBe(c.status);
    expect(JSON.parse(outcome.body)).toEqual({ error: { code: c.code, message: expect.any(String) } });
  });

  it('is accepted with the cookie and our Origin, and answers requests by id', async () => {
    const outcome = await connectWs(t.port, { origin: t.origin, cookie: `mtls_lab_token_${t.port}=${t.token}` });
    expect(outcome.open).toBe(true);
    if (!outcome.open) return;
    const socket = outcome.client;
    try {
      expect(await socket.call({ type: 'ping' })).toMatchObject({ type: 'reply', ok: true });
      expect(await socket.call({ type: 'subscribe', sandbox: 'no-such-sandbox' })).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_FOUND' } });
      expect(await socket.call({ type: 'launch' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    } finally {
      await socket.close();
    }
  });

  it('is accepted with Bearer and no Origin (a non-browser client)', async () => {
    const outcome = await connectWs(t.port, { authorization: bearer(t) });
    expect(outcome.open).toBe(true);
    if (outcome.open) await outcome.client.close();
  });
});
