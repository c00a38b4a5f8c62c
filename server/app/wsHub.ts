/**
 * The live channel: one WebSocket per browser tab at `/ws`. The tab subscribes to
 * sandboxes; the hub forwards each subscribed LabSession's messages — a connection's trace
 * as it closes, edge health each second while traffic runs, status changes.
 *
 * A socket is its upgrade request's learner (learners.ts), for its whole life: subscribe and
 * terminal-open reach only that learner's sandboxes (another's is SANDBOX_NOT_FOUND), unless
 * the upgrade carried the operator's token as Bearer. Each subscription of the sandbox's own
 * learner counts as an open page (idleStop.ts).
 *
 *   browser ──{id, type: subscribe|unsubscribe|ping}──▶ WsHub ──{type: reply, id, ok, …}──▶ browser
 *   LabSession 'message' (trace | health | status) ──▶ every subscribed socket
 *   browser ──scoreboard-subscribe──▶ Scoreboard changes ──{type: scoreboard}──▶ that socket
 *   browser ──room-subscribe──▶ a room's changes ──{type: room} (the socket's own view: console or learner's)──▶ that socket
 *   browser ──interview-subscribe (its host or interviewer)──▶ the interview's changes ──{type: interview}──▶ that socket
 *   browser ──terminal-open (reply: replay, triage) · -input · -resize · -detach──▶ TerminalHost ──▶ the sandbox's shell
 *   the sandbox's shell ──terminal-output | terminal-exit──▶ every socket attached to it
 *
 * Requests carry ids and get exactly one reply; pushes carry none, and neither do terminal
 * keystrokes (a bad one is answered with an id-less error reply). A socket that cannot keep
 * up (its send buffer past the cap) is closed with 1013 rather than buffered without bound;
 * a shell's output is held back before that (the shell pauses until the socket has written).
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { ApiError, toApiError, type ErrorLogger } from './errors.js';
import type { PagePresence } from './idleStop.js';
import type { LabSession } from './labSession.js';
import { nobody, requireHost, type Caller } from './learners.js';
import type { ClientMessage, InterviewView, RoomConsole, RoomLearnerView, ServerMessage, TerminalOpenResult } from './protocol.js';
import type { SandboxRegistry } from './sandboxRegistry.js';
import type { Scoreboard } from './scoreboard.js';
import type { TerminalAttachment, TerminalHost } from './sandboxTerminals.js';
import type { UpgradeGuard } from './upgradeGuard.js';

export interface WsHubOptions {
  path: string;
  maxPayloadBytes: number;
  /** Bytes queued on one socket beyond which it is closed (a tab that stopped reading). */
  maxBufferedBytes: number;
  /** The browser terminal, or its switched-off stand-in. */
  terminals: TerminalHost;
  /** Who opened a socket, from its upgrade request. */
  identify: (req: IncomingMessage) => Caller;
  /** Told of each page of a learner following their sandbox, and of each one leaving. */
  presence: PagePresence;
  /** Rooms a socket may follow (rooms/rooms.ts); none when absent. */
  rooms?: RoomFollower;
  /** Interviews a socket may follow (interviews/interviewFollower.ts); none when absent. */
  interviews?: InterviewFollower;
  logger: ErrorLogger;
}

/** Follows one interview for its host or interviewer: its view now, `push` with each change, and the way to stop. INTERVIEW_NOT_FOUND for anyone else. */
export interface InterviewFollower {
  follow(interview: string, caller: Caller, push: (view: InterviewView) => void): { view: InterviewView; stop: () => void };
}

/** Follows one room as `caller` sees it: its view now, `push` with each change, and the way to stop. ROOM_NOT_FOUND for a room not theirs. */
export interface RoomFollower {
  follow(room: string, caller: Caller, push: (view: RoomConsole | RoomLearnerView) => void): { view: RoomConsole | RoomLearnerView; stop: () => void };
}

