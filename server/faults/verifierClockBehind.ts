import * as v from 'valibot';
import { dateWordings } from './certificateDates.js';
import { described, evidenceOf, finding, readableTime, refusal, roughDuration, shortName } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { paramLimits, paramsSchema, wholeNumber } from './params.js';

const params = paramsSchema({
  /** How far the verifier's clock is behind the CA's. */
  behindMinutes: v.optional(wholeNumber(paramLimits.behindMinutes), 40),
});

/** What a verifier says of a certificate whose notBefore is ahead of its clock: verify error 9. */
const signal: Signal = { alerts: [], verifyErrors: [{ num: 9, code: 'CERT_NOT_YET_VALID', text: 'certificate is not yet valid' }] };

/** What an OpenSSL verifier sends for it: bad_certificate (42), its catch-all — all a capture of a hand-run caller holds. */
const badCertificate: Signal = { alerts: [42], verifyErrors: [] };

/**
 * The verifier's clock is behind (no NTP on a restored VM, a container host drifting), and the
 * certificates it verifies are fresh: issued a minute ago, for a day, as a short-lived
 * workload certificate is. Until its clock reaches their notBefore, it refuses each one as
 * "not yet valid" — after every rotation. The certificate is right; the verifier's "now" is
 * not. The service's clock is set back with `clockOffset` (s_server -attime: it verifies at
 * that instant), and its callers' certificates are re-issued fresh; the capture's clock,
 * which judges the dates on the wire, is the true one.
 */
export const verifierClockBehind: Fault<v.InferOutput<typeof params>> = {
  kind: 'verifier-clock-behind',
  title: "Verifier's clock behind",
  summary: "The verifier's clock lags behind the CA's: a freshly issued certificate is not yet valid to it, though valid by every other clock.",
  target: 'service',
  fixes: ['sync-clock', 'reissue'],
  params,
  signal,
  rules: {
    /**
     * A verifier said "not yet valid" of a chain whose every certificate is in its dates at the
     * capture's time: the verifier's clock, not the certificate, is off — by at least the time
     * since the notBefore. Without the verifier's log, a server's alert 42 says as much only of a
     * leaf issued within the longest skew this fault models: an old certificate refused with 42 is
     * some other catch-all refusal.
     */
    reported(f) {
      const said = refusal(f, signal);
      const refused = said ?? refusal(f, badCertificate);
      if (!refused) return undefined;
      const { witness, by, sent, leaf, holder, verifier } = refused;
      const chain = sent?.chain ?? [];
      if (!sent || !leaf || chain.length === 0 || chain.some((cert) => cert.validity !== 'valid')) return undefined;
      const age = f.atMs !== undefined && leaf.notBefore ? f.atMs - Date.parse(leaf.notBefore) : undefined;
      // A client's 42 is also its refusal of a name (wrong-san); the fault sets a service's clock.
      if (!said && (by !== 'server' || age === undefined || age > paramLimits.behindMinutes.max * 60_000)) return undefined;
      const since = age !== undefined ? roughDuration(age) : undefined;
      const how = said ? `as not yet valid (${described(witness)})` : `with ${described(witness)}, the alert an OpenSSL verifier sends for a notBefore ahead of its clock`;
      return finding('verifier-clock-behind', by, evidenceOf(sent, 'notBefore', leaf.notBefore ?? ''),
        `${holder} ${shortName(leaf.subject)} is valid from ${readableTime(leaf.notBefore)}${since ? `, ${since} before this connection` : ''}, yet ${verifier} refused it ${how}: ${verifier}'s clock is behind${since ? ` by more than ${since}` : ''}`);
    },
  },
  wording: dateWordings('not-yet-valid', signal.verifyErrors[0]!),
  apply(spec, target, { behindMinutes }) {
    const next = cloneSpec(spec);
    const service = next.services[target]!;
    if (service.stack !== 'openssl') {
      throw new FaultError(`verifier-clock-behind: service "${target}" runs stack ${service.stack}, whose verifier reads the system clock; it needs stack openssl (s_server verifies at a given time)`);
    }
    service.clockOffset = `-${behindMinutes}m`;
    // Short-lived, and issued a minute ago: step-ca backdates notBefore by one minute by default.
    const callers = Object.values(next.clients).filter((client) => client.calls === target && client.cert !== undefined);
    if (callers.length === 0) throw new FaultError(`verifier-clock-behind: no client of "${target}" presents a certificate for it to verify`);
    for (const client of callers) next.pki[client.cert!]!.validity = { notBefore: '-1m', notAfter: '+24h' };
    return next;
  },
};
