/**
 * The catalogue page's state: every lab's summary with the learner's progress, grouped by
 * level and filtered by tag, and the labs the learner has running (to go back to).
 *
 *   api.labs ──▶ labs + totals ──$derived──▶ groups (level → labs with the chosen tag)
 *   api.me ──▶ running: lab id → the learner's sandbox of it
 */
import type { LabListing, LabsResponse, SandboxView } from '../../../server/app/protocol.ts';
import { api } from './api.ts';

const levelOrder = ['beginner', 'intermediate', 'advanced'] as const;

export class CatalogueState {
  labs: LabListing[] = $state.raw([]);
  totals: LabsResponse['progress'] | null = $state.raw(null);
  running: Record<string, SandboxView> = $state.raw({});
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
      const [body, me] = await Promise.all([api.labs(), api.me()]);
      this.labs = body.labs;
      this.totals = body.progress;
      this.running = Object.fromEntries(me.sandboxes.filter((view) => view.status === 'running').map((view) => [view.lab, view]));
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
