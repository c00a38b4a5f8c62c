/**
 * What the terminal's shell starts with: an environment built from nothing (the server's own
 * — its token, its secrets — is never inherited) and the banner it prints first.
 *
 *   SandboxDescription + Toolbox ──▶ env: PATH=/toolbox, HOME=<sandbox dir>, SSLKEYLOGFILE,
 *                                        AUTH_URL, PAYMENTS_CERT, … per service and client
 *                                  ──▶ banner: the lab, the tools, the variables
 *
 * Paths are relative to the sandbox directory: the shell starts there (rbash refuses cd, and
 * the jail has little else to see), and the lab's files read as `payments-client.crt`.
 */
import type { SandboxDescription } from '../runtime/index.js';
import { toolboxMount } from './jail.js';
import type { Toolbox } from './toolbox.js';

/** `payments-api` → `PAYMENTS_API`. */
export function variablePrefix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** One variable per fact a learner reaches for, by service and by client. */
export function labVariables(description: SandboxDescription): Record<string, string> {
  const relative = (file: string): string => (file.startsWith(`${description.dir}/`) ? file.slice(description.dir.length + 1) : file);
  const vars: Record<string, string> = {};
  for (const [name, service] of Object.entries(description.services)) {
    const prefix = variablePrefix(name);
    vars[`${prefix}_URL`] = service.url;
    vars[`${prefix}_CONNECT`] = `${service.address}:${service.port}`;
    vars[`${prefix}_HOST`] = service.host;
    vars[`${prefix}_RESOLVE`] = service.resolve;
  }
  for (const [name, client] of Object.entries(description.clients)) {
    const prefix = variablePrefix(name);
    if (client.cert) vars[`${prefix}_CERT`] = relative(client.cert);
    if (client.key) vars[`${prefix}_KEY`] = relative(client.key);
    if (client.chain) vars[`${prefix}_CHAIN`] = relative(client.chain);
    if (client.trust) vars[`${prefix}_TRUST`] = relative(client.trust);
  }
  return vars;
}

export function shellEnvironment(description: SandboxDescription): Record<string, string> {
  return {
    ...labVariables(description),
    PATH: toolboxMount,
    HOME: description.dir,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    // The prompt names the lab; \[ \] mark the colour codes as zero-width for readline.
    PS1: `\\[\\e[1;36m\\]${description.lab}\\[\\e[0m\\] \\$ `,
    // History stays in memory: nothing is written into the sandbox directory on exit.
    HISTFILE: '',
    SSLKEYLOGFILE: description.sslKeylogFile,
  };
}

/** Printed before the shell's first prompt; CRLF, as a terminal wants. */
export function banner(description: SandboxDescription, toolbox: Toolbox): string {
  const bold = (text: string): string => `\x1b[1m${text}\x1b[0m`;
  const dim = (text: string): string => `\x1b[2m${text}\x1b[0m`;
  const lines = [
    `${bold(`mtls-lab · ${description.lab}`)} — a shell in a jail of its own, in the sandbox directory`,
    `  tools: ${toolbox.tools.join(' ')}`,
  ];
  if (toolbox.missing.length) lines.push(`  Note: ${toolbox.missing.join(' and ')} not found on this machine; install ${toolbox.missing.length > 1 ? 'them' : 'it'} for the lab's commands.`);
  for (const [name, service] of Object.entries(description.services)) {
    const prefix = variablePrefix(name);
    lines.push(`  ${name}: ${service.url}  ${dim(`$${prefix}_URL $${prefix}_CONNECT $${prefix}_HOST $${prefix}_RESOLVE`)}`);
  }
  for (const [name, client] of Object.entries(description.clients)) {
    const prefix = variablePrefix(name);
    const files = (['CERT', 'KEY', 'CHAIN', 'TRUST'] as const)
      .filter((kind) => ({ CERT: client.cert, KEY: client.key, CHAIN: client.chain, TRUST: client.trust })[kind])
      .map((kind) => `$${prefix}_${kind}`);
    lines.push(`  ${name} → ${client.calls}${files.length ? `  ${dim(files.join(' '))}` : ''}`);
  }
  lines.push(
    '  SSLKEYLOGFILE is set: your curl and openssl s_client connections cross the tap and appear, decrypted, in the trace.',
    dim('  Note: only this directory is writable, and no process outside the jail is visible; rbash adds: no cd, no >, no commands by path.'),
    '',
  );
  return lines.join('\r\n') + '\r\n';
}
