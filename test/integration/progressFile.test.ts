/**
 * The progress file as a real server finds it at start: a file of the wrong shape is kept
 * beside it as progress.json.bad-N (never over an earlier copy), logged in one line, and the
 * lab starts clean and answers; a write killed before its rename leaves a temporary file that
 * the next start removes — unless its writer still runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { newLearnerId } from '../../server/app/learners.js';
import { startTestApp, type TestApp } from './appHarness.js';

let t: TestApp | undefined;
let writer: ChildProcess | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
  if (writer && writer.exitCode === null && writer.signalCode === null) {
    const exited = once(writer, 'exit');
    writer.kill('SIGKILL');
    await exited;
  }
  writer = undefined;
});

const completed = { completed: true, completedAt: '2025-01-02T03:04:05.000Z', bestScore: 80, lastScore: 70, timeMs: 61_000, hintsUsed: 1, wrongDiagnoses: 1, completions: 2 };

async function dataDirWith(progress: string | undefined, others: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-progress-'));
  if (progress !== undefined) await writeFile(path.join(dir, 'progress.json'), progress);
  for (const [name, text] of Object.entries(others)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** The server answers both progress reads, with no progress. */
async function expectCleanStart(t: TestApp): Promise<void> {
  const labs = await t.api('GET', '/api/labs');
  expect(labs.status).toBe(200);
  expect(labs.json.progress).toEqual({ completed: 0, totalScore: 0 });
  const progress = await t.api('GET', '/api/progress');
  expect(progress.status).toBe(200);
  expect(progress.json).toEqual({ labs: {}, completed: 0, totalScore: 0 });
}

