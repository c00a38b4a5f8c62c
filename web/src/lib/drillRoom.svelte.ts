/**
 * A learner's room, as they see it: its title, clock, where their sandbox is, and the room's
 * scoreboard (names and standings only: no other learner's sandbox, no answer). The server
 * pushes it at every change; the learner starts nothing here — the room starts their sandbox.
 *
 *   api.myRoom (the participant cookie says which) ──▶ LiveSocket.followRoom ──▶ room (RoomLearnerView)
 */
import type { RoomLearnerView } from '../../../server/app/protocol.ts';
import { api, failureText } from './api.ts';
import { liveSocket, type LiveSocket, type RoomView } from './socket.svelte.ts';

export class DrillRoom {
  room: RoomLearnerView | null = $state.raw(null);
  /** When the room last arrived (this page's clock): the drill's clock counts on from it. */
  receivedAt = $state(0);
  /** Why there is no room to show: this browser joined none, or it ended and its invites were revoked. */
  failure = $state('');
  readonly #socket: LiveSocket;

  constructor(socket = liveSocket()) {
    this.#socket = socket;
  }

  async follow(): Promise<void> {
    try {
      const room = await api.myRoom();
      this.#take(room);
      await this.#socket.followRoom(room.id, (pushed) => this.#take(pushed));
    } catch (error) {
      this.failure = failureText(error);
    }
  }

  leave(): void {
    if (this.room) this.#socket.unfollowRoom(this.room.id);
  }

  #take(room: RoomView): void {
    this.room = room as RoomLearnerView;
    this.receivedAt = Date.now();
  }
}
