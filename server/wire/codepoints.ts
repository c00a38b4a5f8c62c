/**
 * Names for the numbers TLS puts on the wire. Unknown values survive and print as
 * `unknown (0x1a2b)`; GREASE values (RFC 8701 §2), which clients send precisely so that
 * servers learn to ignore unknown values, print as `GREASE (0x?a?a)`.
 * Registries: IANA "TLS Parameters"; sections cited per table.
 */
import { alertNames } from '../faults/alerts.js';

export function hex(value: number, width = 4): string {
  return `0x${value.toString(16).padStart(width, '0')}`;
}

/** RFC 8701 §2: 0x0A0A, 0x1A1A, … 0xFAFA — both bytes equal, low nibble 0xA. */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

function namer(table: ReadonlyMap<number, string>, width = 4, grease = false): (value: number) => string {
  return (value) => {
    const name = table.get(value);
    if (name) return name;
    if (grease && isGrease(value)) return `GREASE (${hex(value, width)})`;
    return `unknown (${hex(value, width)})`;
  };
}

/** RFC 8446 §5.1 ContentType. */
export const contentTypes = new Map<number, string>([
  [20, 'change_cipher_spec'],
  [21, 'alert'],
  [22, 'handshake'],
  [23, 'application_data'],
  [24, 'heartbeat'],
]);
export const contentTypeName = namer(contentTypes, 2);

/** RFC 8446 §4 HandshakeType (plus RFC 5246 §7.4 types TLS 1.3 dropped). */
export const handshakeTypes = new Map<number, string>([
  [0, 'HelloRequest'],
  [1, 'ClientHello'],
  [2, 'ServerHello'],
  [3, 'HelloVerifyRequest'],
  [4, 'NewSessionTicket'],
  [5, 'EndOfEarlyData'],
  [6, 'HelloRetryRequest'],
  [8, 'EncryptedExtensions'],
  [11, 'Certificate'],
  [12, 'ServerKeyExchange'],
  [13, 'CertificateRequest'],
  [14, 'ServerHelloDone'],
  [15, 'CertificateVerify'],
  [16, 'ClientKeyExchange'],
  [20, 'Finished'],
  [21, 'CertificateURL'],
  [22, 'CertificateStatus'],
  [24, 'KeyUpdate'],
  [25, 'CompressedCertificate'],
  [254, 'MessageHash'],
]);
export const handshakeTypeName = namer(handshakeTypes, 2);

/** RFC 8446 §4.2.1 and RFC 5246 Appendix E. */
export const versions = new Map<number, string>([
  [0x0300, 'SSL 3.0'],
  [0x0301, 'TLS 1.0'],
  [0x0302, 'TLS 1.1'],
  [0x0303, 'TLS 1.2'],
  [0x0304, 'TLS 1.3'],
  [0x7f1c, 'TLS 1.3 draft 28'],
  [0xfeff, 'DTLS 1.0'],
  [0xfefd, 'DTLS 1.2'],
  [0xfefc, 'DTLS 1.3'],
]);
export const versionName = namer(versions, 4, true);

