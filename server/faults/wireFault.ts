/**
 * `wire-fault`: the network between the peers broke the connection — bytes changed, made up,
 * dropped or cut in flight (here by the tap's wire faults, runtime/wireFaults) — not either
 * end's certificates or configuration. What the ends then said (a bad_record_mac, a reset, a
 * hang) is its consequence: a learner who reads it as a certificate problem fixes the wrong thing.
 */
import { described, detector, evidenceOf, finding } from './evidence.js';
import type { RootCause } from './rootCause.js';

export const wireFault: RootCause = {
  kind: 'wire-fault',
  title: 'The network in between broke it',
  summary: 'Bytes were changed, made up, dropped or cut in flight between the peers; what each end said afterwards follows from that.',
  rules: {
    /** A failed connection whose bytes the tap's wire fault touched: before any rule that reads what the ends said. */
    tampered(f) {
      const first = f.tampering[0];
      if (!first || !f.failed) return undefined;
      const said = f.alerts.find((alert) => alert.fatal) ?? f.reports[0];
      const consequence = said ? `; what followed (${described(said)}) is its consequence, not a certificate or configuration problem` : '';
      return finding('wire-fault', detector(said, 'client'), evidenceOf(first, 'fault', first.fault),
        `the wire fault ${first.fault} ${first.did} bytes between ${f.client} and ${f.service} in flight${consequence}`);
    },
  },
  // No stack names the network: each prints the error the damaged bytes led it to.
  wording: {},
};
