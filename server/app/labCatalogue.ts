/**
 * The labs this server offers: every YAML file of the labs folder, validated and checked
 * against the fault catalogue once, on first use. A broken lab file stops nothing else: it
 * is logged with its file:line:col and left out.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { checkLabFaults } from '../faults/index.js';
import { formatIssue, LabValidationError, loadLab, loadLabs, type LabDocument } from '../lab/index.js';
import { ApiError, type ErrorLogger } from './errors.js';

export class LabCatalogue {
  readonly #dir: string;
  readonly #logger: ErrorLogger;
  #loading: Promise<Map<string, LabDocument>> | undefined;

  constructor(dir: string, logger: ErrorLogger) {
    this.#dir = dir;
    this.#logger = logger;
  }

  async list(): Promise<LabDocument[]> {
    return [...(await this.#labs()).values()];
  }

  async get(id: string): Promise<LabDocument> {
    const labs = await this.#labs();
    const doc = labs.get(id);
    if (!doc) throw new ApiError('LAB_NOT_FOUND', `"${id.slice(0, 100)}" (known: ${[...labs.keys()].join(', ')})`);
    return doc;
  }

  #labs(): Promise<Map<string, LabDocument>> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = undefined;
      throw error;
    });
    return this.#loading;
  }

  async #load(): Promise<Map<string, LabDocument>> {
    let docs: LabDocument[];
    try {
      docs = await loadLabs(this.#dir);
    } catch (error) {
      if (!(error instanceof LabValidationError)) throw error;
      // One bad file must not hide the good ones: load them one by one instead.
      this.#logger.error(`some lab files in ${this.#dir} are not valid:\n${error.message}`);
      docs = await this.#loadEach();
    }
    const labs = new Map<string, LabDocument>();
    for (const doc of docs) {
      const issues = checkLabFaults(doc);
      if (issues.length > 0) {
        this.#logger.error(`lab ${doc.spec.id} is left out:\n${issues.map(formatIssue).join('\n')}`);
        continue;
      }
      labs.set(doc.spec.id, doc);
    }
    return labs;
  }

  async #loadEach(): Promise<LabDocument[]> {
    const files = (await readdir(this.#dir)).filter((name) => name.endsWith('.yaml')).sort();
    const loaded = await Promise.allSettled(files.map((name) => loadLab(path.join(this.#dir, name))));
    const seen = new Set<string>();
    // The first of two files with one id wins, as in loadLabs' order.
    return loaded.flatMap((result) => {
      if (result.status !== 'fulfilled' || seen.has(result.value.spec.id)) return [];
      seen.add(result.value.spec.id);
      return [result.value];
    });
  }
}
