/**
 * A parent to be SIGKILLed by sandboxCleanup.test.ts: starts a sandbox, prints one JSON line
 * (its description and the reaper's pid), then waits to die.
 */
import { startSandbox } from '../../server/runtime/index.js';
import { reaperRegistry } from '../../server/runtime/reaperClient.js';
import { healthyLab } from './runtimeHelpers.js';

const stack = process.argv[2] === 'openssl' ? 'openssl' : 'node';
const sandbox = await startSandbox(healthyLab({ id: 'sigkill', service: { stack } }));
await sandbox.runTraffic({ requests: 1 });
process.stdout.write(JSON.stringify({ ...sandbox.describe(), reaper: reaperRegistry.pid() }) + '\n');
