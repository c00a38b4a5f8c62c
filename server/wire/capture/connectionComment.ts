/**
 * The packet comment (pcapng opt_comment, draft-ietf-opsawg-pcapng §3.5) writePcapng puts on
 * each connection's SYN: people see which lab connection a Wireshark stream is, and
 * readCapture takes the connection id back from it so a round trip keeps ids.
 */
export const connectionComment = (id: number): string => `mtls-lab connection ${id}`;

/** The id in a comment connectionComment wrote, or undefined for any other comment. */
export function connectionIdOf(comment: string | undefined): number | undefined {
  const match = comment === undefined ? null : /^mtls-lab connection (\d{1,15})$/.exec(comment);
  const id = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}
