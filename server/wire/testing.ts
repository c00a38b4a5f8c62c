/**
 * For tests only: the RFC 8448 §3 "Simple 1-RTT Handshake" as it crossed the wire, the
 * secrets the RFC publishes for it, and helpers to feed fixtures the way TCP delivers them.
 * Hex copied from RFC 8448 §3 (records and secrets verbatim; an AEAD tag that verifies
 * proves the copy is exact).
 */
import { createCipheriv } from 'node:crypto';
import type { TapChunk } from './connectionDecoder.js';
import { aeadSuite, tls12KeyBlock, trafficKeys, type TrafficKeys } from './keySchedule.js';
import { KeyLog } from './keylog.js';
import { seededRandom } from '../runtime/seededRandom.js';

export { seededRandom };

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-fA-F]/g, '');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function toHexString(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export const rfc8448 = {
  clientRandom: 'cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7',
  secrets: {
    CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21',
    SERVER_HANDSHAKE_TRAFFIC_SECRET: 'b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38',
    CLIENT_TRAFFIC_SECRET_0: '9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5',
    SERVER_TRAFFIC_SECRET_0: 'a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643',
    EXPORTER_SECRET: 'fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50',
  },
  /** {server} derive write traffic keys for handshake data. */
  serverHandshakeKey: '3fce516009c21727d0f2e4e86ee403bc',
  serverHandshakeIv: '5d313eb2671276ee13000b30',
  /** {server} derive write traffic keys for application data. */
  serverApplicationKey: '9f02283b6c9c07efc26bb9f2ac92e356',
  serverApplicationIv: 'cf782b88dd83549aadf1e984',
  records: {
    clientHello:
      '16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001',
    serverHello:
      '160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304',
    serverFlight:
      '17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b',
    clientFinished: '170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546',
    serverTicket:
      '17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c758db289a015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e09c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f',
    clientApplicationData: '1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4',
    serverApplicationData: '17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d',
    serverAlert: '1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9',
    clientAlert: '1703030013c9872760655666b74d7ff1153efd6db6d0b0e3',
  },
  /** The plaintext handshake messages the protected records carry. */
  messages: {
    encryptedExtensions: '080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000',
    certificate:
      '0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000',
    serverFinished: '140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718',
    clientFinished: '14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61',
  },
  applicationData: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031',
} as const;

export function rfc8448KeyLog(): KeyLog {
  return KeyLog.parse(Object.entries(rfc8448.secrets).map(([label, secret]) => `${label} ${rfc8448.clientRandom} ${secret}`).join('\n'));
}

/** The whole §3 connection in wire order: one chunk per record, timestamps 1 µs apart. */
export function rfc8448Chunks(): TapChunk[] {
  const r = rfc8448.records;
  const order: [TapChunk['dir'], string][] = [
    ['c2s', r.clientHello],
    ['s2c', r.serverHello],
    ['s2c', r.serverFlight],
    ['c2s', r.clientFinished],
    ['s2c', r.serverTicket],
    ['c2s', r.clientApplicationData],
    ['s2c', r.serverApplicationData],
    ['s2c', r.serverAlert],
    ['c2s', r.clientAlert],
  ];
  return order.map(([dir, hex], i) => ({ dir, t: i + 1, bytes: fromHex(hex) }));
}

/**
 * Re-cuts each direction's bytes into random pieces (1..maxPiece bytes), the way TCP may
 * deliver them. Every piece keeps the timestamp of the chunk its first byte came from, so
 * the interleaving of directions and the record timestamps stay what they were.
 */
export function rechunk(chunks: TapChunk[], seed: number, maxPiece = 17): TapChunk[] {
  const random = seededRandom(seed);
  const out: TapChunk[] = [];
  for (const chunk of chunks) {
    let at = 0;
    while (at < chunk.bytes.length) {
      const n = 1 + Math.floor(random() * maxPiece);
      out.push({ dir: chunk.dir, t: chunk.t, bytes: chunk.bytes.subarray(at, at + n) });
      at += n;
    }
  }
  return out;
}

/** A handshake message: type, uint24 length, body (RFC 8446 §4). */
export function handshakeMessage(type: number, bodyHex: string): string {
  const body = fromHex(bodyHex);
  return `${type.toString(16).padStart(2, '0')}${body.length.toString(16).padStart(6, '0')}${toHexString(body)}`;
}

/** A plaintext record around `payloadHex` (RFC 8446 §5.1). */
export function plaintextRecord(contentType: number, payloadHex: string, version = 0x0303): string {
  const payload = fromHex(payloadHex);
  return `${contentType.toString(16).padStart(2, '0')}${version.toString(16).padStart(4, '0')}${payload.length.toString(16).padStart(4, '0')}${toHexString(payload)}`;
}

/** `opaque x<..>` with a 1-, 2- or 3-byte length prefix. */
export function vec(prefix: 1 | 2 | 3, hex: string): string {
  const bytes = fromHex(hex);
  return bytes.length.toString(16).padStart(prefix * 2, '0') + toHexString(bytes);
}

/** A TLS 1.2 ServerHello choosing `suite`, no extensions. */
export function tls12ServerHello(suite: number): string {
  return handshakeMessage(2, `0303 ${'5a'.repeat(32)} 00 ${suite.toString(16).padStart(4, '0')} 00`);
}

/** Seals a TLS 1.3 record (RFC 8446 §5.2) with AES-128-GCM, for fixtures the RFC does not provide. */
export function sealTls13Record(secretHex: string, seq: number, contentType: number, contentHex: string): Uint8Array {
  const suite = aeadSuite(0x1301)!;
  const { key, iv } = trafficKeys(suite, fromHex(secretHex));
  const inner = new Uint8Array([...fromHex(contentHex), contentType]);
  const header = Uint8Array.of(23, 3, 3, (inner.length + 16) >> 8, (inner.length + 16) & 0xff);
  const nonce = Uint8Array.from(iv);
  new DataView(nonce.buffer).setUint32(8, new DataView(nonce.buffer).getUint32(8) ^ seq);
  const cipher = createCipheriv('aes-128-gcm', key, nonce);
  cipher.setAAD(header);
  return new Uint8Array(Buffer.concat([header, cipher.update(inner), cipher.final(), cipher.getAuthTag()]));
}

/**
 * Seals a TLS 1.2 AES-GCM record (RFC 5288 §3, RFC 5246 §6.2.3.3) with one side's keys from
 * tls12KeyBlock: the explicit nonce is the sequence number, as OpenSSL sends it.
 */
export function sealTls12Record(keys: TrafficKeys, seq: number, contentType: number, content: Uint8Array): Uint8Array {
  const explicit = Buffer.alloc(8);
  explicit.writeBigUInt64BE(BigInt(seq));
  const aad = Buffer.alloc(13);
  aad.writeBigUInt64BE(BigInt(seq));
  aad.writeUInt8(contentType, 8);
  aad.writeUInt16BE(0x0303, 9);
  aad.writeUInt16BE(content.length, 11);
  const cipher = createCipheriv(keys.key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm', keys.key, Buffer.concat([keys.iv, explicit]));
  cipher.setAAD(aad);
  const fragment = Buffer.concat([explicit, cipher.update(content), cipher.final(), cipher.getAuthTag()]);
  const header = Buffer.from([contentType, 3, 3, fragment.length >> 8, fragment.length & 0xff]);
  return new Uint8Array(Buffer.concat([header, fragment]));
}

const concatBytes = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/**
 * A TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 connection (RFC 5246 §7.3 message flow, RFC 5288),
 * sealed here with keys from a made-up master secret logged as CLIENT_RANDOM.
 */
export function tls12Connection(): { chunks: TapChunk[]; keylog: KeyLog } {
  const suite = aeadSuite(0xc02f)!;
  const master = fromHex('4d'.repeat(48));
  const clientRandom = fromHex(rfc8448.clientRandom);
  const serverRandom = fromHex('5a'.repeat(32));
  const keys = tls12KeyBlock(suite, master, clientRandom, serverRandom);
  const finished = (fill: string): Uint8Array => fromHex(handshakeMessage(20, fill.repeat(12)));
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const chunks: TapChunk[] = [
    { dir: 'c2s', t: 1, bytes: fromHex(rfc8448.records.clientHello) },
    { dir: 's2c', t: 2, bytes: fromHex(plaintextRecord(22, tls12ServerHello(0xc02f) + handshakeMessage(14, ''))) },
    { dir: 'c2s', t: 3, bytes: concatBytes(fromHex(plaintextRecord(22, handshakeMessage(16, '20' + 'cc'.repeat(32)))), fromHex('140303000101'), sealTls12Record(keys.client, 0, 22, finished('c1'))) },
    { dir: 's2c', t: 4, bytes: concatBytes(fromHex('140303000101'), sealTls12Record(keys.server, 0, 22, finished('51'))) },
    { dir: 'c2s', t: 5, bytes: sealTls12Record(keys.client, 1, 23, text('GET / HTTP/1.1\r\nHost: auth.corp.test\r\n\r\n')) },
    { dir: 's2c', t: 6, bytes: sealTls12Record(keys.server, 1, 23, text('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')) },
    { dir: 's2c', t: 7, bytes: sealTls12Record(keys.server, 2, 21, Uint8Array.of(1, 0)) },
  ];
  const keylog = KeyLog.parse(`CLIENT_RANDOM ${rfc8448.clientRandom} ${toHexString(master)}`);
  return { chunks, keylog };
}
