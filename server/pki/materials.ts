import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pki } from './issuePki.js';

export interface CertificatePaths {
  cert: string;
  key: string;
  chain: string;
}

export interface Materials {
  dir: string;
  /** Throws TypeError for a name not in the lab. */
  paths(name: string): CertificatePaths;
  /** Writes (once, cached) a PEM bundle of the named CA certs and returns its path, e.g. dir/trust-corp-root.pem */
  trustBundle(caNames: readonly string[]): Promise<string>;
  /** Throws TypeError for a name that is not a CA in the lab. */
  crlPath(caName: string): string;
}

/**
 * Lab names become file names; the lab schema already allows only these, and checking again
 * here keeps a name like "../x" from ever writing outside the sandbox.
 */
const fileSafeName = /^[a-z][a-z0-9-]*$/;

/**
 * Writes <name>.crt, <name>.key (mode 0600), <name>.chain.pem and <ca>.crl.pem into dir.
 * Given the `previous` PKI written there (a running sandbox's), only the files whose content
 * changed are written again, in place.
 *
 *   Pki ──▶ dir/{name.crt, name.key, name.chain.pem, ca.crl.pem, trust-*.pem} ──▶ TLS stacks
 */
export async function writeMaterials(pki: Pki, dir: string, previous?: Pki): Promise<Materials> {
  await writeMaterialFiles(pki, dir, previous);
  return writtenMaterials(pki, dir);
}

/** writeMaterials' files alone (the PKI's thread writes them beside issuing, pkiThread.ts). */
export async function writeMaterialFiles(pki: Pki, dir: string, previous?: Pki): Promise<void> {
  for (const name of pki.certificates.keys()) {
    if (!fileSafeName.test(name)) {
      throw new TypeError(`writeMaterials: certificate name "${name}" is not lower-case words joined by '-'`);
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const chainBefore = (name: string): string | undefined => (previous?.certificates.has(name) ? previous.chainPem(name) : undefined);
  await Promise.all([
    ...[...pki.certificates.values()].flatMap((issued) => {
      const { name, certPem, keyPem } = issued;
      const paths = pathsOf(dir, name);
      const chain = pki.chainPem(name);
      const before = previous?.certificates.get(name);
      return [
        certPem !== before?.certPem ? writeFile(paths.cert, certPem) : undefined,
        keyPem !== before?.keyPem ? writePrivateFile(paths.key, keyPem) : undefined,
        chain !== chainBefore(name) ? writeFile(paths.chain, chain) : undefined,
      ];
    }),
    ...[...pki.crls].map(([caName, pem]) => (pem !== previous?.crls.get(caName) ? writeFile(crlPathOf(dir, caName), pem) : undefined)),
  ]);
}

const pathsOf = (dir: string, name: string): CertificatePaths => ({
  cert: join(dir, `${name}.crt`),
  key: join(dir, `${name}.key`),
  chain: join(dir, `${name}.chain.pem`),
});
const crlPathOf = (dir: string, caName: string): string => join(dir, `${caName}.crl.pem`);

/** The Materials of `pki`, whose files are written in `dir` (writeMaterialFiles). */
export function writtenMaterials(pki: Pki, dir: string): Materials {
  const known = (): string => [...pki.certificates.keys()].join(', ');
  const bundles = new Map<string, Promise<string>>();

  return {
    dir,
    paths(name) {
      if (!pki.certificates.has(name)) {
        throw new TypeError(`paths: "${name}" is not a certificate in this lab (known: ${known()})`);
      }
      return pathsOf(dir, name);
    },
    async trustBundle(caNames) {
      // Order inside a bundle means nothing to a verifier, so [a, b] and [b, a] share a file.
      const names = [...new Set(caNames)].sort();
      if (names.length === 0) {
        throw new TypeError('trustBundle: caNames is empty; a bundle trusts at least one certificate');
      }
      for (const name of names) {
        if (!pki.certificates.has(name)) {
          throw new TypeError(`trustBundle: "${name}" is not a certificate in this lab (known: ${known()})`);
        }
      }
      const key = names.join('+');
      let bundle = bundles.get(key);
      if (bundle === undefined) {
        const path = join(dir, `trust-${key}.pem`);
        const pem = names.map((name) => pki.certificates.get(name)!.certPem).join('');
        bundle = writeFile(path, pem).then(() => path);
        bundles.set(key, bundle);
        // A failed write is not cached: the next call tries again.
        bundle.catch(() => bundles.delete(key));
      }
      return bundle;
    },
    crlPath(caName) {
      if (!pki.crls.has(caName)) {
        throw new TypeError(
          `crlPath: "${caName}" is not a CA in this lab (CAs: ${[...pki.crls.keys()].join(', ')})`,
        );
      }
      return crlPathOf(dir, caName);
    },
  };
}

/**
 * A private key is created 0600 and never written into an existing file: `mode` applies only
 * when a file is created, so an older, looser file is removed first.
 */
export async function writePrivateFile(path: string, data: string): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, data, { mode: 0o600, flag: 'wx' });
}
