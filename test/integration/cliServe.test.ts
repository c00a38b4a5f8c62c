/**
 * `mtls-lab serve` for a team (issue 9), driven as a facilitator would: started on 0.0.0.0
 * with a proxy's name allowed, it prints a URL for each address it listens on — loopback
 * first, never 0.0.0.0 — and each of those URLs opens the lab, as does the allowed name;
 * a foreign Host is refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLab, type ServingLab } from '../helpers/cli.js';

/** GET with a Host header of our choosing (fetch sets Host itself, from the URL). */
function get(port: number, host: string, target: string, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, headers: { host, ...headers }, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('error', reject).end();
  });
}

describe('mtls-lab serve --host 0.0.0.0 --allowed-hosts lab.example', () => {
  let dataDir: string;
  let lab: ServingLab;
  let port: number;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-serve-'));
    lab = await serveLab(['--host', '0.0.0.0', '--port', '0', '--allowed-hosts', 'lab.example', '--no-open'], { env: { ...process.env, MTLS_LAB_DATA_DIR: dataDir, TMPDIR: dataDir } });
    const first = new URL(lab.urls[0]!);
    port = Number(first.port);
    token = first.searchParams.get('token')!;
  });

  afterAll(async () => {
    if (lab) expect(await lab.stop()).toBe(0);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints a URL for each IPv4 address of this machine, loopback first, and none for 0.0.0.0', () => {
    const v4 = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((i) => i.family === 'IPv4');
    const expected = [...v4.filter((i) => i.internal), ...v4.filter((i) => !i.internal)].map((i) => i.address);
    expect(lab.urls.map((url) => new URL(url).hostname)).toEqual(expected);
    expect(lab.urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+$/);
    for (const url of lab.urls) expect(url).toBe(`http://${new URL(url).hostname}:${port}/?token=${token}`);
    expect(lab.lines.filter((line) => line.includes('://0.0.0.0'))).toEqual([]);
    expect(lab.lines).toContain(`Note: it also answers to lab.example (--allowed-hosts); through a proxy, open the proxy's URL with /?token=${token}.`);
  });

  it('opens the lab at every printed URL: the token becomes a cookie, and the API answers with it', async () => {
    for (const url of lab.urls) {
      const swap = await fetch(url, { redirect: 'manual' });
      expect(swap.status, url).toBe(302);
      expect(swap.headers.get('location')).toBe('/');
      const cookie = swap.headers.get('set-cookie')!.split(';')[0]!;
      expect(cookie).toBe(`mtls_lab_token_${port}=${token}`);
      const labs = await fetch(new URL('/api/labs', url), { headers: { cookie } });
      expect(labs.status, url).toBe(200);
      expect(((await labs.json()) as { labs: unknown[] }).labs.length).toBeGreaterThan(0);
    }
  });

  it('answers Host: lab.example, as a proxy forwards it', async () => {
    const res = await get(port, 'lab.example', '/api/labs', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
  });

  it.each(['evil.example', 'www.lab.example', `0.0.0.0:PORT`])('refuses Host: %s', async (host) => {
    const res = await get(port, host.replace('PORT', String(port)), '/api/labs', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('HOST_NOT_ALLOWED');
  });
});
