/**
 * Comparing what a real tool printed with the catalogue's wording of a root cause, against a
 * sandbox `mtls-lab up` runs for a describe block (wording.test.ts, wordingProtocol.test.ts).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { faults, type Stack, type Wording } from '../../server/faults/index.js';
import { upLab, type ClientDescription, type RunningLab, type ServiceDescription } from './cli.js';
import type { PeerResult } from './peers.js';

/** A tool (s_client, curl, Node, Python) as `client` of `service`. */
export type Tool = (service: ServiceDescription, client?: Partial<ClientDescription>) => Promise<PeerResult>;

/** Every piece of `text` between `…` appears in `output`, in order. */
export function matchesWording(output: string, text: string): boolean {
  let from = 0;
  for (const piece of text.split('…').map((p) => p.trim()).filter(Boolean)) {
    const at = output.indexOf(piece, from);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

export function wordingOf(kind: string, stack: Stack): Wording {
  const wording = faults.get(kind)?.wording[stack];
  if (!wording) throw new Error(`${kind} has no ${stack} wording in the catalogue`);
  return wording;
}

/** The describe block's sandbox: up before its tests, stopped (exit 0) after them. */
export function withLab(lab: string, args: string[] = []): () => RunningLab {
  let running: RunningLab | undefined;
  beforeAll(async () => {
    running = await upLab(lab, args);
  }, 60_000);
  afterAll(async () => {
    expect(await running?.stop()).toBe(0);
  });
  return () => running!;
}