/** `page`: the subscriber is the sandbox's own learner (an open page of it, for idleStop). */
type Subscriptions = Map<string, { session: LabSession; listener: (message: ServerMessage) => void; page: boolean }>;
/** One socket's terminals, by sandbox id. */
type Attachments = Map<string, TerminalAttachment>;
/** Who the socket is, and what it follows: its sandboxes, its terminals, and the scoreboard (the way to stop). */
interface Follows {
  caller: Caller;
  subscriptions: Subscriptions;
  attachments: Attachments;
  scoreboard?: () => void;
  /** Rooms followed, by id: the way to stop each. */
  rooms: Map<string, () => void>;
  /** Interviews followed, by id: the way to stop each. */
  interviews: Map<string, () => void>;
}
/** A terminal's size is a count of character cells; beyond this is not a screen. */
const maxTerminalCells = 1000;

export class WsHub {
  readonly #wss: WebSocketServer;
  readonly #registry: SandboxRegistry;
  readonly #scoreboard: Scoreboard;
  readonly #guard: UpgradeGuard;
  readonly #options: WsHubOptions;
  #closed = false;

  constructor(registry: SandboxRegistry, scoreboard: Scoreboard, guard: UpgradeGuard, options: WsHubOptions) {
    this.#registry = registry;
    this.#scoreboard = scoreboard;
    this.#guard = guard;
    this.#options = options;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false });
    this.#wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.#onConnection(ws, req));
  }

