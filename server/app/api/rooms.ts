/**
 * Team incident drills (rooms/): the facilitator — the host, who holds the run's token — opens
 * a room, learners join it by code (api/join.ts), and the host drives it. A learner of the room
 * reads only their own view of it; anyone else is told there is no such room.
 *
 *   POST   /api/rooms                   { title?, scenario, minutes, mode, terminal, timeline? } → 201 RoomConsole (host)
 *   GET    /api/rooms                                           → { rooms: RoomSummary[] } (host)
 *   GET    /api/rooms/:id                                       → RoomConsole (host) | RoomLearnerView (a learner of it)
 *   GET    /api/room                                            → RoomLearnerView: the caller's own room (a learner)
 *   POST   /api/rooms/:id/start | pause | resume | end          → RoomConsole (host)
 *   POST   /api/rooms/:id/faults        { kind, target?, params?, who } → 201 Incident (host)
 *   DELETE /api/rooms/:id/faults/:incident                      → Incident, cleared everywhere (host)
 *   POST   /api/rooms/:id/terminal      { allowed }             → RoomConsole (host)
 *   GET    /api/rooms/:id/postmortem | postmortem.md            → Postmortem | text/markdown download (host)
 *
 * Beyond the contract (additive): SandboxView.incidents[] carries kind, title, target and fixes
 * once diagnosed correct; DiagnosisResponse.incident the same; TimelineStep gets id, firedMs,
 * firedIncident, error; LearnerRow may carry error (their sandbox did not start). With several
 * labs, each learner starts on the first and moves on to the next, in a fresh sandbox, once
 * they solve one (isolated mode; a shared room stays on the first); the postmortem then lists a
 * learner once per lab.
 */
import { ApiError } from '../errors.js';
import { sendJson } from '../http.js';
import { requireHost, type Caller } from '../learners.js';
import type { RoomsResponse } from '../protocol.js';
import type { Route } from '../router.js';
import { postmortemMarkdown } from '../rooms/postmortem.js';
import type { Room } from '../rooms/room.js';
import type { Rooms } from '../rooms/rooms.js';
import { faultBody } from './faults.js';
import { booleanField, objectBody, stringField } from './validate.js';

export function roomRoutes(rooms: Rooms): Route[] {
  /** The room `id`, for the host; HOST_ONLY for a participant, whatever room they are in. */
  const hosted = (id: string, caller: Caller, what: string): Room => {
    requireHost(caller, what);
    return rooms.forHost(id, caller);
  };
  const action = (name: 'start' | 'pause' | 'resume' | 'end', run: (room: Room) => Promise<void> | void): Route => ({
    method: 'POST',
    path: `/api/rooms/:id/${name}`,
    async handler({ res, params, caller }) {
      const room = hosted(params.id!, caller, `${name} a room`);
      await run(room);
      sendJson(res, 200, room.console());
    },
  });
  return [
    {
      method: 'POST',
      path: '/api/rooms',
      async handler({ res, body, caller }) {
        requireHost(caller, 'open a room');
        const room = await rooms.create(body);
        sendJson(res, 201, room.console(), { location: `/api/rooms/${room.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/rooms',
      handler({ res, caller }) {
        requireHost(caller, 'list the rooms');
        sendJson(res, 200, { rooms: rooms.list().map((room) => room.summary()) } satisfies RoomsResponse);
      },
    },
    {
      method: 'GET',
      path: '/api/room',
      handler({ res, caller }) {
        const room = caller.participant && rooms.ofParticipant(caller.participant);
        if (!room) throw new ApiError('ROOM_NOT_FOUND', 'you joined no room');
        sendJson(res, 200, room.learnerView(caller.participant!));
      },
    },
    {
      method: 'GET',
      path: '/api/rooms/:id',
      handler({ res, params, caller }) {
        sendJson(res, 200, rooms.viewOf(params.id!, caller));
      },
    },
    action('start', (room) => room.start()),
    action('pause', (room) => room.pause()),
    action('resume', (room) => room.resume()),
    action('end', (room) => room.end()),
    {
      method: 'POST',
      path: '/api/rooms/:id/faults',
      async handler({ res, params, body, caller }) {
        const room = hosted(params.id!, caller, 'inject a fault');
        const input = objectBody(body);
        sendJson(res, 201, await room.inject(faultBody(input), stringField(input, 'who')));
      },
    },
    {
      method: 'DELETE',
      path: '/api/rooms/:id/faults/:incident',
      async handler({ res, params, caller }) {
        const room = hosted(params.id!, caller, 'clear a fault');
        sendJson(res, 200, await room.clear(params.incident!));
      },
    },
    {
      method: 'POST',
      path: '/api/rooms/:id/terminal',
      handler({ res, params, body, caller }) {
        const room = hosted(params.id!, caller, 'open the terminal to learners');
        room.setTerminal(booleanField(objectBody(body), 'allowed'));
        sendJson(res, 200, room.console());
      },
    },
    {
      method: 'GET',
      path: '/api/rooms/:id/postmortem',
      handler({ res, params, caller }) {
        sendJson(res, 200, hosted(params.id!, caller, 'read the postmortem').postmortem());
      },
    },
    {
      method: 'GET',
      path: '/api/rooms/:id/postmortem.md',
      handler({ res, params, caller }) {
        const room = hosted(params.id!, caller, 'read the postmortem');
        const text = Buffer.from(postmortemMarkdown(room.postmortem()));
        res.writeHead(200, {
          'content-type': 'text/markdown; charset=utf-8',
          'content-length': text.length,
          'content-disposition': `attachment; filename="postmortem-${room.id.replace(/[^A-Za-z0-9_-]/g, '_')}.md"`,
        });
        res.end(text);
      },
    },
  ];
}
