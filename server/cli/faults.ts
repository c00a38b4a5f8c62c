/**
 * `mtls-lab faults [--json]`: the fault catalogue — each kind with its title, what it
 * targets, its params (type, rule, default), the fix actions that undo it and its root cause:
 * the summary, the alerts and the verify errors that report it.
 */
import { describeParams, faults, formatAlert, type Fault, type ParamDescription } from '../faults/index.js';

export interface FaultDescription {
  kind: string;
  title: string;
  target: Fault['target'];
  params: ParamDescription[];
  fixes: string[];
  rootCause: { summary: string; alerts: string[]; verifyErrors: Array<{ num: number; code: string; text: string }> };
}

export function describeFault(fault: Fault): FaultDescription {
  return {
    kind: fault.kind,
    title: fault.title,
    target: fault.target,
    params: describeParams(fault.params),
    fixes: [...fault.fixes],
    rootCause: {
      summary: fault.summary,
      alerts: (fault.signal?.alerts ?? []).map(formatAlert),
      verifyErrors: (fault.signal?.verifyErrors ?? []).map(({ num, code, text }) => ({ num, code, text })),
    },
  };
}

const targetWords: Record<Fault['target'], string> = {
  certificate: 'a certificate of the lab (pki)',
  service: 'a service',
  client: 'a client',
  endpoint: 'a service or a client',
};

function paramLine(param: ParamDescription): string {
  const fallback = param.required ? 'required' : param.default === undefined ? 'optional' : `default ${JSON.stringify(param.default)}`;
  return `${param.name} (${param.type}, ${fallback}): ${param.expected}`;
}

export function faultsCommand(options: { json: boolean }): void {
  const list = [...faults.values()].map(describeFault);
  if (options.json) {
    process.stdout.write(JSON.stringify(list) + '\n');
    return;
  }
  for (const fault of list) {
    const signal = [...fault.rootCause.alerts.map((a) => `alert ${a}`), ...fault.rootCause.verifyErrors.map((e) => `verify error ${e.num} "${e.text}" (${e.code})`)];
    const lines = [
      `${fault.kind} — ${fault.title}`,
      `  target  ${targetWords[fault.target]}`,
      `  params  ${fault.params.length ? fault.params.map(paramLine).join('; ') : 'none'}`,
      `  fix     ${fault.fixes.join(' or ')}`,
      `  cause   ${fault.rootCause.summary}`,
      ...(signal.length ? [`  seen as ${signal.join('; ')}`] : []),
    ];
    process.stdout.write(lines.join('\n') + '\n\n');
  }
}
