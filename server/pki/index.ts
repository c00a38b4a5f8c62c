/**
 * The PKI room: a lab's certificate specs in, real certificates, keys, CRLs and the files
 * the TLS stacks read out; and the inspection of those files, as OpenSSL would print them.
 *
 *   LabSpec['pki'] ──issuePki──▶ Pki ──writeMaterials──▶ Materials (PEM files in the sandbox)
 *                  (issuePkiInThread: both, in the PKI's own thread, as a running server issues)
 *   PEM file ──inspectCertificateFile──▶ CertificateFacts + validity + `openssl x509 -text`
 */
export { resolveRelativeTime } from './relativeTime.js';
export type { IssuedCertificate } from './issueCertificate.js';
export { issuePki, type Pki } from './issuePki.js';
export { issuePkiInThread } from './pkiWorker.js';
export { writeMaterials, writtenMaterials, writePrivateFile, type CertificatePaths, type Materials } from './materials.js';
export type { CertificateFacts } from './inspect.js';
export { inspectCertificateFile, type InspectedCertificate } from './inspectFile.js';
export { openSandboxFile } from './sandboxFile.js';
export { pemBlocks } from './pem.js';
export type { Validity } from './validity.js';
