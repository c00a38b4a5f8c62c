/**
 * Sandbox cold start: load the lab + issue its PKI + start its processes (warm ones taken
 * from the pool, or spawned) + the first real mTLS request through the tap — against the floor
 * of spawning a bare `node` process, measured in the same run.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { serveWarmProcesses } from '../server/app/options.js';
import { loadCheckedLab } from '../server/cli/labFiles.js';
import { startSandbox, type Sandbox } from '../server/runtime/index.js';
import { createWarmPool, noWarmPool, type WarmPool } from '../server/runtime/warmPool.js';
import { processMemory, type ProcessMemory } from './childProcesses.js';
import { formatMs, median, timed } from './stats.js';

async function firstRequest(sandbox: Sandbox, client: string): Promise<number> {
  const description = sandbox.describe();
  const caller = description.clients[client]!;
  const service = description.services[caller.calls]!;
  const [cert, key, ca] = await Promise.all([caller.cert!, caller.key!, caller.trust].map((file) => readFile(file!)));
  const request = https.get({
    host: service.address,
    port: service.port,
    servername: service.host,
    headers: { host: service.host },
    cert,
    key,
    ca,
    agent: false,
  });
  const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage];
  response.resume();
  await once(response, 'end');
  return response.statusCode ?? 0;
}

async function bareNodeSpawn(): Promise<number> {
  const [, ms] = await timed(async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(child, 'exit');
  });
  return ms;
}

/** One cold start of the baseline lab; the sandbox is returned running. */
async function coldStart(labsDir: string, warmPool: WarmPool): Promise<[Sandbox, number]> {
  return timed(async () => {
    const doc = await loadCheckedLab(path.join(labsDir, 'baseline.yaml'));
    const sandbox = await startSandbox(doc.spec, { warmPool });
    const status = await firstRequest(sandbox, 'payments');
    if (status !== 200) throw new Error(`the first request through the baseline sandbox got HTTP ${status}`);
    return sandbox;
  });
}

/**
 * Alternately: a bare node spawn, a start with the warm pool `mtls-lab serve` keeps (refilled
 * before each start, as between two learners' starts), and a start that spawns every process.
 */
export async function benchColdStart(labsDir: string, runs: number): Promise<string[]> {
  const warm: number[] = [];
  const spawned: number[] = [];
  const floors: number[] = [];
  let services: ProcessMemory[] = [];
  const pool = createWarmPool(serveWarmProcesses);
  try {
    for (let run = 0; run < runs; run++) {
      floors.push(await bareNodeSpawn());
      await pool.filled();
      const [sandbox, warmMs] = await coldStart(labsDir, pool);
      warm.push(warmMs);
      if (run === runs - 1) services = Object.values(sandbox.describe().services).flatMap((service) => processMemory(service.pid) ?? []);
      await sandbox.stop();
      const [cold, coldMs] = await coldStart(labsDir, noWarmPool);
      spawned.push(coldMs);
      await cold.stop();
    }
  } finally {
    await pool.close();
  }
  const floor = median(floors);
  const ratio = (ms: number): string => `${(ms / floor).toFixed(1)}× a bare node spawn`;
  return [
    `sandbox cold start (baseline lab: load + PKI + start + first mTLS request through the tap), warm pool of ${serveWarmProcesses} (serve's default), median of ${runs}: ${formatMs(median(warm))} → ${ratio(median(warm))}  (target ≤ 2×)`,
    `  bare \`node -e 0\` spawn, median of ${runs}: ${formatMs(floor)}`,
    `  the same start spawning every process (no warm pool: mtls-lab run/up, --warm-processes 0), median of ${runs}: ${formatMs(median(spawned))} → ${ratio(median(spawned))}`,
    ...services.map((p) => `  service process ${p.pid} RSS: ${p.rssMb.toFixed(1)} MB, PSS ${p.pssMb?.toFixed(1) ?? '?'} MB  (target RSS ≤ 60 MB)`),
  ];
}
