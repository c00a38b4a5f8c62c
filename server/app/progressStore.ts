/**
 * The learner's progress, surviving restarts: one JSON file in the user's data directory,
 * written atomically — a temporary file in the same folder, fsync'd, then renamed over the
 * old one (rename(2) is atomic within a file system), so a crash leaves the old file or the
 * new one, never half of one. Writes are serialised: the last one wins, in order.
 *
 *   verify green ──recordCompletion──▶ progress.json.<pid>.<rand>.tmp ──rename──▶ progress.json
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorLogger } from './errors.js';
import type { LabProgress, ProgressSummary } from './protocol.js';

interface ProgressFile {
  version: 1;
  labs: Record<string, LabProgress>;
}

export interface Completion {
  score: number;
  timeMs: number;
  hintsUsed: number;
  wrongDiagnoses: number;
}

const empty = (): ProgressFile => ({ version: 1, labs: {} });

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

  /** Reads `<dir>/progress.json`; a missing file is no progress, an unreadable one is logged and set aside. */
  static async open(dir: string, logger: ErrorLogger): Promise<ProgressStore> {
    const file = path.join(dir, 'progress.json');
    let data = empty();
    try {
      data = parseProgress(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.error(`${file} could not be read; starting with no progress (the old file is kept as progress.json.bad)`, error);
        await rename(file, `${file}.bad`).catch(() => undefined);
      }
    }
    return new ProgressStore(file, data, logger);
  }

  get(lab: string): LabProgress | undefined {
    return this.#data.labs[lab];
  }

  summary(): ProgressSummary {
    const labs = structuredClone(this.#data.labs);
    const list = Object.values(labs);
    return { labs, completed: list.filter((p) => p.completed).length, totalScore: list.reduce((sum, p) => sum + p.bestScore, 0) };
  }

  async recordCompletion(lab: string, run: Completion): Promise<LabProgress> {
    const before = this.#data.labs[lab];
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
    this.#data = { ...this.#data, labs: { ...this.#data.labs, [lab]: next } };
    await this.#save();
    return next;
  }

  async reset(): Promise<void> {
    this.#data = empty();
    await this.#save();
  }

  /** Resolves when every write asked for so far is on disk (or failed and was logged). */
  flush(): Promise<void> {
    return this.#writing;
  }

  #save(): Promise<void> {
    const text = JSON.stringify(this.#data, null, 2) + '\n';
    const write = this.#writing.then(() => writeAtomically(this.file, text));
    this.#writing = write.catch((error: unknown) => this.#logger.error(`could not save ${this.file}`, error));
    return write;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
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
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || (value as ProgressFile).version !== 1 || typeof (value as ProgressFile).labs !== 'object') {
    throw new TypeError('not a version 1 progress file');
  }
  return value as ProgressFile;
}
