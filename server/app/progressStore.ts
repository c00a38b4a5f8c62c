/**
 * Each learner's progress, surviving restarts: one JSON file in the user's data directory,
 * keyed by learner id (learners.ts; `operator` for scripts that send the token and no learner),
 * written atomically — a temporary file in the same folder, fsync'd, then renamed over the
 * old one (rename(2) is atomic within a file system), so a crash leaves the old file or the
 * new one, never half of one. Writes are serialised: the last one wins, in order.
 *
 *   verify green ──recordCompletion(learner, lab)──▶ progress.json.<pid>.<rand>.tmp ──rename──▶ progress.json
 *
 * Version 1 held one progress for the whole server. Read at start, it becomes the progress of
 * the first learner with none of their own to come by (on a machine of one learner, theirs), and
 * is written back as version 2 then.
 *
 * At start the whole file is checked against its schema, every field of every lab; a file
 * that fails (not JSON, another version, a field of the wrong type) is kept beside it as
 * progress.json.bad-N (the next free N, never over an earlier copy) and the lab starts with
 * no progress, rather than answering 500 on every read until a reset. A write killed between
 * open and rename leaves its temporary file; the next start removes it.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as v from 'valibot';
import type { ErrorLogger } from './errors.js';
import type { LabProgress, ProgressSummary } from './protocol.js';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

const labProgressSchema = v.object({
  completed: v.boolean(),
  completedAt: v.optional(v.pipe(v.string(), v.isoTimestamp())),
  bestScore: count,
  lastScore: count,
  timeMs: v.pipe(v.number(), v.finite(), v.minValue(0)),
  hintsUsed: count,
  wrongDiagnoses: count,
  completions: count,
}) satisfies v.GenericSchema<LabProgress>;

const labsSchema = v.record(v.string(), labProgressSchema);

const progressFileV1Schema = v.object({
  version: v.literal(1),
  labs: labsSchema,
});

const progressFileSchema = v.object({
  version: v.literal(2),
  learners: v.record(v.string(), v.object({ labs: labsSchema })),
  /** Version 1's progress, until a learner adopts it. */
  unclaimed: v.optional(labsSchema),
});

type ProgressFile = v.InferOutput<typeof progressFileSchema>;
type Labs = ProgressFile['learners'][string]['labs'];

/** Why a progress file was set aside: names the file's own fault, for the log line. */
class BadProgressFile extends Error {
  override name = 'BadProgressFile';
}

export interface Completion {
  score: number;
  timeMs: number;
  hintsUsed: number;
  wrongDiagnoses: number;
}

const empty = (): ProgressFile => ({ version: 2, learners: {} });

export class ProgressStore {
  readonly file: string;
  #data: ProgressFile;
  #writing: Promise<void> = Promise.resolve();
  readonly #logger: ErrorLogger;

  private constructor(file: string, data: ProgressFile, logger: ErrorLogger) {
    this.file = file;
    this.#data = data;
    this.#logger = logger;
  }

