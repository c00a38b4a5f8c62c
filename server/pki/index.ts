/**
 * The PKI room: a lab's certificate specs in, real certificates, keys, CRLs and the files
 * the TLS stacks read out.
 *
 *   LabSpec['pki'] ──issuePki──▶ Pki ──writeMaterials──▶ Materials (PEM files in the sandbox)
 */
export { resolveRelativeTime } from './relativeTime.js';
export type { IssuedCertificate } from './issueCertificate.js';
export { issuePki, type Pki } from './issuePki.js';
export { writeMaterials, type CertificatePaths, type Materials } from './materials.js';