  /** For the HTTP server's 'upgrade' event. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refusal = this.#closed ? new ApiError('SANDBOX_NOT_RUNNING', 'the server is shutting down') : path !== this.#options.path ? new ApiError('NOT_FOUND', path) : this.#guard(req);
    if (refusal) return refuse(socket, refusal);
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  };

  get clients(): number {
    return this.#wss.clients.size;
  }

  /** Closes every socket (1001 going away), then the server. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(
      [...this.#wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(1001, 'server shutting down');
            // A peer that never answers the close frame is cut off.
            setTimeout(() => ws.terminate(), 1000).unref();
          }),
      ),
    );
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(ws: WebSocket, req: IncomingMessage | undefined): void {
    const follows: Follows = { caller: req ? this.#options.identify(req) : nobody, subscriptions: new Map(), attachments: new Map(), rooms: new Map(), interviews: new Map() };
    ws.on('message', (data, isBinary) => this.#onMessage(ws, follows, data, isBinary));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      for (const entry of follows.subscriptions.values()) this.#unsubscribe(entry);
      follows.subscriptions.clear();
      for (const attachment of follows.attachments.values()) attachment.detach();
      follows.attachments.clear();
      follows.scoreboard?.();
      for (const stop of follows.rooms.values()) stop();
      follows.rooms.clear();
      for (const stop of follows.interviews.values()) stop();
      follows.interviews.clear();
    });
  }

  #onMessage(ws: WebSocket, follows: Follows, data: RawData, isBinary: boolean): void {
    const { caller, subscriptions, attachments } = follows;
    let id: number | string | null = null;
    try {
      const value = parseJson(data, isBinary);
      // The id first, so that even a malformed request gets its reply.
      const given = (value as { id?: unknown }).id;
      if (typeof given === 'number' || typeof given === 'string') id = given;
      const message = parseClientMessage(value);
      switch (message.type) {
        case 'ping':
          return this.#send(ws, { type: 'reply', id, ok: true, result: {} });
        case 'subscribe': {
          const session = this.#registry.get(message.sandbox, caller);
          if (!subscriptions.has(session.id)) {
            const listener = (push: ServerMessage): void => {
              this.#send(ws, push);
              if (push.type === 'status' && push.status === 'stopped') {
                const entry = subscriptions.get(session.id);
                if (entry) this.#unsubscribe(entry);
                subscriptions.delete(session.id);
              }
            };
            const page = caller.learner === session.owner;
            session.events.on('message', listener);
            subscriptions.set(session.id, { session, listener, page });
            if (page) this.#options.presence.opened(session.id);
          }
          return this.#send(ws, { type: 'reply', id, ok: true, result: { sandbox: session.view(), events: session.trace().events } });
        }
        case 'unsubscribe': {
          const entry = subscriptions.get(message.sandbox);
          if (entry) this.#unsubscribe(entry);
          subscriptions.delete(message.sandbox);
          return this.#send(ws, { type: 'reply', id, ok: true, result: {} });
        }
        case 'scoreboard-subscribe':
          requireHost(caller, 'a drill\'s learners see their room\'s scoreboard');
          follows.scoreboard ??= this.#scoreboard.follow((standings) => this.#send(ws, { type: 'scoreboard', standings }));
          return this.#send(ws, { type: 'reply', id, ok: true, result: { standings: this.#scoreboard.standings() } });
        case 'scoreboard-unsubscribe':
          follows.scoreboard?.();
          delete follows.scoreboard;
          return this.#send(ws, { type: 'reply', id, ok: true, result: {} });
        case 'room-subscribe': {
          if (!this.#options.rooms) throw new ApiError('ROOM_NOT_FOUND', `"${message.room.slice(0, 100)}"`);
          follows.rooms.get(message.room)?.();
          const { view, stop } = this.#options.rooms.follow(message.room, caller, (room) => this.#send(ws, { type: 'room', room }));
          follows.rooms.set(message.room, stop);
          return this.#send(ws, { type: 'reply', id, ok: true, result: { room: view } });
        }
        case 'room-unsubscribe':
          follows.rooms.get(message.room)?.();
          follows.rooms.delete(message.room);
          return this.#send(ws, { type: 'reply', id, ok: true, result: {} });
        case 'interview-subscribe': {
          if (!this.#options.interviews) throw new ApiError('INTERVIEW_NOT_FOUND', `"${message.interview.slice(0, 100)}"`);
          follows.interviews.get(message.interview)?.();
          const { view, stop } = this.#options.interviews.follow(message.interview, caller, (interview) => this.#send(ws, { type: 'interview', interview }));
          follows.interviews.set(message.interview, stop);
          return this.#send(ws, { type: 'reply', id, ok: true, result: view });
        }
        case 'interview-unsubscribe':
          follows.interviews.get(message.interview)?.();
          follows.interviews.delete(message.interview);
          return this.#send(ws, { type: 'reply', id, ok: true, result: {} });
        case 'terminal-open': {
          const session = this.#registry.get(message.sandbox, caller);
          if (caller.participant && !caller.participant.terminal) throw new ApiError('TERMINAL_NOT_ALLOWED');
          const request = id;
          this.#openTerminal(ws, attachments, session, message).then(
            (result) => this.#send(ws, { type: 'reply', id: request, ok: true, result }),
            (error: unknown) => this.#send(ws, { type: 'reply', id: request, ok: false, ...toApiError(error, this.#options.logger).toJSON() }),
          );
          return;
        }
        case 'terminal-detach':
          attachments.get(message.sandbox)?.detach();
          attachments.delete(message.sandbox);
          return this.#send(ws, { type: 'reply', id, ok: true, result: {} });
        case 'terminal-input':
          return attached(attachments, message.sandbox).write(message.data);
        case 'terminal-resize':
          return attached(attachments, message.sandbox).resize({ cols: message.cols, rows: message.rows });
      }
    } catch (error) {
      this.#send(ws, { type: 'reply', id, ok: false, ...toApiError(error, this.#options.logger).toJSON() });
    }
  }

  #unsubscribe({ session, listener, page }: { session: LabSession; listener: (message: ServerMessage) => void; page: boolean }): void {
    session.events.off('message', listener);
    if (page) this.#options.presence.closed(session.id);
  }

  async #openTerminal(ws: WebSocket, attachments: Attachments, session: LabSession, message: { sandbox: string; cols: number; rows: number }): Promise<TerminalOpenResult> {
    const { sandbox } = message;
    // The same tab opening again (its panel drawn anew) gets the replay again.
    attachments.get(sandbox)?.detach();
    attachments.delete(sandbox);
    const attachment: TerminalAttachment = await this.#options.terminals.open(
      session,
      { cols: message.cols, rows: message.rows },
      {
        output: (data, written) => this.#send(ws, { type: 'terminal-output', sandbox, data }, written),
        exit: ({ reason, code }) => {
          if (attachments.get(sandbox) === attachment) attachments.delete(sandbox);
          this.#send(ws, { type: 'terminal-exit', sandbox, reason, code });
        },
      },
    );
    if (ws.readyState !== WebSocket.OPEN) {
      attachment.detach();
      throw new ApiError('BAD_REQUEST', 'the socket closed while the terminal started');
    }
    attachments.set(sandbox, attachment);
    const { pid, generation, triage, replay } = attachment;
    return { pid, generation, triage, replay };
  }

  /** `written` (flow control) is called once the message is handed to the socket, or dropped. */
  #send(ws: WebSocket, message: ServerMessage, written?: () => void): void {
    if (ws.readyState !== WebSocket.OPEN) return written?.();
    if (ws.bufferedAmount > this.#options.maxBufferedBytes) {
      // RFC 6455 §7.4.1 leaves 1013 to the registry: "Try Again Later".
      ws.close(1013, 'too far behind');
      return written?.();
    }
    ws.send(JSON.stringify(message), written && (() => written()));
  }
}

