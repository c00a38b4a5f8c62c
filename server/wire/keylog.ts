/**
 * NSS key-log lines (the SSLKEYLOGFILE format, also what Node's `keylog` event emits):
 * `<LABEL> <client_random hex, 32 bytes> <secret hex>`. Entries are indexed by the client
 * random, which is how a decoder finds the secrets of one connection among many.
 * Format: https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/
 */

export type KeyLogLabel =
  | 'CLIENT_RANDOM'
  | 'CLIENT_EARLY_TRAFFIC_SECRET'
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0'
  | 'EARLY_EXPORTER_SECRET'
  | 'EXPORTER_SECRET';

const knownLabels = new Set<string>([
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EARLY_EXPORTER_SECRET',
  'EXPORTER_SECRET',
]);

/** A secret is at most 48 bytes (SHA-384) in every label above; 64 leaves room for new hashes. */
const maxSecretBytes = 64;
/** A hostile or runaway writer must not grow a key log without bound. */
const maxEntries = 100_000;

const hexPattern = /^[0-9a-fA-F]+$/;

export class KeyLog {
  private readonly byRandom = new Map<string, Map<string, Uint8Array>>();
  private count = 0;
  /** Lines that were neither blank, comments, nor well-formed entries. */
  rejected = 0;

  static parse(text: string): KeyLog {
    const log = new KeyLog();
    log.addText(text);
    return log;
  }

  /** Adds every line of `text` (a file's content or one `keylog` event). */
  addText(text: string | Uint8Array): void {
    const s = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
    for (const line of s.split(/\r?\n/)) this.addLine(line);
  }

  /**
   * Adds one line; true when it told something new. Both ends of a connection log the same
   * secrets, so the second copy is not new, and neither is a malformed line (counted in
   * `rejected`), a blank line or a `#` comment.
   */
  addLine(line: string): boolean {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return false;
    const parts = trimmed.split(/\s+/);
    const [label, random, secret] = parts;
    if (
      parts.length !== 3 || !label || !random || !secret ||
      !knownLabels.has(label) ||
      random.length !== 64 || !hexPattern.test(random) ||
      secret.length % 2 !== 0 || secret.length === 0 || secret.length > maxSecretBytes * 2 || !hexPattern.test(secret) ||
      this.count >= maxEntries
    ) {
      this.rejected++;
      return false;
    }
    const key = random.toLowerCase();
    let entries = this.byRandom.get(key);
    if (!entries) {
      entries = new Map();
      this.byRandom.set(key, entries);
    }
    const value = Buffer.from(secret, 'hex');
    const known = entries.get(label);
    if (known && value.equals(known)) return false;
    if (!known) this.count++;
    entries.set(label, new Uint8Array(value));
    return true;
  }

  get size(): number {
    return this.count;
  }

  get(clientRandom: Uint8Array | string, label: KeyLogLabel): Uint8Array | undefined {
    const key = typeof clientRandom === 'string' ? clientRandom.toLowerCase() : Buffer.from(clientRandom).toString('hex');
    return this.byRandom.get(key)?.get(label);
  }

  /** Every secret logged for one connection, by label. */
  forClientRandom(clientRandom: Uint8Array | string): ReadonlyMap<string, Uint8Array> {
    const key = typeof clientRandom === 'string' ? clientRandom.toLowerCase() : Buffer.from(clientRandom).toString('hex');
    return this.byRandom.get(key) ?? new Map();
  }
}

export function parseKeyLog(text: string): KeyLog {
  return KeyLog.parse(text);
}
