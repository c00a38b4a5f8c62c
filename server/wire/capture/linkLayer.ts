/**
 * Strips the link-layer header of a captured frame down to its IP packet. Link type numbers
 * and header layouts: draft-ietf-opsawg-pcaplinktype and https://www.tcpdump.org/linktypes.html.
 *
 *   NULL (0)        4-byte address family in the capturing host's byte order
 *   ETHERNET (1)    dst(6) src(6) EtherType(2), with any 802.1Q / 802.1ad tags (4 bytes each)
 *   RAW (101)       the IP packet itself; the version nibble says 4 or 6
 *   LOOP (108)      like NULL, the family in network byte order (OpenBSD)
 *   LINUX_SLL (113) 16 bytes; protocol (EtherType) at offset 14
 *   IPV4 (228), IPV6 (229)  the IP packet itself
 *   LINUX_SLL2 (276) 20 bytes; protocol (EtherType) at offset 0
 */
import { LinkType } from './pcapngBlocks.js';

export type LinkResult =
  | { kind: 'ip'; packet: Uint8Array }
  /** A frame that carries no IP (ARP, LLDP, …): nothing to report. */
  | { kind: 'not-ip' }
  | { kind: 'unsupported'; warning: string };

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** IEEE 802.1Q C-tag, 802.1ad S-tag, and the pre-standard 0x9100 QinQ tag. */
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

const u16 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);

function byEtherType(etherType: number, frame: Uint8Array, at: number): LinkResult {
  if (at > frame.length) return { kind: 'unsupported', warning: 'a frame is shorter than its link-layer header; skipped' };
  if (etherType === ETHERTYPE_IPV4 || etherType === ETHERTYPE_IPV6) return { kind: 'ip', packet: frame.subarray(at) };
  return { kind: 'not-ip' };
}

function byVersion(packet: Uint8Array): LinkResult {
  const version = (packet[0] ?? 0) >> 4;
  return version === 4 || version === 6 ? { kind: 'ip', packet } : { kind: 'not-ip' };
}

function ethernet(frame: Uint8Array): LinkResult {
  let at = 12;
  let etherType = u16(frame, at);
  // Each VLAN tag is TPID(2) + TCI(2), then the real EtherType follows (IEEE 802.1Q §9.3).
  while (VLAN_TAGS.has(etherType) && at + 6 <= frame.length) {
    at += 4;
    etherType = u16(frame, at);
  }
  return byEtherType(etherType, frame, at + 2);
}

/** BSD loopback: AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24, 28 or 30 (the BSDs, macOS). */
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

function loopback(frame: Uint8Array, networkOrder: boolean): LinkResult {
  if (frame.length < 4) return { kind: 'unsupported', warning: 'a loopback frame is shorter than its 4-byte header; skipped' };
  const be = (((frame[0] ?? 0) << 24) | ((frame[1] ?? 0) << 16) | ((frame[2] ?? 0) << 8) | (frame[3] ?? 0)) >>> 0;
  const le = ((frame[0] ?? 0) | ((frame[1] ?? 0) << 8) | ((frame[2] ?? 0) << 16) | ((frame[3] ?? 0) << 24)) >>> 0;
  // NULL stores the family in the capturing host's byte order, which the file does not
  // record; the family is a small number, so whichever reading is small is the right one.
  const family = networkOrder || be < 256 ? be : le;
  const packet = frame.subarray(4);
  const version = (packet[0] ?? 0) >> 4;
  if (family === AF_INET && version === 4) return { kind: 'ip', packet };
  if (AF_INET6.has(family) && version === 6) return { kind: 'ip', packet };
  return { kind: 'not-ip' };
}

export function ipPacketOf(linkType: number, frame: Uint8Array): LinkResult {
  switch (linkType) {
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return byVersion(frame);
    case LinkType.ETHERNET:
      if (frame.length < 14) return { kind: 'unsupported', warning: 'an Ethernet frame is shorter than its 14-byte header; skipped' };
      return ethernet(frame);
    case LinkType.NULL:
      return loopback(frame, false);
    case LinkType.LOOP:
      return loopback(frame, true);
    case LinkType.LINUX_SLL:
      if (frame.length < 16) return { kind: 'unsupported', warning: 'a Linux cooked (SLL) frame is shorter than its 16-byte header; skipped' };
      return byEtherType(u16(frame, 14), frame, 16);
    case LinkType.LINUX_SLL2:
      if (frame.length < 20) return { kind: 'unsupported', warning: 'a Linux cooked (SLL2) frame is shorter than its 20-byte header; skipped' };
      return byEtherType(u16(frame, 0), frame, 20);
    default:
      return {
        kind: 'unsupported',
        warning: `frames of link type ${linkType} are not read (read: NULL 0, Ethernet 1, raw IP 101/228/229, LOOP 108, Linux SLL 113/SLL2 276); skipped`,
      };
  }
}
