/**
 * How big and how slow a lab may be. Each bound is far above what a lab needs to teach and
 * keeps a lab file from asking for what the machine or the runtime cannot give: a process
 * per endpoint until the machine fills, a timer Node cannot hold, a date a certificate
 * cannot hold. The schema (schema.ts) and the validity checks (validity.ts) enforce them,
 * so `mtls-lab validate` reports a breach at its line, never a run.
 */

/** Each service is a child process (two with `stack: openssl`) and a port on the tap. */
export const maxServices = 16;

/** Each client is a child process; two callers per service is room for any topology a lab draws. */
export const maxClients = 32;

/**
 * Every key is generated when a sandbox starts. A leaf per endpoint (16 + 32) plus 16 CAs is
 * the largest PKI the other caps could use.
 */
export const maxCertificates = maxServices + maxClients + 16;

/**
 * RFC 5280 §4.2.1.9: how many intermediates may follow a CA. A chain in a lab holds at most
 * every certificate but the root and the leaf, so a larger pathLen constrains nothing (and
 * @peculiar/x509 encodes a huge one wrongly rather than refusing it).
 */
export const maxPathLen = maxCertificates - 2;

/**
 * Node's setTimeout fires after 1 ms for any delay over 2^31 − 1 ms (about 24.8 days;
 * nodejs.org/api/timers.html), so an overlong latency would be none at all. Ten minutes
 * is already longer than any caller waits (`maxTimeoutMs`).
 */
export const maxLatencyMs = 10 * 60_000;

/** A caller's pool timeout; past five minutes a lab run just looks hung. */
export const maxTimeoutMs = 5 * 60_000;

/** Sockets in one caller's pool; each is a connection through the tap. */
export const maxPoolSockets = 256;

/** A service's connection limit; above what every caller could open at once it limits nothing. */
export const maxServiceConnections = maxClients * maxPoolSockets;

/** A caller's request rate: one every 10 s at the slowest, and as fast as one process schedules. */
export const minRps = 0.1;
export const maxRps = 5000;

/**
 * How far from now a certificate's validity may reach. RFC 5280 §4.1.2.5 has dates through
 * 2049 written as UTCTime, a two-digit year read as 1950–2049, so a date before 1950 comes
 * back a century later (`-100y` issued today reads as this year); GeneralizedTime ends at
 * 9999. Fifty years either way stays inside both whenever `now` is after 2000, and still
 * covers a ten-year root or a certificate expired for decades.
 */
export const maxValidityYears = 50;

/** A distractor's reason is one line beside its choice in the reveal: a sentence, not an essay. */
export const maxReasonLength = 240;
