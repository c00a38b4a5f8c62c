/**
 * Which file a child process runs. Built (`dist/server/runtime/*.js`) the sibling `.js` starts
 * in tens of milliseconds, which the cold-start budget needs; from sources (vitest, tsx) the
 * `.ts` file runs under tsx's loader instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type ChildEntry = 'serviceMain' | 'clientMain' | 'reaper';

interface ChildCommand {
  script: string;
  execArgv: string[];
}

const commands = new Map<ChildEntry, ChildCommand>();

export function childCommand(entry: ChildEntry): ChildCommand {
  let command = commands.get(entry);
  if (command === undefined) {
    const js = fileURLToPath(new URL(`./${entry}.js`, import.meta.url));
    if (existsSync(js)) {
      command = { script: js, execArgv: [] };
    } else {
      // An absolute URL: children run in the sandbox dir, where a bare `tsx` would not resolve.
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      command = { script: fileURLToPath(new URL(`./${entry}.ts`, import.meta.url)), execArgv: ['--import', tsx] };
    }
    commands.set(entry, command);
  }
  return command;
}

export interface SpawnChildOptions {
  cwd?: string;
  /** The reaper runs in its own process group so a terminal's Ctrl-C does not kill it before it cleans up. */
  detached?: boolean;
  stdio?: 'pipe' | 'ignore';
  /** Added to the server's environment. */
  env?: Record<string, string>;
}

/**
 * Spawns `node <entry> <config JSON>` with an IPC channel (`fork`'s wiring, but with our
 * own execArgv: a child must not inherit vitest's or the CLI's flags). Without a config, the
 * child waits for one over IPC (a warm process, warmPool.ts).
 */
export function spawnChild(entry: ChildEntry, config: unknown, options: SpawnChildOptions = {}): ChildProcess {
  const { script, execArgv } = childCommand(entry);
  const stdio = options.stdio ?? 'pipe';
  return spawn(process.execPath, [...execArgv, script, ...(config === undefined ? [] : [JSON.stringify(config)])], {
    cwd: options.cwd,
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    detached: options.detached ?? false,
    stdio: [stdio, stdio, stdio, 'ipc'],
    serialization: 'json',
  });
}
