/** `none`: the root cause of a lab that works as designed — a refusal that is the policy, not a failure. */
import { evidenceOf, finding } from './evidence.js';
import type { RootCause } from './rootCause.js';

export const none: RootCause = {
  kind: 'none',
  title: 'Nothing is broken: it works as designed',
  summary: 'Every connection completed its handshake and was answered.',
  rules: {
    /** Plaintext on a TLS-only port, refused: what a STRICT port should do. */
    plaintextRefused(f) {
      if (!f.plaintext || f.plaintext.expected || f.served || !f.failed) return undefined;
      return finding('none', 'server', evidenceOf(f.plaintext, 'first_line', f.plaintext.firstLine),
        `${f.service} refused a plaintext request on its ${f.mtlsPort ? 'mTLS' : 'TLS'} port, as a TLS-only (STRICT) port should`, 'info');
    },
  },
  wording: {},
};
