/**
 * A parent to be SIGKILLed by warmPool.test.ts: fills a warm pool, starts a sandbox on it,
 * prints one JSON line (the sandbox's pids, the idle pool's, the reaper's), then waits to die.
 */
import { startSandbox } from '../../server/runtime/index.js';
import { reaperRegistry } from '../../server/runtime/reaperClient.js';
import { createWarmPool } from '../../server/runtime/warmPool.js';
import { healthyLab, warmChildren } from './runtimeHelpers.js';

const warmPool = createWarmPool(2);
await warmPool.filled();
const sandbox = await startSandbox(healthyLab({ id: 'sigkill-warm' }), { warmPool });
await sandbox.runTraffic({ requests: 1 });
await warmPool.filled();
const { pids, dir } = sandbox.describe();
process.stdout.write(JSON.stringify({ pids, dir, idle: warmChildren().filter((pid) => !pids.includes(pid)), reaper: reaperRegistry.pid() }) + '\n');
setInterval(() => {}, 60_000);
