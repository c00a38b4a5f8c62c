import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePki, type Pki } from './issuePki.js';
import { writeMaterials, type Materials } from './materials.js';
import { pkiSpec } from './testing.js';

const lab = pkiSpec({
  'corp-root': { ca: true },
  'corp-issuing': { issuer: 'corp-root', ca: true, pathLen: 0 },
  'auth-server': { issuer: 'corp-issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
  'partner-root': { ca: true },
});

let root: string;
let dir: string;
let pki: Pki;
let materials: Materials;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mtls-lab-materials-'));
  dir = join(root, 'sandbox');
  pki = await issuePki(lab);
  materials = await writeMaterials(pki, dir);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('writeMaterials', () => {
  it('writes the certificate, key, chain and CRL files named after the lab', async () => {
    expect((await readdir(dir)).sort()).toEqual([
      'auth-server.chain.pem',
      'auth-server.crt',
      'auth-server.key',
      'corp-issuing.chain.pem',
      'corp-issuing.crl.pem',
      'corp-issuing.crt',
      'corp-issuing.key',
      'corp-root.chain.pem',
      'corp-root.crl.pem',
      'corp-root.crt',
      'corp-root.key',
      'partner-root.chain.pem',
      'partner-root.crl.pem',
      'partner-root.crt',
      'partner-root.key',
    ]);
  });

  it('creates key files with mode 0600', async () => {
    for (const name of pki.certificates.keys()) expect(await mode(materials.paths(name).key)).toBe(0o600);
  });

  it('creates a key file 0600 even where a looser file was left before', async () => {
    const again = join(root, 'again');
    const loose = join(again, 'auth-server.key');
    await writeMaterials(pki, again);
    await rm(loose);
    await writeFile(loose, 'old', { mode: 0o644 });
    await writeMaterials(pki, again);
    expect(await mode(loose)).toBe(0o600);
    expect(await readFile(loose, 'utf8')).toBe(pki.certificates.get('auth-server')!.keyPem);
  });

  it('writes the chain file leaf first, then the intermediate, without the root', async () => {
    const chain = await readFile(materials.paths('auth-server').chain, 'utf8');
    const certPem = (name: string) => pki.certificates.get(name)!.certPem;
    expect(chain).toBe(certPem('auth-server') + certPem('corp-issuing'));
  });

  it('ends every file it writes with a newline', async () => {
    for (const file of await readdir(dir)) expect(await readFile(join(dir, file), 'utf8')).toMatch(/-----\n$/);
  });

  it('writes each CA its CRL', async () => {
    expect(await readFile(materials.crlPath('corp-issuing'), 'utf8')).toBe(pki.crls.get('corp-issuing'));
  });

  it('throws a TypeError naming an unknown certificate in paths', () => {
    expect(() => materials.paths('corp-rooot')).toThrow(TypeError);
    expect(() => materials.paths('corp-rooot')).toThrow('"corp-rooot"');
  });

  it('throws a TypeError for the CRL path of a certificate that is not a CA', () => {
    expect(() => materials.crlPath('auth-server')).toThrow(TypeError);
  });
});

describe('Materials.trustBundle', () => {
  it('writes the named CA certificates into dir/trust-<names>.pem', async () => {
    const path = await materials.trustBundle(['corp-root']);
    expect(path).toBe(join(dir, 'trust-corp-root.pem'));
    expect(await readFile(path, 'utf8')).toBe(pki.certificates.get('corp-root')!.certPem);
  });

  it('bundles several CAs in one file, whatever order they are named in', async () => {
    const path = await materials.trustBundle(['partner-root', 'corp-root']);
    expect(path).toBe(join(dir, 'trust-corp-root+partner-root.pem'));
    expect(await materials.trustBundle(['corp-root', 'partner-root', 'corp-root'])).toBe(path);
    const certPem = (name: string) => pki.certificates.get(name)!.certPem;
    expect(await readFile(path, 'utf8')).toBe(certPem('corp-root') + certPem('partner-root'));
  });

  it('writes a bundle once and returns the cached path after', async () => {
    const path = await materials.trustBundle(['corp-issuing']);
    await rm(path);
    expect(await materials.trustBundle(['corp-issuing'])).toBe(path);
    await expect(stat(path)).rejects.toThrow('ENOENT');
  });

  it('rejects with a TypeError naming an unknown CA', async () => {
    await expect(materials.trustBundle(['corp-rooot'])).rejects.toThrow(TypeError);
    await expect(materials.trustBundle(['corp-rooot'])).rejects.toThrow('"corp-rooot"');
  });

  it('rejects an empty list with a TypeError', async () => {
    await expect(materials.trustBundle([])).rejects.toThrow(TypeError);
  });
});

describe('writeMaterials given the PKI written before', () => {
  it('writes again only the files whose content changed, in place', async () => {
    const again = join(root, 'live');
    await writeMaterials(pki, again);
    // A file it must leave alone: a mark in it survives only if it is not written again.
    await writeFile(join(again, 'corp-root.crt'), 'untouched');
    const next = await issuePki({ ...lab, 'auth-server': { ...lab['auth-server']!, validity: { ...lab['auth-server']!.validity, notAfter: '+30d' } } }, new Date(), pki);
    await writeMaterials(next, again, pki);
    expect(await readFile(join(again, 'corp-root.crt'), 'utf8')).toBe('untouched');
    expect(await readFile(join(again, 'auth-server.crt'), 'utf8')).toBe(next.certificates.get('auth-server')!.certPem);
    expect(await readFile(join(again, 'auth-server.chain.pem'), 'utf8')).toBe(next.chainPem('auth-server'));
    expect(await mode(join(again, 'auth-server.key'))).toBe(0o600);
  });
});
