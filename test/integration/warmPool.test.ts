/**
 * Warm processes (runtime/warmPool.ts): a sandbox started on them runs its lab as one whose
 * processes were spawned for it, each still a process of its own; a closed pool leaves no
 * process behind, and neither does a parent killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../server/runtime/index.js';
import { warmUp, type WarmUpMaterial } from '../../server/runtime/warmUp.js';
import { createWarmPool, warmUpMaterial, type WarmPool } from '../../server/runtime/warmPool.js';
import { eventually, healthyLab, processGone, warmChildren } from './runtimeHelpers.js';

const target = fileURLToPath(new URL('./warmPoolKillTarget.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describe('a warm pool', () => {
  let pool: WarmPool | undefined;
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    await pool?.close();
  });

  it('starts a sandbox on its processes, each its own, and the lab runs as on spawned ones', async () => {
    pool = createWarmPool(1);
    await pool.filled();
    const warm = warmChildren();
    expect(warm).toHaveLength(2);
    sandbox = await startSandbox(healthyLab({ id: 'warm' }), { warmPool: pool });
    const { services, clients } = sandbox.describe();
    expect([services.auth!.pid, clients.payments!.pid].sort()).toEqual([...warm].sort());
    const [edge] = await sandbox.runTraffic({ requests: 3 });
    expect(edge).toMatchObject({ client: 'payments', service: 'auth', requests: 3, ok: 3, failed: 0 });
    expect(edge!.sample).toBe('hello from auth; you are CN=payments-client, URI:spiffe://corp.test/ns/pay/sa/payments\n');
  });

  it('starts a second sandbox whether or not the first left it a warm process, and refills behind them', async () => {
    pool = createWarmPool(1);
    await pool.filled();
    sandbox = await startSandbox(healthyLab({ id: 'warm-first' }), { warmPool: pool });
    const second = await startSandbox(healthyLab({ id: 'warm-second' }), { warmPool: pool });
    try {
      const [edge] = await second.runTraffic({ requests: 2 });
      expect(edge).toMatchObject({ requests: 2, ok: 2, failed: 0 });
      await pool.filled();
      const taken = [...sandbox.describe().pids, ...second.describe().pids];
      expect(warmChildren().filter((pid) => !taken.includes(pid))).toHaveLength(2);
    } finally {
      await second.stop();
    }
  });

  it('stops every idle process on close', async () => {
    pool = createWarmPool(2);
    await pool.filled();
    const idle = warmChildren();
    expect(idle).toHaveLength(4);
    await pool.close();
    expect(idle.every(processGone)).toBe(true);
  });

  it("keeps a holder's reservation warm beyond its size, and lets go of it on release", async () => {
    pool = createWarmPool(1);
    pool.reserve('room', { serviceMain: 2 });
    await pool.filled();
    const withReservation = warmChildren();
    expect(withReservation).toHaveLength(4);
    pool.release('room');
    // Back to one of each: the two reserved services go, the rest stay.
    expect(await eventually(() => withReservation.filter(processGone).length === 2)).toBe(true);
    expect(warmChildren()).toHaveLength(2);
    const taken = [pool.take('serviceMain'), pool.take('clientMain')];
    try {
      expect(taken.every((child) => child !== undefined)).toBe(true);
      expect(pool.take('serviceMain')).toBeUndefined();
    } finally {
      for (const child of taken) child?.kill('SIGKILL');
    }
  });
});

describe("a warm process's rehearsal", () => {
  it('is a real mutual-TLS exchange on the throwaway certificate, and fails on a key that does not match it', async () => {
    const material = JSON.parse(await warmUpMaterial()) as WarmUpMaterial;
    await expect(warmUp(material)).resolves.toBeUndefined();
    const other = JSON.parse(await warmUpMaterial()) as WarmUpMaterial;
    await expect(warmUp({ cert: material.cert, key: other.key })).rejects.toThrow(/key values mismatch/);
  });
});

describe('a parent with a warm pool, killed with SIGKILL', () => {
  it("leaves none of the pool's processes, the sandbox's, or its directory behind", async () => {
    const parent = spawn(process.execPath, ['--import', tsx, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen: { pids: number[]; idle: number[]; dir: string; reaper: number };
    try {
      const first = await createInterface({ input: parent.stdout })[Symbol.asyncIterator]().next();
      seen = JSON.parse(String(first.value)) as typeof seen;
    } finally {
      parent.kill('SIGKILL');
    }
    expect(seen.idle).toHaveLength(4);
    expect(await eventually(() => [...seen.pids, ...seen.idle].every(processGone))).toBe(true);
    expect(await eventually(() => !existsSync(seen.dir))).toBe(true);
    expect(await eventually(() => processGone(seen.reaper))).toBe(true);
  });
});