describe('a progress file of the wrong shape', () => {
  const bad: Array<{ name: string; text: string; reason: RegExp }> = [
    { name: 'labs: null', text: '{"version":1,"labs":null}', reason: /\(labs: Invalid type: Expected Object but received null\)/ },
    { name: 'garbage, not JSON', text: 'garbage{', reason: /\(not JSON: / },
    { name: 'another version', text: '{"version":3,"labs":{}}', reason: /\(version: Invalid type: Expected 2 but received 3\)/ },
    { name: 'version 2 without learners', text: '{"version":2,"labs":{}}', reason: /\(learners: Invalid key: Expected "learners" but received undefined\)/ },
    { name: 'no version', text: '{"labs":{}}', reason: /\(version: Invalid key: Expected "version" but received undefined\)/ },
    { name: 'a number, not an object', text: '42', reason: /\(the file: Invalid type: Expected Object but received 42\)/ },
    { name: 'a lab whose progress is null', text: '{"version":1,"labs":{"baseline":null}}', reason: /\(labs\.baseline: Invalid type/ },
    { name: 'a nested field of the wrong type', text: JSON.stringify({ version: 1, labs: { baseline: { ...completed, bestScore: '80' } } }), reason: /\(labs\.baseline\.bestScore: Invalid type: Expected number but received "80"\)/ },
    { name: 'a nested field missing', text: JSON.stringify({ version: 1, labs: { baseline: { ...completed, completions: undefined } } }), reason: /\(labs\.baseline\.completions: Invalid key/ },
    { name: 'a count that is not a whole number', text: JSON.stringify({ version: 1, labs: { baseline: { ...completed, hintsUsed: -1 } } }), reason: /\(labs\.baseline\.hintsUsed: Invalid value/ },
    { name: 'a completion time that is not a time', text: JSON.stringify({ version: 1, labs: { baseline: { ...completed, completedAt: 'yesterday' } } }), reason: /\(labs\.baseline\.completedAt: Invalid timestamp/ },
  ];

  it.each(bad)('($name) is kept as progress.json.bad-1, logged in one line, and the server starts clean', async ({ text, reason }) => {
    const dataDir = await dataDirWith(text);
    t = await startTestApp({ dataDir });
    await expectCleanStart(t);
    expect((await readdir(dataDir)).sort()).toEqual(['progress.json.bad-1']);
    expect(await readFile(path.join(dataDir, 'progress.json.bad-1'), 'utf8')).toBe(text);
    expect(t.logged).toHaveLength(1);
    const [line] = t.logged;
    expect(line!.error).toBeUndefined();
    expect(line!.message.split('\n')).toHaveLength(1);
    expect(line!.message).toMatch(reason);
    expect(line!.message).toContain(`kept it as ${path.join(dataDir, 'progress.json.bad-1')} and started with no progress`);
  });

  it('is kept under the next free number, never over an earlier copy', async () => {
    const dataDir = await dataDirWith('{"version":1,"labs":null}', { 'progress.json.bad-1': 'first', 'progress.json.bad-3': 'third' });
    t = await startTestApp({ dataDir });
    await expectCleanStart(t);
    expect((await readdir(dataDir)).sort()).toEqual(['progress.json.bad-1', 'progress.json.bad-3', 'progress.json.bad-4']);
    expect(await readFile(path.join(dataDir, 'progress.json.bad-1'), 'utf8')).toBe('first');
    expect(await readFile(path.join(dataDir, 'progress.json.bad-3'), 'utf8')).toBe('third');
    expect(await readFile(path.join(dataDir, 'progress.json.bad-4'), 'utf8')).toBe('{"version":1,"labs":null}');
    expect(t.logged.map((l) => l.message)).toEqual([expect.stringContaining('kept it as ' + path.join(dataDir, 'progress.json.bad-4'))]);
  });

  it('is set aside again after a restart, as bad-2, and the clean start is saved on the next write', async () => {
    const dataDir = await dataDirWith('{"version":1,"labs":null}');
    const first = await startTestApp({ dataDir });
    await first.app.close();
    await rm(first.sandboxDir, { recursive: true, force: true });
    await writeFile(path.join(dataDir, 'progress.json'), 'still garbage');
    t = await startTestApp({ dataDir });
    expect((await readdir(dataDir)).sort()).toEqual(['progress.json.bad-1', 'progress.json.bad-2']);
    expect((await t.api('DELETE', '/api/progress')).status).toBe(200);
    expect(JSON.parse(await readFile(path.join(dataDir, 'progress.json'), 'utf8'))).toEqual({ version: 2, learners: {} });
  });
});

describe('a good progress file', () => {
  it('is loaded, every field as written, and left where it is', async () => {
    const text = JSON.stringify({ version: 1, labs: { baseline: completed, 'expired-client-cert': { ...completed, completedAt: undefined } } });
    const dataDir = await dataDirWith(text);
    t = await startTestApp({ dataDir });
    const progress = await t.api('GET', '/api/progress');
    expect(progress.status).toBe(200);
    expect(progress.json).toEqual({ labs: { baseline: completed, 'expired-client-cert': { ...completed, completedAt: undefined } }, completed: 2, totalScore: 160 });
    expect(await readdir(dataDir)).toEqual(['progress.json']);
    expect(t.logged).toEqual([]);
  });
});

describe('a version 1 progress file (one progress for the whole server)', () => {
  it('becomes the progress of the first learner with none, written back as version 2; other learners start with none', async () => {
    const dataDir = await dataDirWith(JSON.stringify({ version: 1, labs: { baseline: completed } }));
    const first = await startTestApp({ dataDir });
    const [ada, bob] = [newLearnerId(), newLearnerId()];
    expect((await first.pageApi(ada, 'GET', '/api/progress')).json).toMatchObject({ labs: { baseline: completed }, completed: 1 });
    expect((await first.pageApi(bob, 'GET', '/api/progress')).json).toEqual({ labs: {}, completed: 0, totalScore: 0 });
    await first.app.progress.flush();
    expect(JSON.parse(await readFile(path.join(dataDir, 'progress.json'), 'utf8'))).toEqual({ version: 2, learners: { [ada]: { labs: { baseline: completed } } } });
    await first.app.close();
    await rm(first.sandboxDir, { recursive: true, force: true });

    t = await startTestApp({ dataDir });
    expect((await t.pageApi(ada, 'GET', '/api/progress')).json.labs).toEqual({ baseline: completed });
    expect((await t.pageApi(bob, 'GET', '/api/progress')).json.labs).toEqual({});
    expect(t.logged).toEqual([]);
  });
});

/**
 * A writer as `writeAtomically` is one: it opens `progress.json.<its pid>.<8 hex>.tmp` and writes
 * part of the file, then says so and waits — to be killed, as a crash mid-write would end it.
 */
async function startWriter(dataDir: string): Promise<{ process: ChildProcess; temp: string }> {
  const script = `
    const fs = require('node:fs');
    const temp = require('node:path').join(process.argv[1], 'progress.json.' + process.pid + '.0badf00d.tmp');
    fs.writeFileSync(temp, '{"version":1,"la');
    console.log(temp);
    setInterval(() => {}, 1 << 30);
  `;
  const child = spawn(process.execPath, ['-e', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [temp] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { process: child, temp };
}

describe('a write killed before its rename', () => {
  it('leaves a temporary file that the next start removes, and the good file stands', async () => {
    const text = JSON.stringify({ version: 1, labs: { baseline: completed } });
    const dataDir = await dataDirWith(text);
    const killed = await startWriter(dataDir);
    const exited = once(killed.process, 'exit');
    killed.process.kill('SIGKILL');
    await exited;
    expect(await readdir(dataDir)).toContain(path.basename(killed.temp));

    t = await startTestApp({ dataDir });
    expect(await readdir(dataDir)).toEqual(['progress.json']);
    expect((await t.api('GET', '/api/progress')).json.labs).toEqual({ baseline: completed });
    expect(t.logged).toEqual([]);
  });

  it('is told apart from a write still running: a live writer\'s temporary file stays, and so do other files', async () => {
    const others = { 'progress.json.bad-1': 'kept', 'progress.json.tmp': 'not ours', 'progress.json.1.xyz.tmp': 'not a name we make', 'notes.txt': 'mine' };
    const dataDir = await dataDirWith(undefined, others);
    const live = await startWriter(dataDir);
    writer = live.process;
    t = await startTestApp({ dataDir });
    expect((await readdir(dataDir)).sort()).toEqual([...Object.keys(others), path.basename(live.temp)].sort());
    await expectCleanStart(t);
  });
});
