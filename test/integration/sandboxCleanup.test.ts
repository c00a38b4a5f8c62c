/**
 * Even a parent killed with SIGKILL leaves nothing behind: its reaper kills the children
 * and removes the sandbox directory.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SandboxDescription } from '../../server/runtime/index.js';
import { eventually, processGone, refuses } from './runtimeHelpers.js';

const target = fileURLToPath(new URL('./sandboxKillTarget.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

async function startAndKill(stack: 'node' | 'openssl'): Promise<SandboxDescription & { reaper: number }> {
  const parent = spawn(process.execPath, ['--import', tsx, target, stack], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const first = await createInterface({ input: parent.stdout })[Symbol.asyncIterator]().next();
    return JSON.parse(String(first.value)) as SandboxDescription & { reaper: number };
  } finally {
    parent.kill('SIGKILL');
  }
}

describe('a parent killed with SIGKILL', () => {
  for (const stack of ['node', 'openssl'] as const) {
    it(`leaves no process, port or directory behind (stack ${stack})`, async () => {
      const description = await startAndKill(stack);
      const service = description.services.auth!;
      expect(description.pids.length).toBe(stack === 'openssl' ? 3 : 2);
      expect(existsSync(description.dir)).toBe(true);

      expect(await eventually(() => description.pids.every(processGone))).toBe(true);
      expect(await eventually(() => !existsSync(description.dir))).toBe(true);
      expect(await eventually(() => processGone(description.reaper))).toBe(true);
      expect(await refuses(description.address, service.port)).toBe(true);
      expect(await refuses(description.address, service.internalPort)).toBe(true);
    });
  }
});
