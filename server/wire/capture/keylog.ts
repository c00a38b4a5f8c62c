/**
 * NSS key log text (the SSLKEYLOGFILE format Wireshark, curl and Node's `keylog` event
 * share): one `LABEL <client_random hex> <secret hex>` line per secret, `#` lines as
 * comments. https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/
 */

/** The lines of a key log, each trimmed, blank ones dropped; a line holding several is split. */
export function keylogLines(text: string | string[]): string[] {
  const input = typeof text === 'string' ? [text] : text;
  const lines: string[] = [];
  for (const entry of input) {
    for (const line of entry.split(/\r?\n|\r/)) {
      const trimmed = line.trim();
      if (trimmed !== '') lines.push(trimmed);
    }
  }
  return lines;
}

/** The companion `keys.log`: one line each, every line ending in a newline. */
export function keylogText(lines: string[]): string {
  return keylogLines(lines)
    .map((line) => `${line}\n`)
    .join('');
}
