/**
 * `mtls-lab run`'s text report: per edge, what happened and what each side saw, in the
 * real words of the stacks involved.
 */
import type { EdgeReport } from '../runtime/index.js';

const useColour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColour ? `\x1b[${code}m${text}\x1b[0m` : text);
const red = paint(31);
const green = paint(32);
const dim = paint(2);

const ms = (value: number) => `${value.toFixed(1)} ms`;

function errorLines(label: string, errors: EdgeReport['clientErrors']): string[] {
  return Object.entries(errors).map(
    ([code, { count, message }]) => `  ${label.padEnd(11)} ${red(code)} ×${count}  ${dim(JSON.stringify(message))}`,
  );
}

export function formatEdgeReport(edge: EdgeReport): string {
  const verdict = edge.ok === edge.requests ? green('ok') : red('FAILING');
  const statuses = Object.entries(edge.statusCodes).map(([status, count]) => `${status} ×${count}`).join(', ');
  return [
    `${edge.client} → ${edge.service}  ${verdict}  ${edge.requests} requests: ${edge.ok} ok, ${edge.failed} failed, ${edge.timeouts} timed out` +
      (statuses ? `  (HTTP ${statuses})` : ''),
    ...errorLines('client saw', edge.clientErrors),
    ...errorLines('server saw', edge.serverErrors),
    ...(edge.alertsReceived.length > 0 ? [`  alerts      ${red(edge.alertsReceived.join(', '))}`] : []),
    `  handshakes  ${edge.handshakes} full, ${edge.resumed} resumed — ${edge.handshakesPerRequest.toFixed(2)} per request, ${edge.handshakesPerSecond.toFixed(1)}/s`,
    `  latency     p50 ${ms(edge.latencyMs.p50)}  p99 ${ms(edge.latencyMs.p99)}  max ${ms(edge.latencyMs.max)}  ·  queue depth max ${edge.maxQueueDepth}  ·  ${ms(edge.durationMs)} in all`,
    ...(edge.sample ? [`  response    ${dim(JSON.stringify(edge.sample.trim()))}`] : []),
  ].join('\n');
}