function parseJson(data: RawData, isBinary: boolean): object {
  if (isBinary) throw new ApiError('BAD_REQUEST', 'messages are JSON text');
  let value: unknown;
  try {
    value = JSON.parse(data.toString());
  } catch {
    throw new ApiError('BAD_REQUEST', 'the message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('BAD_REQUEST', 'a message is a JSON object');
  return value;
}

function parseClientMessage(value: object): ClientMessage {
  const { id, type, sandbox, data, cols, rows, room, interview } = value as Record<string, unknown>;
  const sandboxId = (): string => {
    if (typeof sandbox !== 'string' || sandbox === '') throw new ApiError('BAD_REQUEST', `${String(type)} needs "sandbox": the sandbox id`);
    return sandbox;
  };
  const size = (): { cols: number; rows: number } => {
    for (const [name, n] of [['cols', cols], ['rows', rows]] as const) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > maxTerminalCells) {
        throw new ApiError('BAD_REQUEST', `${String(type)} needs "${name}": a whole number from 1 to ${maxTerminalCells}, got ${JSON.stringify(n)}`);
      }
    }
    return { cols: cols as number, rows: rows as number };
  };
  // Keystrokes carry no id: nobody waits for a reply to each key.
  if (type === 'terminal-input') {
    if (typeof data !== 'string') throw new ApiError('BAD_REQUEST', 'terminal-input needs "data": the text typed');
    return { type, sandbox: sandboxId(), data };
  }
  if (type === 'terminal-resize') return { type, sandbox: sandboxId(), ...size() };
  if (typeof id !== 'number' && typeof id !== 'string') throw new ApiError('BAD_REQUEST', 'a request needs an "id" (number or string)');
  if (type === 'ping' || type === 'scoreboard-subscribe' || type === 'scoreboard-unsubscribe') return { id, type };
  if (type === 'subscribe' || type === 'unsubscribe' || type === 'terminal-detach') return { id, type, sandbox: sandboxId() };
  if (type === 'terminal-open') return { id, type, sandbox: sandboxId(), ...size() };
  if (type === 'room-subscribe' || type === 'room-unsubscribe') {
    if (typeof room !== 'string' || room === '') throw new ApiError('BAD_REQUEST', `${type} needs "room": the room id`);
    return { id, type, room };
  }
  if (type === 'interview-subscribe' || type === 'interview-unsubscribe') {
    if (typeof interview !== 'string' || interview === '') throw new ApiError('BAD_REQUEST', `${type} needs "interview": the interview id`);
    return { id, type, interview };
  }
  throw new ApiError('BAD_REQUEST', `unknown message type ${JSON.stringify(type)} (known: subscribe, unsubscribe, ping, scoreboard-subscribe, scoreboard-unsubscribe, room-subscribe, room-unsubscribe, interview-subscribe, interview-unsubscribe, terminal-open, terminal-input, terminal-resize, terminal-detach)`);
}

function attached(attachments: Attachments, sandbox: string): TerminalAttachment {
  const attachment = attachments.get(sandbox);
  if (!attachment) throw new ApiError('TERMINAL_NOT_OPEN', `"${sandbox.slice(0, 100)}"`);
  return attachment;
}

/** Answers the upgrade request with the error's status and body, then closes (ws's abortHandshake). */
function refuse(socket: Duplex, error: ApiError): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify(error.toJSON());
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
