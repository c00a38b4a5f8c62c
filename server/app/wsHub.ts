/**
 * The live channel: one WebSocket per browser tab at `/ws`. The tab subscribes to
 * sandboxes; the hub forwards each subscribed LabSession's messages — a connection's trace
 * as it closes, edge health each second while traffic runs, status changes.
 *
 *   browser ──{id, type: subscribe|unsubscribe|ping}──▶ WsHub ──{type: reply, id, ok, …}──▶ browser
 *   LabSession 'message' (trace | trace-reset | health | status) ──▶ every subscribed socket
 *
 * Requests carry ids and get exactly one reply; pushes carry none. A socket that cannot keep
 * up (its send buffer past the cap) is closed with 1013 rather than buffered without bound.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { ApiError, toApiError, type ErrorLogger } from './errors.js';
import type { LabSession } from './labSession.js';
import type { ClientMessage, ServerMessage } from './protocol.js';
import type { SandboxRegistry } from './sandboxRegistry.js';
import type { UpgradeGuard } from './upgradeGuard.js';

export interface WsHubOptions {
  path: string;
  maxPayloadBytes: number;
  /** Bytes queued on one socket beyond which it is closed (a tab that stopped reading). */
  maxBufferedBytes: number;
  logger: ErrorLogger;
}

type Subscriptions = Map<string, { session: LabSession; listener: (message: ServerMessage) => void }>;

export class WsHub {
  readonly #wss: WebSocketServer;
  readonly #registry: SandboxRegistry;
  readonly #guard: UpgradeGuard;
  readonly #options: WsHubOptions;
  readonly #subscriptions = new Map<WebSocket, Subscriptions>();
  #closed = false;

  constructor(registry: SandboxRegistry, guard: UpgradeGuard, options: WsHubOptions) {
    this.#registry = registry;
    this.#guard = guard;
    this.#options = options;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false });
    this.#wss.on('connection', (ws) => this.#onConnection(ws));
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

  #onConnection(ws: WebSocket): void {
    const subscriptions: Subscriptions = new Map();
    this.#subscriptions.set(ws, subscriptions);
    ws.on('message', (data, isBinary) => this.#onMessage(ws, subscriptions, data, isBinary));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      for (const { session, listener } of subscriptions.values()) session.events.off('message', listener);
      subscriptions.clear();
      this.#subscriptions.delete(ws);
    });
  }

  #onMessage(ws: WebSocket, subscriptions: Subscriptions, data: RawData, isBinary: boolean): void {
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
          const session = this.#registry.get(message.sandbox);
          if (!subscriptions.has(session.id)) {
            const listener = (push: ServerMessage): void => {
              this.#send(ws, push);
              if (push.type === 'status' && push.status === 'stopped') {
                session.events.off('message', listener);
                subscriptions.delete(session.id);
              }
            };
            session.events.on('message', listener);
            subscriptions.set(session.id, { session, listener });
          }
          return this.#send(ws, { type: 'reply', id, ok: true, result: { sandbox: session.view(), events: session.trace().events } });
        }
        case 'unsubscribe': {
          const entry = subscriptions.get(message.sandbox);
          entry?.session.events.off('message', entry.listener);
          subscriptions.delete(message.sandbox);
          return this.#send(ws, { type: 'reply', id, ok: true, result: {} });
        }
      }
    } catch (error) {
      this.#send(ws, { type: 'reply', id, ok: false, ...toApiError(error, this.#options.logger).toJSON() });
    }
  }

  #send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.#options.maxBufferedBytes) {
      // RFC 6455 §7.4.1 leaves 1013 to the registry: "Try Again Later".
      ws.close(1013, 'too far behind');
      return;
    }
    ws.send(JSON.stringify(message));
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
  const { id, type, sandbox } = value as Record<string, unknown>;
  if (typeof id !== 'number' && typeof id !== 'string') throw new ApiError('BAD_REQUEST', 'a request needs an "id" (number or string)');
  if (type === 'ping') return { id, type };
  if (type === 'subscribe' || type === 'unsubscribe') {
    if (typeof sandbox !== 'string' || sandbox === '') throw new ApiError('BAD_REQUEST', `${type} needs "sandbox": the sandbox id`);
    return { id, type, sandbox };
  }
  throw new ApiError('BAD_REQUEST', `unknown message type ${JSON.stringify(type)} (known: subscribe, unsubscribe, ping)`);
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
