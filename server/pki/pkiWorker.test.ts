import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writtenMaterials } from './materials.js';
import { issuePkiInThread } from './pkiWorker.js';
import { pkiSpec } from './testing.js';
import { x509 } from './x509.js';

const lab = pkiSpec({
  root: { ca: true },
  issuing: { issuer: 'root', ca: true, pathLen: 0 },
  server: { issuer: 'issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
  client: { issuer: 'issuing', san: ['uri:spiffe://corp.test/payments'], eku: ['clientAuth'], revoked: true },
});

describe('issuePkiInThread', () => {
  it('gives a Pki as issuePki does: parsed certificates signed by their issuers, chains, CRLs and usable keys', async () => {
    const pki = await issuePkiInThread(lab);
    const cert = (name: string): x509.X509Certificate => pki.certificates.get(name)!.certificate;
    expect(cert('server')).toBeInstanceOf(x509.X509Certificate);
    expect(await cert('server').verify({ publicKey: cert('issuing').publicKey, signatureOnly: true })).toBe(true);
    expect(cert('server').issuer).toBe(cert('issuing').subject);
    expect(pki.chainPem('server')).toBe(pki.certificates.get('server')!.certPem + pki.certificates.get('issuing')!.certPem);
    expect(new x509.X509Crl(pki.crls.get('issuing')!).entries.map((entry) => entry.serialNumber)).toEqual([cert('client').serialNumber]);
    const { privateKey, publicKey } = pki.keyPairs.get('client')!;
    const data = new TextEncoder().encode('signed in the main thread');
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, data)).toBe(true);
  });

  it('given the running PKI, issues again only what changed, keeping its key', async () => {
    const previous = await issuePkiInThread(lab);
    const next = await issuePkiInThread({ ...lab, server: { ...lab.server!, san: ['dns:other.corp.test'] } }, { previous });
    const pem = (pki: typeof previous, name: string): string => pki.certificates.get(name)!.certPem;
    expect(['root', 'issuing', 'client'].map((name) => pem(next, name))).toEqual(['root', 'issuing', 'client'].map((name) => pem(previous, name)));
    expect(pem(next, 'server')).not.toBe(pem(previous, 'server'));
    expect(next.certificates.get('server')!.keyPem).toBe(previous.certificates.get('server')!.keyPem);
  });

  it('writes the files writtenMaterials names, the key private to its owner, and again only what changed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-pki-thread-'));
    try {
      const pki = await issuePkiInThread(lab, { writeTo: dir });
      const materials = writtenMaterials(pki, dir);
      const { cert, key, chain } = materials.paths('client');
      expect(await readFile(cert, 'utf8')).toBe(pki.certificates.get('client')!.certPem);
      expect(await readFile(chain, 'utf8')).toBe(pki.chainPem('client'));
      expect(await readFile(key, 'utf8')).toBe(pki.certificates.get('client')!.keyPem);
      expect((await stat(key)).mode & 0o777).toBe(0o600);
      expect(await readFile(materials.crlPath('issuing'), 'utf8')).toBe(pki.crls.get('issuing'));

      const rootWritten = (await stat(materials.paths('root').cert)).mtimeMs;
      const next = await issuePkiInThread({ ...lab, client: { ...lab.client!, revoked: false } }, { previous: pki, writeTo: dir });
      expect(await readFile(materials.crlPath('issuing'), 'utf8')).toBe(next.crls.get('issuing'));
      expect(next.crls.get('issuing')).not.toBe(pki.crls.get('issuing'));
      expect((await stat(materials.paths('root').cert)).mtimeMs).toBe(rootWritten);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a lab it cannot issue with issuePki's own TypeError", async () => {
    const orphan = pkiSpec({ leaf: { issuer: 'nowhere' } });
    await expect(issuePkiInThread(orphan)).rejects.toThrow(TypeError);
    await expect(issuePkiInThread(orphan)).rejects.toThrow(/nowhere/);
  });

  it('keeps a process alive while it issues, and lets it exit once it has', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const worker = pathToFileURL(new URL('./pkiWorker.ts', import.meta.url).pathname).href;
    const testing = pathToFileURL(new URL('./testing.ts', import.meta.url).pathname).href;
    const script = [
      `const { issuePkiInThread } = await import(${JSON.stringify(worker)});`,
      `const { pkiSpec } = await import(${JSON.stringify(testing)});`,
      `issuePkiInThread(pkiSpec({ root: { ca: true } })).then((pki) => console.log(pki.certificates.get('root').certificate.subject));`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('O=mtls-lab, CN=root');
  });
});
