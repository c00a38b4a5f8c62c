/**
 * The one WebSocket of this tab (after svelte.dev's ReplProxy): requests carry ids and get
 * exactly one reply; pushes (trace, health, status, terminal output) go to the
 * listeners of their type. Components never touch the socket: state classes do.
 *
 *   LabRun.subscribe ──{id, type}──▶ LiveSocket ──ws /ws──▶ server
 *   server ──{type: reply, id}──▶ the request's promise
 *   server ──{type: trace | health | status | …}──▶ on(type) listeners
 *
 * The socket reconnects after a drop (backoff up to 5 s) and subscribes again to every
 * sandbox it was subscribed to, handing each the fresh snapshot — and to the scoreboard and
 * the rooms it follows.
 */
import type { ClientMessage, RoomSubscribeResult, ScoreboardResponse, ServerMessage, Standing, SubscribeResult } from '../../../server/app/protocol.ts';
import { ApiFailure } from './api.ts';

type Push = Exclude<ServerMessage, { type: 'reply' }>;
type PushOf<T extends Push['type']> = Extract<Push, { type: T }>;
type Request = ClientMessage extends infer M ? (M extends { id: unknown } ? Omit<M, 'id'> : never) : never;
/** Messages that need no reply (terminal keystrokes). */
type Notice = Exclude<ClientMessage, { id: unknown }>;

export type SocketState = 'connecting' | 'open' | 'closed';
/** A room as the caller sees it: the console for its host, a learner's view for a learner of it. */
export type RoomView = RoomSubscribeResult['room'];

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class LiveSocket {
  state: SocketState = $state('connecting');
  readonly #url: string;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<(message: Push) => void>>();
  /** Sandbox id → what to do with the snapshot each (re)subscription returns. */
  readonly #subscriptions = new Map<string, (result: SubscribeResult) => void>();
  /** Who follows the scoreboard: the reply to each (re)subscription and every push go to it. */
  #scoreboard: ((standings: Standing[]) => void) | undefined;
  /** Room id → who follows it: the reply to each (re)subscription and every push of that room go to it. */
  readonly #rooms = new Map<string, (room: RoomView) => void>();
  #ws: WebSocket | undefined;
  #nextId = 1;
  #retryMs = 250;
  #opened: Promise<void>;
  #markOpen: () => void = () => {};

  constructor(url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`) {
    this.#url = url;
    this.#opened = this.#waitForOpen();
    this.#connect();
  }

  on<T extends Push['type']>(type: T, listener: (message: PushOf<T>) => void): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    const wrapped = listener as (message: Push) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  async request<R>(message: Request): Promise<R> {
    await this.#opened;
    const id = this.#nextId++;
    return new Promise<R>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.#ws!.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Fire and forget; dropped while the socket is down (a keystroke is not worth replaying late). */
  notify(message: Notice): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  async subscribe(sandbox: string, onSnapshot: (result: SubscribeResult) => void): Promise<void> {
    this.#subscriptions.set(sandbox, onSnapshot);
    onSnapshot(await this.request<SubscribeResult>({ type: 'subscribe', sandbox }));
  }

  async followScoreboard(onStandings: (standings: Standing[]) => void): Promise<void> {
    this.#scoreboard = onStandings;
    onStandings((await this.request<ScoreboardResponse>({ type: 'scoreboard-subscribe' })).standings);
  }

  unfollowScoreboard(): void {
    if (!this.#scoreboard) return;
    this.#scoreboard = undefined;
    this.request({ type: 'scoreboard-unsubscribe' }).catch(() => {});
  }

  /** Follows a room as this caller sees it (the facilitator's console or a learner's view). */
  async followRoom(room: string, onRoom: (room: RoomView) => void): Promise<void> {
    this.#rooms.set(room, onRoom);
    onRoom(await this.#roomSubscribe(room));
  }

  unfollowRoom(room: string): void {
    if (!this.#rooms.delete(room)) return;
    this.request({ type: 'room-unsubscribe', room }).catch(() => {});
  }

  #roomSubscribe(room: string): Promise<RoomView> {
    return this.request<RoomSubscribeResult>({ type: 'room-subscribe', room }).then((result) => result.room);
  }

  unsubscribe(sandbox: string): void {
    if (!this.#subscriptions.delete(sandbox)) return;
    this.request({ type: 'unsubscribe', sandbox }).catch(() => {});
  }

  #waitForOpen(): Promise<void> {
    return new Promise((resolve) => (this.#markOpen = resolve));
  }

  #connect(): void {
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    this.state = 'connecting';
    ws.onopen = () => {
      this.state = 'open';
      this.#retryMs = 250;
      this.#markOpen();
      for (const [sandbox, onSnapshot] of this.#subscriptions) {
        this.request<SubscribeResult>({ type: 'subscribe', sandbox }).then(onSnapshot, () => this.#subscriptions.delete(sandbox));
      }
      const onStandings = this.#scoreboard;
      if (onStandings) this.request<ScoreboardResponse>({ type: 'scoreboard-subscribe' }).then((r) => onStandings(r.standings), () => {});
      for (const [room, onRoom] of this.#rooms) this.#roomSubscribe(room).then(onRoom, () => this.#rooms.delete(room));
    };
    ws.onmessage = (event) => this.#receive(JSON.parse(String(event.data)) as ServerMessage);
    ws.onclose = () => {
      this.state = 'closed';
      this.#opened = this.#waitForOpen();
      for (const pending of this.#pending.values()) pending.reject(new ApiFailure(0, 'SOCKET_CLOSED', 'the live connection to the server dropped'));
      this.#pending.clear();
      setTimeout(() => this.#connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 5000);
    };
  }

  #receive(message: ServerMessage): void {
    if (message.type === 'reply') {
      const pending = typeof message.id === 'number' ? this.#pending.get(message.id) : undefined;
      if (!pending) return;
      this.#pending.delete(message.id as number);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new ApiFailure(0, message.error.code, message.error.message));
      return;
    }
    if (message.type === 'scoreboard') this.#scoreboard?.(message.standings);
    if (message.type === 'room') this.#rooms.get(message.room.id)?.(message.room);
    for (const listener of this.#listeners.get(message.type) ?? []) listener(message);
  }
}

/** Created on first use: the catalogue page alone needs no socket. */
let shared: LiveSocket | undefined;
export const liveSocket = (): LiveSocket => (shared ??= new LiveSocket());
