/**
 * Every room of this server, by id. Learners join a room through its code (participants.ts);
 * each join whose scope is a room becomes that room's member. Closing the app closes every
 * room: its timers cleared, its sandboxes stopped.
 *
 *   POST /api/rooms ──create──▶ Room (a join code) ─── participants 'joined' (scope = room id) ──▶ room.join
 *   caller ──viewOf(id)──▶ the host: the console · a learner of it: their view · anyone else: ROOM_NOT_FOUND
 */
import { ApiError } from '../errors.js';
import type { LabCatalogue } from '../labCatalogue.js';
import type { Caller } from '../learners.js';
import type { RoomFollower } from '../wsHub.js';
import type { Participant } from '../participants.js';
import type { RoomConsole, RoomLearnerView } from '../protocol.js';
import { Room, type RoomDeps } from './room.js';
import { roomSettings } from './roomInput.js';

/** Rooms one server keeps, ended ones (and their postmortems) included. */
export const maxRooms = 100;

export class Rooms implements RoomFollower {
  readonly #rooms = new Map<string, Room>();
  readonly #deps: RoomDeps;
  readonly #catalogue: LabCatalogue;
  readonly #onJoined = (participant: Participant): void => this.#rooms.get(participant.scope)?.join(participant);
  #closed = false;

  constructor(catalogue: LabCatalogue, deps: RoomDeps) {
    this.#catalogue = catalogue;
    this.#deps = deps;
    deps.participants.changes.on('joined', this.#onJoined);
  }

  async create(body: unknown): Promise<Room> {
    const settings = await roomSettings(body, this.#catalogue);
    if (this.#closed) throw new ApiError('SANDBOX_NOT_RUNNING', 'the server is shutting down');
    if (this.#rooms.size >= maxRooms) throw new ApiError('BAD_REQUEST', `this server keeps ${maxRooms} rooms at most`);
    const room = new Room(settings, this.#deps);
    this.#rooms.set(room.id, room);
    return room;
  }

  list(): Room[] {
    return [...this.#rooms.values()];
  }

  /** The room, for the host only; anyone else is told there is none. */
  forHost(id: string, caller: Caller): Room {
    const room = this.#rooms.get(id);
    if (!room || !caller.host) throw new ApiError('ROOM_NOT_FOUND', `"${id.slice(0, 100)}"`);
    return room;
  }

  /** The room a participant joined, if it is a room. */
  ofParticipant(participant: Participant): Room | undefined {
    const room = this.#rooms.get(participant.scope);
    return room?.has(participant) ? room : undefined;
  }

  /** What `caller` may see of room `id`: the console for the host, their own view for a learner of it, ROOM_NOT_FOUND for anyone else. */
  viewOf(id: string, caller: Caller): RoomConsole | RoomLearnerView {
    const room = this.#rooms.get(id);
    if (room && caller.participant && room.has(caller.participant)) return room.learnerView(caller.participant);
    if (room && caller.host && !caller.participant) return room.console();
    throw new ApiError('ROOM_NOT_FOUND', `"${id.slice(0, 100)}"`);
  }

  /** Follows room `id` as `caller` sees it (the WebSocket's room-subscribe): its view now, then `push` after each change while it is still theirs. */
  follow(id: string, caller: Caller, push: (view: RoomConsole | RoomLearnerView) => void): { view: RoomConsole | RoomLearnerView; stop: () => void } {
    const view = this.viewOf(id, caller);
    const room = this.#rooms.get(id)!;
    const listener = (): void => {
      let next: RoomConsole | RoomLearnerView;
      try {
        next = this.viewOf(id, caller);
      } catch {
        return;
      }
      push(next);
    };
    room.changes.on('change', listener);
    return { view, stop: () => void room.changes.off('change', listener) };
  }

  /** Every room's timers cleared and sandboxes stopped. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#deps.participants.changes.off('joined', this.#onJoined);
    const results = await Promise.allSettled([...this.#rooms.values()].map((room) => room.close()));
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) throw new AggregateError(failed.map((result) => result.reason), `${failed.length} room(s) did not close cleanly`);
  }
}
