/**
 * Drives the built `mtls-lab` command (dist/server/cli.js) as a user would: as a child
 * process, reading what it prints. `npm test` builds it first.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SandboxDescription } from '../../server/runtime/index.js';
import { runCommand, type CommandResult } from './command.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(projectRoot, 'dist/server/cli.js');

export type CliResult = CommandResult;

/** Runs `mtls-lab …` to completion. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return runCommand(process.execPath, [cliPath, ...args], options);
}

export type { ClientDescription, SandboxDescription, ServiceDescription } from '../../server/runtime/index.js';

export interface RunningLab {
  description: SandboxDescription;
  process: ChildProcessWithoutNullStreams;
  /** Writes one command line on its stdin; resolves with the line it answers. */
  command(line: string): Promise<string>;
  /** Closes stdin, as the contract says ends `up`, and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** `mtls-lab up <lab> --json`: resolves once the one JSON line describing the sandbox arrives. */
export async function upLab(lab: string, extraArgs: string[] = []): Promise<RunningLab> {
  const child = spawn(process.execPath, [cliPath, 'up', lab, '--json', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const lines = createInterface({ input: child.stdout });
  const firstLine = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then(([code]) => Promise.reject(new Error(`mtls-lab up ${lab} exited ${code} before describing the sandbox:\n${stderr}`))),
  ]);
  // Every line after the description answers a command, in order.
  const answers: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line: string) => (waiting.length ? waiting.shift()!(line) : answers.push(line)));
  return {
    description: JSON.parse(firstLine) as SandboxDescription,
    process: child,
    command(line) {
      child.stdin.write(line + '\n');
      return answers.length ? Promise.resolve(answers.shift()!) : new Promise((resolve) => waiting.push(resolve));
    },
    async stop() {
      child.stdin.end();
      const [code] = await exited;
      return code;
    },
  };
}

export interface ServingLab {
  process: ChildProcessWithoutNullStreams;
  /** What it printed before "Press Ctrl-C to stop.", line by line. */
  lines: string[];
  /** The URLs it printed, in order. */
  urls: string[];
  /** SIGTERM, as Ctrl-C would; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** `mtls-lab serve …`: resolves once it says it is serving (the line "Press Ctrl-C to stop."). */
export async function serveLab(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<ServingLab> {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => {
    reader.on('line', (line) => {
      if (line === 'Press Ctrl-C to stop.') resolve();
      else lines.push(line);
    });
  });
  await Promise.race([ready, exited.then(([code]) => Promise.reject(new Error(`mtls-lab serve exited ${code} before serving:\n${stderr}`)))]);
  return {
    process: child,
    lines,
    urls: lines.flatMap((line) => /(?:^mtls-lab is serving at |^\s+)(http:\/\/\S+)$/.exec(line)?.[1] ?? []),
    async stop() {
      child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}
