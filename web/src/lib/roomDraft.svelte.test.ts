import { describe, expect, it } from 'vitest';
import type { FaultKindView } from '../../../server/app/protocol.ts';
import { RoomDraft } from './roomDraft.svelte.ts';

const kinds: FaultKindView[] = [{ kind: 'expired-cert', title: 'Expired certificate', target: 'certificate', params: [] }];

function draft(): RoomDraft {
  const room = new RoomDraft(() => kinds);
  room.labs = ['baseline'];
  return room;
}

describe('RoomDraft', () => {
  it('numbers the timeline as the server does, and a clear step names its inject step', () => {
    const room = draft();
    room.addStep();
    room.addStep();
    const [inject, clear] = room.steps as [NonNullable<(typeof room.steps)[0]>, NonNullable<(typeof room.steps)[0]>];
    inject.at = '05:00';
    inject.fault.choose('expired-cert');
    inject.fault.target = 'auth-server';
    clear.at = '600';
    clear.action = 'clear';
    clear.clears = inject;
    expect(room.injectsBefore(clear)).toEqual([inject]);
    expect(room.request()).toEqual({
      scenario: { labs: ['baseline'] },
      minutes: 30,
      mode: 'isolated',
      terminal: false,
      timeline: [
        { atS: 300, action: 'inject', who: 'all', kind: 'expired-cert', target: 'auth-server', params: {} },
        { atS: 600, action: 'clear', who: 'all', incident: 's1' },
      ],
    });
  });

  it('names the step whose time is not mm:ss', () => {
    const room = draft();
    room.addStep();
    room.steps[0]!.at = '5 min';
    expect(room.request()).toBe('step s1: "5 min" is not a time after the start (mm:ss, or seconds)');
  });

  it('refuses a clear step that names no inject step, and drops a clear step with the step it cleared', () => {
    const room = draft();
    room.addStep();
    room.addStep();
    const [inject, clear] = room.steps as [NonNullable<(typeof room.steps)[0]>, NonNullable<(typeof room.steps)[0]>];
    inject.at = '1:00';
    clear.at = '2:00';
    clear.action = 'clear';
    expect(room.request()).toBe('step s2: choose the inject step it clears');
    clear.clears = inject;
    room.removeStep(inject);
    expect(room.steps).toEqual([]);
  });

  it('gives the chaos schedule the drill length', () => {
    const room = draft();
    room.scenario = 'chaos';
    room.chaosLab = 'topology-lab';
    room.chaosSeed = 7;
    room.minutes = 10;
    room.mode = 'shared';
    expect(room.request()).toMatchObject({ scenario: { chaos: { lab: 'topology-lab', seed: 7, durationS: 600 } }, mode: 'shared' });
  });
});
