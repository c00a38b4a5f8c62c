/**
 * The catalogue page's state: every lab's summary with the learner's progress, grouped by
 * level and filtered by tag.
 *
 *   api.labs ──▶ labs + totals ──$derived──▶ groups (level → labs with the chosen tag)
 */
import type { LabListing, LabsResponse } from '../../../server/app/protocol.ts';
import { api } from './api.ts';

const levelOrder = ['beginner', 'intermediate', 'advanced'] as const;

export class CatalogueState {
  labs: LabListing[] = $state.raw([]);
  totals: LabsResponse['progress'] | null = $state.raw(null);
  tag: string | null = $state(null);
  loaded = $state(false);
  error = $state('');

  readonly tags: string[] = $derived([...new Set(this.labs.flatMap((lab) => lab.tags))].sort());
  readonly groups = $derived(
    levelOrder
      .map((level) => ({ level, labs: this.labs.filter((lab) => lab.level === level && (this.tag === null || lab.tags.includes(this.tag))) }))
      .filter((group) => group.labs.length > 0),
  );

  async load(): Promise<void> {
    try {
      const body = await api.labs();
      this.labs = body.labs;
      this.totals = body.progress;
      this.error = '';
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loaded = true;
    }
  }

  async resetProgress(): Promise<void> {
    await api.resetProgress();
    await this.load();
  }
}
