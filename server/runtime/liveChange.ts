/**
 * What a new spec changes on a running sandbox, process by process: the sandbox realises only
 * that (sandbox.ts reconfigure), and every other process keeps its pid.
 *
 *   old spec + files ─┐
 *   new spec + files ─┴─▶ per service: none | reload (a new context in the running process) | restart (a new process)
 *                         per client:  none | reload (a new pool and context for new requests)
 *
 * A process's files are compared by content, not by name: a certificate issued again keeps
 * its path and changes its bytes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { LabSpec } from '../lab/schema.js';
import type { ClientConfig, ServiceConfig } from './messages.js';
import type { SpecChange } from './types.js';

export type ProcessChange = 'none' | 'reload' | 'restart';

/** A config and a digest of the files it names, as a process runs with them. */
export interface Realised<C> {
  config: C;
  filesDigest: string;
}

/** The services, clients and edges must stay: a live change reconfigures processes, it never adds or removes one. */
export function checkSameTopology(running: LabSpec, next: LabSpec): void {
  for (const part of ['services', 'clients'] as const) {
    const names = (spec: LabSpec): string => Object.keys(spec[part]).sort().join(', ') || '(none)';
    if (names(running) !== names(next)) throw new TypeError(`${part}: a running sandbox keeps its ${part} (${names(running)}), got ${names(next)}`);
  }
  for (const [name, client] of Object.entries(next.clients)) {
    const calls = running.clients[name]!.calls;
    if (client.calls !== calls) throw new TypeError(`clients.${name}.calls: a running sandbox keeps its edges ("${calls}"), got "${client.calls}"`);
  }
}

/** A digest of every file the config names, in order: what the process reads when it (re)loads. */
export async function filesDigest(config: ServiceConfig | ClientConfig): Promise<string> {
  const paths = [config.certPath, config.keyPath, 'chainPath' in config ? config.chainPath : undefined, 'intermediatesPath' in config ? config.intermediatesPath : undefined, config.trustPath, ...config.crlPaths];
  // Read at once: each read is several turns of the event loop, and on a busy server a turn is long.
  // A file the learner's shell removed reads as missing; the process then fails in its own words.
  const contents = await Promise.all(paths.map((path) => (path === undefined ? undefined : readFile(path).catch(() => Buffer.from('missing')))));
  const hash = createHash('sha256');
  paths.forEach((path, i) => {
    hash.update(path === undefined ? '\0' : `${path}\0`);
    if (path !== undefined) hash.update(contents[i]!);
  });
  return hash.digest('hex');
}

/**
 * Node's server takes a new context, client-auth policy, allow list and latency live; a new
 * mode is another server and a new stack another program: a new process. s_server reads
 * everything from its arguments: its service process restarts it (a reload here).
 */
export function serviceChange(running: Realised<ServiceConfig>, next: Realised<ServiceConfig>): ProcessChange {
  const { config: before } = running;
  const { config: after } = next;
  if (before.stack !== after.stack || (after.stack === 'node' && before.mode !== after.mode)) return 'restart';
  return isDeepStrictEqual(before, after) && running.filesDigest === next.filesDigest ? 'none' : 'reload';
}

/** `certificate auth-server issued again; service auth reloaded`: what a change touched, in words. */
export function describeChange(change: SpecChange): string {
  const touched = [
    ...change.reissued.map((cert) => `certificate ${cert} issued again`),
    ...Object.entries(change.services).map(([service, how]) => `service ${service} ${how}`),
    ...change.clients.map((client) => `client ${client} reloaded`),
  ];
  return touched.join('; ') || 'nothing that runs';
}

export function clientChange(running: Realised<ClientConfig>, next: Realised<ClientConfig>): ProcessChange {
  return isDeepStrictEqual(running.config, next.config) && running.filesDigest === next.filesDigest ? 'none' : 'reload';
}