  /**
   * Reads `<dir>/progress.json`: a missing file is no progress; a bad one is set aside as
   * progress.json.bad-N with one line logged, and the store starts empty. Removes what killed
   * writes left behind first.
   */
  static async open(dir: string, logger: ErrorLogger): Promise<ProgressStore> {
    const file = path.join(dir, 'progress.json'); // the patterns below know this name
    await removeStaleTemporaries(file, logger);
    let data = empty();
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.error(`${file} could not be read; starting with no progress`, error);
    }
    if (text !== undefined) {
      try {
        data = parseProgress(text);
      } catch (error) {
        const reason = error instanceof BadProgressFile ? error.message : String(error);
        const kept = await setAside(file).catch((failure: unknown) => `nowhere (${String(failure)})`);
        logger.error(`${file} is not a progress file (${reason}); kept it as ${kept} and started with no progress`);
      }
    }
    return new ProgressStore(file, data, logger);
  }

  get(learner: string, lab: string): LabProgress | undefined {
    return this.#labsOf(learner)[lab];
  }

  summary(learner: string): ProgressSummary {
    const labs = structuredClone(this.#labsOf(learner));
    const list = Object.values(labs);
    return { labs, completed: list.filter((p) => p.completed).length, totalScore: list.reduce((sum, p) => sum + p.bestScore, 0) };
  }

  /**
   * A learner with no progress of their own takes version 1's, if it is still unclaimed (a
   * machine of one learner keeps theirs across the upgrade).
   */
  async adopt(learner: string): Promise<void> {
    const unclaimed = this.#data.unclaimed;
    if (!unclaimed || Object.hasOwn(this.#data.learners, learner)) return;
    const { unclaimed: _, ...rest } = this.#data;
    this.#data = { ...rest, learners: { ...rest.learners, [learner]: { labs: unclaimed } } };
    await this.#save();
  }

  async recordCompletion(learner: string, lab: string, run: Completion): Promise<LabProgress> {
    const labs = this.#labsOf(learner);
    const before = labs[lab];
    const best = !before || run.score > before.bestScore;
    const next: LabProgress = {
      completed: true,
      completedAt: before?.completedAt ?? new Date().toISOString(),
      bestScore: best ? run.score : before.bestScore,
      lastScore: run.score,
      timeMs: best ? run.timeMs : before.timeMs,
      hintsUsed: best ? run.hintsUsed : before.hintsUsed,
      wrongDiagnoses: best ? run.wrongDiagnoses : before.wrongDiagnoses,
      completions: (before?.completions ?? 0) + 1,
    };
    this.#setLabs(learner, { ...labs, [lab]: next });
    await this.#save();
    return next;
  }

  /** Forgets one learner's progress; the others' stays. */
  async reset(learner: string): Promise<void> {
    const { [learner]: _, ...others } = this.#data.learners;
    this.#data = { ...this.#data, learners: others };
    await this.#save();
  }

  /** Resolves when every write asked for so far is on disk (or failed and was logged). */
  flush(): Promise<void> {
    return this.#writing;
  }

  #labsOf(learner: string): Labs {
    return Object.hasOwn(this.#data.learners, learner) ? this.#data.learners[learner]!.labs : {};
  }

  #setLabs(learner: string, labs: Labs): void {
    this.#data = { ...this.#data, learners: { ...this.#data.learners, [learner]: { labs } } };
  }

  #save(): Promise<void> {
    const text = JSON.stringify(this.#data, null, 2) + '\n';
    const write = this.#writing.then(() => writeAtomically(this.file, text));
    this.#writing = write.catch((error: unknown) => this.#logger.error(`could not save ${this.file}`, error));
    return write;
  }
}

const temporaryName = (file: string): string => `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

/** `progress.json.<pid>.<8 hex>.tmp`, as temporaryName makes them. */
const temporaryPattern = /^progress\.json\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const badCopyPattern = /^progress\.json\.bad-(\d+)$/;

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = temporaryName(file);
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function parseProgress(text: string): ProgressFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BadProgressFile(`not JSON: ${(error as Error).message}`);
  }
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined;
  if (version === 1) {
    const { labs } = checked(progressFileV1Schema, value);
    return { version: 2, learners: {}, ...(Object.keys(labs).length > 0 ? { unclaimed: labs } : {}) };
  }
  return checked(progressFileSchema, value);
}

function checked<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) {
    const [issue] = result.issues;
    throw new BadProgressFile(`${v.getDotPath(issue) ?? 'the file'}: ${issue.message}`);
  }
  return result.output;
}

/**
 * Copies the bad file to the first free `<file>.bad-N` (COPYFILE_EXCL: an earlier copy is
 * never overwritten, even by a second server starting at the same moment), then removes it.
 */
async function setAside(file: string): Promise<string> {
  const taken = (await readdir(path.dirname(file))).map((name) => badCopyPattern.exec(name)?.[1]).filter((n) => n !== undefined).map(Number);
  for (let n = Math.max(0, ...taken) + 1; ; n++) {
    const copy = `${file}.bad-${n}`;
    try {
      await copyFile(file, copy, constants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await rm(file, { force: true });
    return copy;
  }
}

/**
 * Removes the temporary files of writes that were killed before their rename. A file whose
 * writer still runs (another server on the same data dir) is left alone; ours cannot exist
 * yet, so one that carries our pid is a dead process's whose pid was reused.
 */
async function removeStaleTemporaries(file: string, logger: ErrorLogger): Promise<void> {
  let names: string[];
  try {
    names = await readdir(path.dirname(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.error(`could not list ${path.dirname(file)} for writes that did not finish`, error);
    return;
  }
  for (const name of names) {
    const pid = temporaryPattern.exec(name)?.[1];
    if (pid === undefined || (Number(pid) !== process.pid && isRunning(Number(pid)))) continue;
    await rm(path.join(path.dirname(file), name), { force: true }).catch((error: unknown) => logger.error(`could not remove ${name}, left by a write that did not finish`, error));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
