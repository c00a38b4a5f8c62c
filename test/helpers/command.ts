/** Runs a real program (openssl, tshark) to completion and keeps what it printed. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Rejects only when the program cannot be started at all (not installed). */
export async function runCommand(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await Promise.race([once(child, 'close'), once(child, 'error').then(([e]) => Promise.reject(e))])) as [number | null];
  return { code, stdout, stderr };
}

export const tsharkInstallHint = 'Install it: DEBIAN_FRONTEND=noninteractive apt-get install -y tshark';

/** The real `tshark` (Debian's package; .ci/run installs it): its output, or an error naming the fix. */
export async function tshark(args: string[]): Promise<string> {
  let result: CommandResult;
  try {
    result = await runCommand('tshark', args);
  } catch (error) {
    throw new Error(`tshark could not be started (${String(error)}). ${tsharkInstallHint}`);
  }
  if (result.code !== 0) throw new Error(`tshark ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}
