import type { KeyAlgorithm } from '../lab/schema.js';
import { pemBlock } from './pem.js';
import { x509 } from './x509.js';

const { subtle } = x509.cryptoProvider.get();

const generateParams = {
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256' },
  'rsa-2048': {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
  ed25519: { name: 'Ed25519' },
} satisfies Record<KeyAlgorithm, AlgorithmIdentifier | EcKeyGenParams | RsaHashedKeyGenParams>;

/** Extractable, because the private key is written to the sandbox as PKCS#8 for the TLS stacks. */
export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(generateParams[algorithm], true, ['sign', 'verify'])) as CryptoKeyPair;
}

/**
 * The signature algorithm of whatever a key signs: it follows the signer's key, so an RSA
 * CA signs an ECDSA leaf with sha256WithRSAEncryption (RFC 5280 §4.1.1.2). Ed25519 has no
 * separate hash (RFC 8410 §6).
 */
export function signingAlgorithm(signingKey: CryptoKey): Algorithm | EcdsaParams | RsaHashedImportParams {
  const { name } = signingKey.algorithm;
  switch (name) {
    case 'ECDSA':
      return { name, hash: 'SHA-256' };
    case 'RSASSA-PKCS1-v1_5':
      return { name, hash: 'SHA-256' };
    case 'Ed25519':
      return { name };
    default:
      throw new TypeError(`signing key algorithm "${name}" is not one of ECDSA, RSASSA-PKCS1-v1_5, Ed25519`);
  }
}

/** PKCS#8 (RFC 5208), the `PRIVATE KEY` form that Node's tls, OpenSSL and curl all read. */
export async function privateKeyPem(privateKey: CryptoKey): Promise<string> {
  const pkcs8 = await subtle.exportKey('pkcs8', privateKey);
  return pemBlock(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
}
