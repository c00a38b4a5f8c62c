import { describe, expect, it } from 'vitest';
import { Participants } from './participants.js';

describe('participants', () => {
  it('issues short room codes anyone may read aloud, and long one-person links', () => {
    const participants = new Participants();
    const room = participants.invite({ role: 'learner', scope: 'r', short: true });
    const link = participants.invite({ role: 'candidate', scope: 'i' });
    expect(room).toMatch(/^[A-HJKMNP-Z2-689]{6}$/);
    expect(link).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(participants.join(room.toLowerCase(), 'Ada').participant.role).toBe('learner');
    expect(participants.join(room, 'Bob').participant.scope).toBe('r');
    expect(participants.join(link, 'Cleo').participant.role).toBe('candidate');
    expect(() => participants.join(link, 'Cleo')).toThrow(expect.objectContaining({ code: 'INVITE_NOT_FOUND' }));
  });

  it("refuses a join past a room's places, and a bad name without spending a one-person link", () => {
    const participants = new Participants();
    const room = participants.invite({ role: 'learner', scope: 'r', short: true, seats: 2 });
    participants.join(room, 'Ada');
    participants.join(room, 'Bob');
    expect(() => participants.join(room, 'Cleo')).toThrow(expect.objectContaining({ code: 'INVITE_FULL' }));
    expect(participants.inScope('r')).toHaveLength(2);
    const link = participants.invite({ role: 'candidate', scope: 'i' });
    expect(() => participants.join(link, 'two\nlines')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(participants.join(link, 'Cleo').participant.role).toBe('candidate');
  });

  it('gives every join its own token, learner id and public id, and forgets a scope that ends', () => {
    const participants = new Participants();
    const code = participants.invite({ role: 'learner', scope: 'r', short: true });
    const a = participants.join(code, 'Ada');
    const b = participants.join(code, 'Ada');
    expect(new Set([a.token, b.token]).size).toBe(2);
    expect(a.participant.learner).not.toBe(b.participant.learner);
    expect(participants.byToken(a.token)).toBe(a.participant);
    expect(participants.inScope('r')).toHaveLength(2);
    participants.setTerminal('r', true);
    expect(participants.join(code, 'Cy').participant.terminal).toBe(true);
    expect(a.participant.terminal).toBe(true);
    participants.revoke('r');
    expect(participants.byToken(a.token)).toBeUndefined();
    expect(participants.get(a.participant.id)).toBeUndefined();
    expect(participants.invitation(code)).toBeUndefined();
  });
});
