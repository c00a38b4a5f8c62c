/**
 * No orphans: whether `up` is stopped politely or killed outright, no port stays bound and
 * no key file stays on disk.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { upLab, type SandboxDescription } from '../helpers/cli.js';
import { waitFor } from '../helpers/waitFor.js';

function refuses(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function allGone(description: SandboxDescription): Promise<boolean> {
  const ports = await Promise.all(Object.values(description.services).map((s) => refuses(s.address, s.port)));
  return ports.every(Boolean) && !existsSync(description.dir);
}

describe('cleanup', () => {
  it('leaves no port and no directory behind after SIGTERM', async () => {
    const lab = await upLab('baseline');
    expect(existsSync(lab.description.dir)).toBe(true);
    lab.process.kill('SIGTERM');
    expect(await lab.stop()).toBe(0);
    expect(await allGone(lab.description)).toBe(true);
  });

  it('leaves no port and no directory behind even after SIGKILL', async () => {
    const lab = await upLab('expired-client-cert');
    expect(await allGone(lab.description)).toBe(false);
    lab.process.kill('SIGKILL');
    await lab.stop();
    await waitFor('the reaper to free the ports and remove the sandbox', () => allGone(lab.description));
  });
});