/** RFC 8446 §B.4, RFC 5289, RFC 7905, RFC 5746, RFC 7507. */
export const cipherSuites = new Map<number, string>([
  [0x1301, 'TLS_AES_128_GCM_SHA256'],
  [0x1302, 'TLS_AES_256_GCM_SHA384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0000, 'TLS_NULL_WITH_NULL_NULL'],
  [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
  [0x5600, 'TLS_FALLBACK_SCSV'],
]);
export const cipherSuiteName = namer(cipherSuites, 4, true);

/** RFC 8446 §4.2.7, RFC 8422 §5.1.1, draft-ietf-tls-ecdhe-mlkem. */
export const namedGroups = new Map<number, string>([
  [0x0017, 'secp256r1'],
  [0x0018, 'secp384r1'],
  [0x0019, 'secp521r1'],
  [0x001d, 'x25519'],
  [0x001e, 'x448'],
  [0x0100, 'ffdhe2048'],
  [0x0101, 'ffdhe3072'],
  [0x0102, 'ffdhe4096'],
  [0x0103, 'ffdhe6144'],
  [0x0104, 'ffdhe8192'],
  [0x11eb, 'SecP256r1MLKEM768'],
  [0x11ec, 'X25519MLKEM768'],
  [0x11ed, 'SecP384r1MLKEM1024'],
  [0x6399, 'X25519Kyber768Draft00'],
]);
export const namedGroupName = namer(namedGroups, 4, true);

/** RFC 8446 §4.2.3 SignatureScheme (and the RFC 5246 hash/signature pairs it subsumes). */
export const signatureSchemes = new Map<number, string>([
  [0x0401, 'rsa_pkcs1_sha256'],
  [0x0501, 'rsa_pkcs1_sha384'],
  [0x0601, 'rsa_pkcs1_sha512'],
  [0x0403, 'ecdsa_secp256r1_sha256'],
  [0x0503, 'ecdsa_secp384r1_sha384'],
  [0x0603, 'ecdsa_secp521r1_sha512'],
  [0x0804, 'rsa_pss_rsae_sha256'],
  [0x0805, 'rsa_pss_rsae_sha384'],
  [0x0806, 'rsa_pss_rsae_sha512'],
  [0x0807, 'ed25519'],
  [0x0808, 'ed448'],
  [0x0809, 'rsa_pss_pss_sha256'],
  [0x080a, 'rsa_pss_pss_sha384'],
  [0x080b, 'rsa_pss_pss_sha512'],
  [0x081a, 'ecdsa_brainpoolP256r1tls13_sha256'],
  [0x081b, 'ecdsa_brainpoolP384r1tls13_sha384'],
  [0x081c, 'ecdsa_brainpoolP512r1tls13_sha512'],
  [0x0201, 'rsa_pkcs1_sha1'],
  [0x0203, 'ecdsa_sha1'],
  [0x0301, 'rsa_pkcs1_sha224'],
  [0x0303, 'ecdsa_sha224'],
  [0x0402, 'dsa_sha256'],
  [0x0202, 'dsa_sha1'],
  [0x0904, 'mldsa44'],
  [0x0905, 'mldsa65'],
  [0x0906, 'mldsa87'],
]);
export const signatureSchemeName = namer(signatureSchemes, 4, true);

/** IANA ExtensionType; RFC 8446 §4.2 for the TLS 1.3 ones. */
export const extensionTypes = new Map<number, string>([
  [0, 'server_name'],
  [1, 'max_fragment_length'],
  [5, 'status_request'],
  [10, 'supported_groups'],
  [11, 'ec_point_formats'],
  [13, 'signature_algorithms'],
  [14, 'use_srtp'],
  [15, 'heartbeat'],
  [16, 'application_layer_protocol_negotiation'],
  [18, 'signed_certificate_timestamp'],
  [19, 'client_certificate_type'],
  [20, 'server_certificate_type'],
  [21, 'padding'],
  [22, 'encrypt_then_mac'],
  [23, 'extended_master_secret'],
  [27, 'compress_certificate'],
  [28, 'record_size_limit'],
  [34, 'delegated_credential'],
  [35, 'session_ticket'],
  [41, 'pre_shared_key'],
  [42, 'early_data'],
  [43, 'supported_versions'],
  [44, 'cookie'],
  [45, 'psk_key_exchange_modes'],
  [47, 'certificate_authorities'],
  [48, 'oid_filters'],
  [49, 'post_handshake_auth'],
  [50, 'signature_algorithms_cert'],
  [51, 'key_share'],
  [57, 'quic_transport_parameters'],
  [0x4469, 'application_settings'],
  [0xfe0d, 'encrypted_client_hello'],
  [0xff01, 'renegotiation_info'],
]);
export const extensionName = namer(extensionTypes, 4, true);

/** RFC 8446 §6 AlertDescription: the one table of faults/alerts.ts, which runtime and explain read too. */
export const alertDescriptions = alertNames;
export const alertDescriptionName = namer(alertDescriptions, 2);

/** RFC 8446 §6 AlertLevel. */
export const alertLevels = new Map<number, string>([
  [1, 'warning'],
  [2, 'fatal'],
]);
export const alertLevelName = namer(alertLevels, 2);

/** RFC 8446 §4.2.9. */
export const pskKeyExchangeModes = new Map<number, string>([
  [0, 'psk_ke'],
  [1, 'psk_dhe_ke'],
]);
export const pskKeyExchangeModeName = namer(pskKeyExchangeModes, 2);

/** RFC 8422 §5.1.2. */
export const ecPointFormats = new Map<number, string>([
  [0, 'uncompressed'],
  [1, 'ansiX962_compressed_prime'],
  [2, 'ansiX962_compressed_char2'],
]);
export const ecPointFormatName = namer(ecPointFormats, 2);

/** RFC 5246 §7.4.4 ClientCertificateType. */
export const certificateTypes = new Map<number, string>([
  [1, 'rsa_sign'],
  [2, 'dss_sign'],
  [3, 'rsa_fixed_dh'],
  [4, 'dss_fixed_dh'],
  [64, 'ecdsa_sign'],
  [65, 'rsa_fixed_ecdh'],
  [66, 'ecdsa_fixed_ecdh'],
]);
export const certificateTypeName = namer(certificateTypes, 2);

/** RFC 8446 §4.6.3. */
export const keyUpdateRequests = new Map<number, string>([
  [0, 'update_not_requested'],
  [1, 'update_requested'],
]);
export const keyUpdateRequestName = namer(keyUpdateRequests, 2);

/** RFC 5246 §7.4.1.2 CompressionMethod. */
export const compressionMethods = new Map<number, string>([
  [0, 'null'],
  [1, 'DEFLATE'],
]);
export const compressionMethodName = namer(compressionMethods, 2);

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
export const helloRetryRequestRandom = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

/** RFC 8446 §4.1.3: the last 8 bytes of a TLS 1.3 server's random when it negotiates TLS 1.2 / 1.1 or below. */
export const downgradeSentinels = new Map<string, string>([
  ['444f574e47524401', 'DOWNGRD (TLS 1.2 negotiated by a TLS 1.3 server)'],
  ['444f574e47524400', 'DOWNGRD (TLS 1.1 or below negotiated by a TLS 1.3 server)'],
]);
