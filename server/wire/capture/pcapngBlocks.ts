/**
 * pcapng block layouts (draft-ietf-opsawg-pcapng): the codes both the writer and the reader
 * use, and the writer's half. Every block is
 *
 *   Block Type (32) | Block Total Length (32) | body, padded to 32 bits | Block Total Length (32)
 *
 * with the length repeated at the end so a reader can walk backwards (§3.1). Options are
 * code (16) | length (16) | value padded to 32 bits, closed by opt_endofopt (§3.5).
 */
import type { ByteWriter } from './byteWriter.js';

export const BlockType = {
  /** §4.1 Section Header Block; the value reads the same in either byte order. */
  SHB: 0x0a0d0d0a,
  /** §4.2 Interface Description Block. */
  IDB: 0x00000001,
  /** Appendix: the obsolete Packet Block. */
  OPB: 0x00000002,
  /** §4.4 Simple Packet Block. */
  SPB: 0x00000003,
  /** §4.5 Name Resolution Block. */
  NRB: 0x00000004,
  /** §4.6 Interface Statistics Block. */
  ISB: 0x00000005,
  /** §4.3 Enhanced Packet Block. */
  EPB: 0x00000006,
  /** §4.7 Decryption Secrets Block. */
  DSB: 0x0000000a,
} as const;

/** §4.1: written in the writer's byte order; a reader learns the order from it. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** §4.7 secrets types. */
export const SecretsType = {
  /** "TLSK": an NSS key log (the SSLKEYLOGFILE format). */
  TLS_KEY_LOG: 0x544c534b,
} as const;

export const Option = {
  endOfOpt: 0,
  /** §3.5 opt_comment: UTF-8 text for people. */
  comment: 1,
  /** §4.1 shb_userappl. */
  shbUserAppl: 4,
  /** §4.2 if_name. */
  ifName: 2,
  /** §4.2 if_tsresol: MSB 0 → 10^-n s, MSB 1 → 2^-n s; absent → 10^-6. */
  ifTsresol: 9,
  /** §4.2 if_tsoffset: seconds added to every timestamp. */
  ifTsoffset: 14,
} as const;

/** §4.2 / draft-ietf-opsawg-pcaplinktype: the link types this module reads or writes. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const utf8 = new TextEncoder();

type OptionValue = { code: number; value: Uint8Array };

export const textOption = (code: number, text: string): OptionValue => ({ code, value: utf8.encode(text) });

function writeOptions(w: ByteWriter, options: OptionValue[]): void {
  if (options.length === 0) return;
  for (const { code, value } of options) {
    w.u16(code).u16(value.length).bytes(value).pad4();
  }
  w.u16(Option.endOfOpt).u16(0);
}

/** Writes one block: type, a length patched in once the body is known, body, length. */
function block(w: ByteWriter, type: number, body: () => void): void {
  const start = w.length;
  w.u32(type).u32(0);
  body();
  w.pad4();
  const total = w.length - start + 4;
  w.u32(total);
  w.patchU32(start + 4, total);
}

export function writeSectionHeader(w: ByteWriter, userAppl: string): void {
  block(w, BlockType.SHB, () => {
    w.u32(BYTE_ORDER_MAGIC).u16(1).u16(0);
    // Section Length −1: not computed (§4.1); readers walk block by block.
    w.u32(0xffffffff).u32(0xffffffff);
    writeOptions(w, [textOption(Option.shbUserAppl, userAppl)]);
  });
}

export function writeInterfaceDescription(w: ByteWriter, linkType: number, name: string): void {
  block(w, BlockType.IDB, () => {
    // SnapLen 0: no limit on captured length (§4.2).
    w.u16(linkType).u16(0).u32(0);
    writeOptions(w, [textOption(Option.ifName, name), { code: Option.ifTsresol, value: Uint8Array.of(6) }]);
  });
}

export function writeDecryptionSecrets(w: ByteWriter, secretsType: number, secrets: Uint8Array): void {
  block(w, BlockType.DSB, () => {
    w.u32(secretsType).u32(secrets.length).bytes(secrets);
  });
}

/** An EPB on `interfaceId` at `t` µs (the interface's resolution is 10^-6). */
export function writeEnhancedPacket(w: ByteWriter, interfaceId: number, t: number, data: Uint8Array, comment?: string): void {
  block(w, BlockType.EPB, () => {
    const high = Math.floor(t / 0x100000000);
    w.u32(interfaceId).u32(high).u32(t - high * 0x100000000);
    w.u32(data.length).u32(data.length).bytes(data).pad4();
    writeOptions(w, comment === undefined ? [] : [textOption(Option.comment, comment)]);
  });
}
