/**
 * `mtls-lab up` takes commands on its stdin while its sandbox runs: `inject kind[:target]`,
 * `clear <id>`, `list`, each answered with one JSON line (--json). Real handshakes (curl) show
 * the fault and its clearing; every process keeps its pid. Needs `npm run build` (dist/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upLab, type RunningLab } from '../helpers/cli.js';
import { curl } from '../helpers/peers.js';
import { processGone } from './runtimeHelpers.js';

let lab: RunningLab;

beforeAll(async () => {
  lab = await upLab('baseline');
});

afterAll(async () => {
  expect(await lab?.stop()).toBe(0);
});

const ask = async (line: string) => JSON.parse(await lab.command(line));
const callAuth = async () => (await curl(lab.description.services.auth!, lab.description.clients.payments)).output;

describe('mtls-lab up, driven on its stdin', () => {
  it('injects a fault live, lists it, clears it: curl sees each, and no process was replaced', async () => {
    expect(await ask('list')).toEqual({ faults: [] });

    const injected = await ask('inject expired-cert:auth-server');
    expect(injected).toMatchObject({ id: 1, kind: 'expired-cert', target: 'auth-server', change: { reissued: ['auth-server'], services: { auth: 'reloaded' }, clients: [] } });
    expect(await callAuth()).toMatch(/curl: \(60\) SSL certificate problem: certificate has expired/);
    expect((await ask('list')).faults).toEqual([expect.objectContaining({ id: 1, kind: 'expired-cert', target: 'auth-server' })]);

    expect(await ask('clear 1')).toMatchObject({ cleared: 1, change: { reissued: ['auth-server'], services: { auth: 'reloaded' } } });
    expect(await callAuth()).toMatch(/^hello from auth; you are CN=payments-client/);
    expect(await ask('list')).toEqual({ faults: [] });
    expect(lab.description.pids.filter(processGone)).toEqual([]);
  });

  it.each([
    ['an unknown command', 'break everything', 'unknown command "break"; commands: inject kind[:target], clear <id>, list'],
    ['a fault not in the catalogue', 'inject solar-flare:auth', 'unknown fault "solar-flare"'],
    ['a target the lab lacks', 'inject expired-cert:ledger-server', 'ledger-server'],
    ['inject without a fault', 'inject', 'inject: name a fault, like "inject expired-cert:auth-server"'],
    ['an id not in effect', 'clear 7', 'clear: "7" is not a fault in effect (in effect: none)'],
    ['list with an argument', 'list all', 'list takes nothing, got "all"'],
  ])('answers %s with one error line and changes nothing', async (_name, line, message) => {
    const answer = await ask(line);
    expect(answer.error).toContain(message);
    expect(await ask('list')).toEqual({ faults: [] });
  });
});
