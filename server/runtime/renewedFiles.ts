/**
 * A service that read its certificate at start and was never reloaded, while a renewal job
 * rewrote its files. Such a service starts on its own copies of its certificate, chain and
 * key (service-<name>.crt, .chain.pem, .key), holding the certificate it `loaded` then; once
 * it listens, the renewal job writes the renewed certificate — its `cert` — over them, in
 * place, as cert-manager or a cron job does. The process keeps serving what it read at start
 * (Node and s_server read their files once); the files on disk say otherwise.
 *
 *   loaded ──write──▶ service-<name>.{crt,chain.pem,key} ──read at start──▶ what the service serves
 *   cert   ──rewrite, after it listens──▶ the same files ──▶ what `openssl x509 -in` shows, and a reload would serve
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectCertificate } from '../pki/inspect.js';
import { writePrivateFile, type Pki } from '../pki/index.js';
import type { RenewedCertificate } from './types.js';

export interface ServiceFiles {
  certPath: string;
  chainPath: string;
  keyPath: string;
}

/** The service's own copies of its certificate, chain and key in the sandbox directory. */
export function serviceFiles(dir: string, service: string): ServiceFiles {
  return { certPath: join(dir, `service-${service}.crt`), chainPath: join(dir, `service-${service}.chain.pem`), keyPath: join(dir, `service-${service}.key`) };
}

/** Writes `cert`, its chain and the key of `keyOf` (its own, unless the lab deploys another's) into the service's files. */
export async function writeServiceFiles(files: ServiceFiles, pki: Pki, cert: string, keyOf: string): Promise<void> {
  await Promise.all([
    writeFile(files.certPath, pki.certificates.get(cert)!.certPem),
    writeFile(files.chainPath, pki.chainPem(cert)),
    writePrivateFile(files.keyPath, pki.certificates.get(keyOf)!.keyPem),
  ]);
}

/**
 * The certificate the service loads at start, written into its files only when there are none
 * yet: once it has started, the files are the renewal job's, and a live change of the sandbox
 * must not put the old certificate back.
 */
export async function writeLoaded(files: ServiceFiles, pki: Pki, loaded: string): Promise<void> {
  if (await stat(files.certPath).then(() => true, () => false)) return;
  await writeServiceFiles(files, pki, loaded, loaded);
}

/** What the renewal job wrote, in the terms the decoder gives a certificate on the wire. */
export function renewedCertificate(pki: Pki, cert: string): RenewedCertificate {
  const { subject, serialNumber, notAfter, sha256 } = inspectCertificate(new Uint8Array(pki.certificates.get(cert)!.certificate.rawData));
  return { subject, serialNumber, notAfter, sha256 };
}
