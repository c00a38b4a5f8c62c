/**
 * A facilitator's hold on one room: the room as the server pushes it (every learner's
 * standing, the clock, incidents, the timeline), the catalogue's faults, and the controls.
 * Each control goes to the API; what changed comes back as the room's next push, so the page
 * shows the server's state, never its own guess. An API refusal is shown with its code.
 *
 *   LiveSocket.followRoom ──room-subscribe──▶ room (RoomConsole), at every change
 *   facilitator: start · pause · resume · end · inject(to whom) · clear · terminal ──▶ api ──▶ (push)
 */
import type { FaultKindView, RoomConsole } from '../../../server/app/protocol.ts';
import { busyAction } from './busyAction.ts';
import { api, type RoomControl } from './api.ts';
import { FaultDraft } from './faultDraft.svelte.ts';
import { liveSocket, type LiveSocket, type RoomView } from './socket.svelte.ts';

/** A fault goes to every learner of the room, or to one (a participant id). */
export type Recipient = 'all' | (string & {});

export class RoomConsoleState {
  room: RoomConsole | null = $state.raw(null);
  /** When the room last arrived (this page's clock): the drill's clock counts on from it. */
  receivedAt = $state(0);
  faultKinds: FaultKindView[] = $state.raw([]);
  readonly draft = new FaultDraft(() => this.faultKinds);
  who: Recipient = $state('all');
  busy = $state(false);
  error = $state('');

  readonly id: string;
  readonly #socket: LiveSocket;

  constructor(id: string, socket = liveSocket()) {
    this.id = id;
    this.#socket = socket;
  }

  async follow(): Promise<void> {
    await busyAction(this, async () => {
      const [catalogue] = await Promise.all([api.catalogue(), this.#socket.followRoom(this.id, (room) => this.#take(room))]);
      this.faultKinds = catalogue.faults;
    });
  }

  leave(): void {
    this.#socket.unfollowRoom(this.id);
  }

  control(control: RoomControl): Promise<void> {
    return busyAction(this, () => api.controlRoom(this.id, control));
  }

  inject(): Promise<void> {
    return busyAction(this, () => api.injectRoomFault(this.id, { ...this.draft.spec(), who: this.who }));
  }

  clear(incident: string): Promise<void> {
    return busyAction(this, () => api.clearRoomFault(this.id, incident));
  }

  allowTerminal(allowed: boolean): Promise<void> {
    return busyAction(this, () => api.allowRoomTerminal(this.id, allowed));
  }

  #take(room: RoomView): void {
    this.room = room as RoomConsole;
    this.receivedAt = Date.now();
  }
}
