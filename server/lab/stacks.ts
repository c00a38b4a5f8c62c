/**
 * What each TLS stack behind a service can serve. A lab rule, checked by `validate`; the
 * runtime asks the same question before it starts anything, as a fault applied to a valid
 * lab (permissive-mode on an openssl service) can still break it.
 *
 *   services ──stackProblems──▶ LabProblems (empty when every service can be run)
 */
import type { LabProblem } from './labError.js';
import type { LabSpec } from './schema.js';

export function stackProblems(services: LabSpec['services']): LabProblem[] {
  const problems: LabProblem[] = [];
  for (const [name, service] of Object.entries(services)) {
    // Node's tls verifies at the system clock; only s_server takes another instant (-attime).
    if (service.stack !== 'openssl' && service.clockOffset !== undefined) {
      problems.push({
        path: ['services', name, 'clockOffset'],
        message: `a clock offset needs stack "openssl", but ${JSON.stringify(name)} runs stack ${JSON.stringify(service.stack)}, whose verifier reads the system clock`,
        suggestion: 'set "stack: openssl", or remove "clockOffset"',
      });
    }
    // `openssl s_server` speaks TLS on its port and nothing else; telling plaintext from a
    // ClientHello on one port (Envoy's tls_inspector) is nodeService.ts's job.
    if (service.stack === 'openssl' && service.mode !== 'strict') {
      problems.push({
        path: ['services', name, 'mode'],
        message: `mode ${JSON.stringify(service.mode)} needs stack "node", but ${JSON.stringify(name)} runs stack "openssl", which serves TLS only`,
        suggestion: 'set "stack: node", or "mode: strict"',
      });
    }
    // s_server answers every request the same way; reading the verified peer's URI SAN and
    // answering 403 is the Node service's (nodeService.ts).
    if (service.stack === 'openssl' && service.allow !== undefined) {
      problems.push({
        path: ['services', name, 'allow'],
        message: `an allow list needs stack "node", but ${JSON.stringify(name)} runs stack "openssl", which authorizes no one`,
        suggestion: 'set "stack: node", or remove "allow"',
      });
    }
  }
  return problems;
}
