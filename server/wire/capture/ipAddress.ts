/**
 * IP address literals to bytes and back. Parsing accepts what Node's sockets report
 * (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`, `fe80::1%lo`); formatting writes the canonical
 * text of RFC 5952 §4 (lower case, no leading zeros, the longest run of two or more zero
 * groups as `::`, the first on a tie) and IPv4-mapped addresses in mixed notation (§5).
 */

export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

export function parseIPv6(input: string): Uint8Array | undefined {
  let text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const groups: number[] = [];
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parsed: number[][] = [];
  for (const [h, half] of halves.entries()) {
    const words: number[] = [];
    if (half !== '') {
      const pieces = half.split(':');
      for (const [i, piece] of pieces.entries()) {
        const last = h === halves.length - 1 && i === pieces.length - 1;
        if (last && piece.includes('.')) {
          const v4 = parseIPv4(piece);
          if (!v4) return undefined;
          words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
          words.push(parseInt(piece, 16));
        } else {
          return undefined;
        }
      }
    }
    parsed.push(words);
  }
  const head = parsed[0] ?? [];
  const tail = parsed[1] ?? [];
  if (halves.length === 2) {
    const zeros = 8 - head.length - tail.length;
    if (zeros < 1) return undefined;
    groups.push(...head, ...new Array<number>(zeros).fill(0), ...tail);
  } else {
    if (head.length !== 8) return undefined;
    groups.push(...head);
  }
  const bytes = new Uint8Array(16);
  groups.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** 4 bytes for an IPv4 literal, 16 for IPv6; undefined for anything else (a host name). */
export function parseIp(text: string): Uint8Array | undefined {
  return parseIPv4(text) ?? parseIPv6(text);
}

/** `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2). */
export function isIPv4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

export function ipv4Mapped(v4: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(v4, 12);
  return bytes;
}

export function formatIPv4(bytes: Uint8Array, at = 0): string {
  return `${bytes[at] ?? 0}.${bytes[at + 1] ?? 0}.${bytes[at + 2] ?? 0}.${bytes[at + 3] ?? 0}`;
}

export function formatIPv6(bytes: Uint8Array, at = 0): string {
  const view = bytes.subarray(at, at + 16);
  if (isIPv4Mapped(view)) return `::ffff:${formatIPv4(view, 12)}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((view[2 * i] ?? 0) << 8) | (view[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1; // RFC 5952 §4.2.2: a single zero group is never shortened.
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    words
      .slice(from, to)
      .map((w) => w.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** The literal for 4 or 16 address bytes at `at`. */
export function formatIp(bytes: Uint8Array, at = 0, length: 4 | 16 = bytes.length - at === 4 ? 4 : 16): string {
  return length === 4 ? formatIPv4(bytes, at) : formatIPv6(bytes, at);
}
