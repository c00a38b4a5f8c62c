import { describe, expect, it } from 'vitest';
import { distractorReasons, quizChoices } from './quiz.js';

const scenario = {
  answer: 'wrong-ca',
  distractors: { 'expired-cert': 'alert 48, not 45', 'missing-intermediate': 'the chain is whole', 'ca-rotation-wrong-order': 'nothing was re-issued' },
};

describe('quizChoices', () => {
  it('offers every choice once', () => {
    expect(quizChoices(scenario, 7).sort()).toEqual(['ca-rotation-wrong-order', 'expired-cert', 'missing-intermediate', 'wrong-ca']);
  });

  it('gives the same order for the same seed', () => {
    expect(quizChoices(scenario, 12345)).toEqual(quizChoices(scenario, 12345));
  });

  it('puts the answer in every place over a few seeds, and orders differ', () => {
    const orders = Array.from({ length: 32 }, (_, seed) => quizChoices(scenario, seed));
    expect(new Set(orders.map((order) => order.indexOf('wrong-ca')))).toEqual(new Set([0, 1, 2, 3]));
    expect(new Set(orders.map((order) => order.join())).size).toBeGreaterThan(8);
  });
});

describe('distractorReasons', () => {
  it('gives each distractor its title and reason in the order shown, and leaves the answer out', () => {
    const order = ['missing-intermediate', 'wrong-ca', 'expired-cert', 'ca-rotation-wrong-order'];
    expect(distractorReasons(scenario, order)).toEqual([
      { id: 'missing-intermediate', title: 'Missing intermediate certificate', why: 'the chain is whole' },
      { id: 'expired-cert', title: 'Expired certificate', why: 'alert 48, not 45' },
      { id: 'ca-rotation-wrong-order', title: 'CA rotated before every trust bundle held the new root', why: 'nothing was re-issued' },
    ]);
  });
});
