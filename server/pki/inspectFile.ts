/**
 * Every certificate of one PEM file (a chain a party presents, a bundle of trust anchors),
 * inspected and printed by the real OpenSSL: the certificate inspector's view of a file,
 * the same a learner gets from `openssl x509 -in <file> -noout -text` in the terminal.
 *
 *   file ──pemBlocks──▶ block ─┬─pemToDer──▶ inspectCertificate ──▶ facts + validity now
 *                              └─opensslText ──────────────────────▶ text
 */
import { inspectCertificate, type CertificateFacts } from './inspect.js';
import { opensslText } from './opensslText.js';
import { pemBlocks, pemToDer } from './pem.js';
import { maxPemFileBytes, readSandboxFile } from './sandboxFile.js';
import { validityAt, type Validity } from './validity.js';

export interface InspectedCertificate extends CertificateFacts {
  /** At the instant the file was inspected. */
  validity: Validity;
  /** `openssl x509 -noout -text`, verbatim; or, when openssl could not run, why (see opensslError). */
  opensslText: string;
  opensslError?: boolean;
}

/** The certificates of `path` in file order (a chain: leaf first). Judged valid or not at `atMs`. */
export async function inspectCertificateFile(path: string, atMs: number): Promise<InspectedCertificate[]> {
  const blocks = pemBlocks(await readSandboxFile(path, maxPemFileBytes)).filter((block) => block.startsWith('-----BEGIN CERTIFICATE-----'));
  return Promise.all(
    blocks.map(async (block) => {
      const facts = inspectCertificate(pemToDer(block));
      const text = await opensslText(block).then(
        (opensslText) => ({ opensslText }),
        (error: Error) => ({ opensslText: error.message, opensslError: true }),
      );
      return { ...facts, validity: validityAt(facts, atMs), ...text };
    }),
  );
}
