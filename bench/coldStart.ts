/**
 * Sandbox cold start: load the lab + issue its PKI + spawn its processes + the first real
 * mTLS request through the tap — against the floor of spawning a bare `node` process,
 * measured in the same run.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { loadCheckedLab } from '../server/cli/labFiles.js';
import { startSandbox } from '../server/runtime/index.js';
import { childProcesses, type ProcessMemory } from './childProcesses.js';
import { formatMs, median, timed } from './stats.js';

async function firstRequest(sandbox: Awaited<ReturnType<typeof startSandbox>>, client: string): Promise<number> {
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

export async function benchColdStart(labsDir: string, runs: number): Promise<string[]> {
  const starts: number[] = [];
  const floors: number[] = [];
  let memory: ProcessMemory[] = [];
  for (let run = 0; run < runs; run++) {
    floors.push(await bareNodeSpawn());
    const [sandbox, ms] = await timed(async () => {
      const doc = await loadCheckedLab(path.join(labsDir, 'baseline.yaml'));
      const sandbox = await startSandbox(doc.spec);
      const status = await firstRequest(sandbox, 'payments');
      if (status !== 200) throw new Error(`the first request through the baseline sandbox got HTTP ${status}`);
      return sandbox;
    });
    starts.push(ms);
    if (run === runs - 1) memory = childProcesses().filter((p) => p.command.includes('serviceMain'));
    await sandbox.stop();
  }
  const coldStart = median(starts);
  const floor = median(floors);
  return [
    `sandbox cold start (baseline lab: load + PKI + spawn + first mTLS request), median of ${runs}: ${formatMs(coldStart)}  (target ≤ 400 ms)`,
    `  bare \`node -e 0\` spawn, median of ${runs}: ${formatMs(floor)}  → cold start = ${(coldStart / floor).toFixed(1)}× a bare node spawn`,
    ...memory.map((p) => `  service process ${p.pid} RSS: ${p.rssMb.toFixed(1)} MB  (target ≤ 60 MB)`),
  ];
}
