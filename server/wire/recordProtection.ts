/**
 * Opening protected records with keys recovered from a key log.
 *
 * TLS 1.3 (RFC 8446 §5.2–5.4): the nonce is the write iv XOR the 64-bit record sequence
 * number, the additional data is the 5-byte record header, and the plaintext is
 * `TLSInnerPlaintext` — content, then the real content type, then zero padding.
 * TLS 1.2 AES-GCM (RFC 5288 §3): an 8-byte explicit nonce precedes the ciphertext; the
 * additional data is seq_num + type + version + plaintext length (RFC 5246 §6.2.3.3).
 * TLS 1.2 ChaCha20-Poly1305 (RFC 7905 §2): TLS 1.3-style nonce, TLS 1.2-style additional data.
 */
import { createDecipheriv, type DecipherGCM } from 'node:crypto';
import type { TlsRecord } from './deframer.js';
import type { AeadSuite, TrafficKeys } from './keySchedule.js';
import { DecodeError } from './reader.js';

const tagLength = 16;
/** RFC 8446 §5.4: TLSInnerPlaintext may not exceed 2^14 + 1 bytes. */
const maxInnerPlaintext = 2 ** 14 + 1;

export interface OpenedRecord {
  /** The real content type (TLS 1.3: from inside the encryption). */
  contentType: number;
  content: Uint8Array;
  /** Zero bytes of padding removed (TLS 1.3). */
  padding: number;
  /** Sequence number the record was opened with. */
  seq: bigint;
}

export interface RecordOpener {
  readonly seq: bigint;
  open(record: TlsRecord): OpenedRecord;
  /** Passes over one record unopened: the next record is opened with the sequence number after it. */
  skip(): void;
}

function nonceFor(iv: Uint8Array, seq: bigint): Uint8Array {
  const nonce = Uint8Array.from(iv);
  let low = Number(BigInt.asUintN(32, seq));
  let high = Number(BigInt.asUintN(32, seq >> 32n));
  // The 64-bit sequence number, big-endian, XORed into the last 8 bytes (RFC 8446 §5.3).
  for (let i = 1; i <= 4; i++) {
    nonce[nonce.length - i] = nonce[nonce.length - i]! ^ (low & 0xff);
    nonce[nonce.length - 4 - i] = nonce[nonce.length - 4 - i]! ^ (high & 0xff);
    low >>>= 8;
    high >>>= 8;
  }
  return nonce;
}

function aeadOpen(suite: AeadSuite, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, context: string): Uint8Array {
  try {
    const decipher = createDecipheriv(suite.aead, key, nonce, { authTagLength: tagLength } as never) as unknown as DecipherGCM;
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const head = decipher.update(ciphertext);
    const tail = decipher.final();
    // A view, not a copy: each update() returns a buffer of its own.
    const plain = tail.length === 0 ? head : Buffer.concat([head, tail]);
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
  } catch {
    throw new DecodeError('decrypt-failed', context, 'authentication tag did not verify (wrong key, wrong sequence number, or a modified record)');
  }
}

/** One direction's keys and its record sequence number, which every AEAD nonce is built from. */
abstract class SequencedOpener {
  private next: bigint;

  /** `firstSeq` counts records of this epoch that went by before the keys were known. */
  constructor(
    protected readonly suite: AeadSuite,
    protected readonly keys: TrafficKeys,
    firstSeq = 0n,
  ) {
    this.next = firstSeq;
  }

  get seq(): bigint {
    return this.next;
  }

  /** The sequence number of the record being opened; the next one follows whatever happens. */
  protected takeSeq(): bigint {
    return this.next++;
  }

  skip(): void {
    this.next++;
  }
}

/** One direction, one traffic secret: sequence numbers start at 0 (RFC 8446 §5.3). */
export class Tls13RecordOpener extends SequencedOpener implements RecordOpener {
  open(record: TlsRecord): OpenedRecord {
    const seq = this.takeSeq();
    if (record.fragment.length < tagLength + 1) {
      throw new DecodeError('missing-data', 'TLSCiphertext.encrypted_record', `${record.fragment.length} bytes left, ${tagLength + 1} needed`);
    }
    const body = record.fragment.subarray(0, record.fragment.length - tagLength);
    const tag = record.fragment.subarray(record.fragment.length - tagLength);
    const plain = aeadOpen(this.suite, this.keys.key, nonceFor(this.keys.iv, seq), record.header, body, tag, 'TLSCiphertext.encrypted_record');
    // RFC 8446 §5.4: scan back over zero padding; the last non-zero byte is the content type.
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--;
    if (end === 0) throw new DecodeError('illegal-value', 'TLSInnerPlaintext.type', 'all zeros: no content type (RFC 8446 §5.4 says unexpected_message)');
    if (end - 1 > maxInnerPlaintext) throw new DecodeError('too-large', 'TLSInnerPlaintext', `${end - 1} bytes, at most ${maxInnerPlaintext} allowed`);
    return { contentType: plain[end - 1] ?? 0, content: plain.subarray(0, end - 1), padding: plain.length - end, seq };
  }
}

/** TLS 1.2 AEAD records; sequence numbers restart at 0 after each ChangeCipherSpec (RFC 5246 §6.1). */
export class Tls12RecordOpener extends SequencedOpener implements RecordOpener {
  open(record: TlsRecord): OpenedRecord {
    const seq = this.takeSeq();
    const gcm = this.suite.aead !== 'chacha20-poly1305';
    const explicit = gcm ? 8 : 0;
    if (record.fragment.length < explicit + tagLength) {
      throw new DecodeError('missing-data', 'GenericAEADCipher', `${record.fragment.length} bytes left, ${explicit + tagLength} needed`);
    }
    const nonce = gcm ? Buffer.concat([this.keys.iv, record.fragment.subarray(0, 8)]) : nonceFor(this.keys.iv, seq);
    const body = record.fragment.subarray(explicit, record.fragment.length - tagLength);
    const tag = record.fragment.subarray(record.fragment.length - tagLength);
    const aad = new Uint8Array(13);
    new DataView(aad.buffer).setBigUint64(0, seq);
    aad[8] = record.contentType;
    aad[9] = record.version >> 8;
    aad[10] = record.version & 0xff;
    aad[11] = body.length >> 8;
    aad[12] = body.length & 0xff;
    const content = aeadOpen(this.suite, this.keys.key, nonce, aad, body, tag, 'GenericAEADCipher');
    return { contentType: record.contentType, content, padding: 0, seq };
  }
}
