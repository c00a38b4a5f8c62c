import { describe, expect, it } from 'vitest';
import { loadLabs } from '../../lab/index.js';
import { questionBank, questionsFor } from './questionBank.js';

describe('questionBank', () => {
  it('holds the issue\'s questions, each with a model answer and follow-ups', () => {
    const ids = questionBank.map((q) => q.id);
    expect(ids).toEqual(expect.arrayContaining(['revocation-at-scale', 'mtls-versus-vpn', 'certificates-for-500-services', 'issuer-not-in-ca-list']));
    for (const question of questionBank) {
      expect(question.modelAnswer.length).toBeGreaterThan(100);
      expect(question.followUps.length).toBeGreaterThan(0);
      expect(question.tags.length).toBeGreaterThan(0);
    }
  });

  it('gives every lab of the catalogue at least one question that fits its tags', async () => {
    const labs = await loadLabs(new URL('../../../labs', import.meta.url).pathname);
    for (const lab of labs) expect(questionsFor(lab.spec.tags), lab.spec.id).not.toEqual([]);
  });

  it('puts the question that shares the most tags first and leaves out those sharing none', () => {
    const found = questionsFor(['revocation', 'crl']);
    expect(found[0]!.id).toBe('revocation-at-scale');
    expect(found.every((q) => q.tags.some((tag) => tag === 'revocation' || tag === 'crl'))).toBe(true);
    expect(questionsFor(['no-such-tag'])).toEqual([]);
  });

  it('stops at the limit', () => {
    expect(questionsFor(['handshake', 'trust', 'expiry', 'authorization', 'performance'], 2)).toHaveLength(2);
  });
});
