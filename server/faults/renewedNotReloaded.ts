import { expiredCert } from './expiredCert.js';
import { chainOf, described, evidenceOf, finding, possessive, readableTime, shortName, witnesses } from './evidence.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';
import { predecessor } from './predecessor.js';

/**
 * Renewed but not reloaded: the renewal job wrote a new certificate and key into the
 * service's files weeks ago, but the process read its files once, at start, and still serves
 * the old certificate from memory — until it expires. Every verifier then says "certificate
 * has expired" (10, alert 45), exactly as for a certificate nobody renewed; what tells them
 * apart is off the wire: the file on disk is valid, `openssl x509 -in` shows it. The fault
 * starts the service on its certificate's predecessor (expired six hours ago) and has the
 * runtime write the renewed one over its files once it listens (runtime/renewedFiles.ts).
 */
export const renewedNotReloaded: Fault = {
  kind: 'renewed-not-reloaded',
  title: 'Certificate renewed on disk, never reloaded',
  summary: 'The certificate files were renewed, but the running process still serves the certificate it read at start, now expired.',
  target: 'service',
  fixes: ['reload'],
  params: noParams,
  signal: expiredCert.signal!,
  rules: {
    /**
     * The served leaf is out of date while the service's files hold a renewed certificate for
     * the same subject (the sandbox's files-renewed report): only where that is known. A
     * capture without it is expired-cert's.
     */
    servedStale(f) {
      const served = chainOf(f.serverCert)[0];
      const disk = f.serverCertOnDisk;
      if (!f.serverCert || !served || !disk || served.validity !== 'expired' || served.subject !== disk.subject || served.sha256 === disk.sha256) return undefined;
      const refused = witnesses(f, expiredCert.signal!)[0];
      return finding('renewed-not-reloaded', 'client', evidenceOf(f.serverCert, 'serialNumber', served.serialNumber),
        `${f.service} serves ${shortName(served.subject)} serial ${served.serialNumber}, expired at ${readableTime(served.notAfter)}, while ${possessive(f.service)} files on disk hold its renewal, serial ${disk.serialNumber}, valid until ${readableTime(disk.notAfter)}: the process read its certificate at start and was never reloaded${refused ? `; ${f.client} refused it (${described(refused)})` : ''}`);
    },
  },
  // What each stack prints is an expired certificate's, word for word: the renewal is off the wire.
  wording: expiredCert.wording,
  apply(spec, target) {
    const next = cloneSpec(spec);
    const service = next.services[target]!;
    service.loaded = predecessor(next, service.cert, { notBefore: '-90d', notAfter: '-6h' });
    return next;
  },
};
