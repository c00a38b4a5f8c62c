/**
 * One tab's view of a sandbox's shell: opening it, its triage commands, keystrokes out and
 * output in, and what to say when it ends. The terminal widget (xterm, loaded only when the
 * panel opens) is a sink for output and a source of input; the socket stays in LiveSocket.
 *
 *   open(size) ──terminal-open──▶ server ──reply: replay, triage──▶ sink
 *   widget keys ──input()──▶ terminal-input (no reply) · widget size ──resize()──▶ terminal-resize
 *   server ──terminal-output──▶ sink · terminal-exit ──▶ state 'ended' (a restart: opened again
 *   once the sandbox is running, in its new directory)
 *   the socket dropped and came back (the server detached this tab) ──▶ opened again
 *
 * Construct it while a component initialises: it watches the socket with an $effect.
 */
import { untrack } from 'svelte';
import type { TerminalEndReason, TerminalOpenResult, TriageCommand } from '../../../server/app/protocol.ts';
import { ApiFailure } from './api.ts';
import { liveSocket, type LiveSocket } from './socket.svelte.ts';

export type TerminalState = 'opening' | 'open' | 'ended' | 'failed';

export interface TerminalSize {
  cols: number;
  rows: number;
}

const endedBecause: Record<TerminalEndReason, string> = {
  exit: 'The shell exited.',
  'sandbox-stopped': 'The sandbox stopped; so did its shell.',
  'server-closing': 'The server is shutting down.',
};

export class SandboxTerminal {
  state: TerminalState = $state('opening');
  triage: TriageCommand[] = $state.raw([]);
  /** Why the shell is not there (ended or refused), in words. */
  notice = $state('');
  /** Set once the shell ended: whether a new one can be started by hand (after `exit`). */
  endReason: TerminalEndReason | null = $state(null);
  /** Set when the open was refused: the server's stable code (TERMINAL_DISABLED …). */
  failureCode: string | null = $state(null);
  readonly sandbox: string;
  readonly #socket: LiveSocket;
  readonly #unlisten: Array<() => void>;
  #sink: (data: string) => void = () => {};
  #size: TerminalSize = { cols: 80, rows: 24 };
  #closed = false;

  constructor(sandbox: string, socket = liveSocket()) {
    this.sandbox = sandbox;
    this.#socket = socket;
    this.#unlisten = [
      socket.on('terminal-output', (m) => m.sandbox === sandbox && this.#sink(m.data)),
      socket.on('terminal-exit', (m) => {
        if (m.sandbox !== sandbox) return;
        this.state = 'ended';
        this.endReason = m.reason;
        this.notice = endedBecause[m.reason];
      }),
    ];
    let dropped = false;
    $effect(() => {
      if (socket.state === 'closed') dropped = true;
      else if (socket.state === 'open' && dropped) {
        dropped = false;
        if (!this.#closed && untrack(() => this.state) !== 'ended') void this.open(this.#size);
      }
    });
  }

  /** Where output goes (the terminal widget's write). */
  connect(sink: (data: string) => void): void {
    this.#sink = sink;
  }

  /** Attaches to the sandbox's shell (started if none runs); its output so far goes to the sink first. */
  async open(size: TerminalSize): Promise<void> {
    this.#size = size;
    this.state = 'opening';
    this.notice = '';
    this.endReason = null;
    this.failureCode = null;
    try {
      const result = await this.#socket.request<TerminalOpenResult>({ type: 'terminal-open', sandbox: this.sandbox, ...size });
      if (this.#closed) return void this.#detach();
      this.triage = result.triage;
      this.#sink(result.replay);
      this.state = 'open';
    } catch (error) {
      this.state = 'failed';
      this.failureCode = error instanceof ApiFailure ? error.code : 'INTERNAL';
      this.notice = error instanceof Error ? error.message : String(error);
    }
  }

  input(data: string): void {
    if (this.state === 'open') this.#socket.notify({ type: 'terminal-input', sandbox: this.sandbox, data });
  }

  resize(size: TerminalSize): void {
    this.#size = size;
    if (this.state === 'open') this.#socket.notify({ type: 'terminal-resize', sandbox: this.sandbox, ...size });
  }

  /** Stops following the shell; it keeps running, and the next open shows what it printed meanwhile. */
  close(): void {
    this.#closed = true;
    for (const unlisten of this.#unlisten) unlisten();
    if (this.state === 'open') this.#detach();
  }

  #detach(): void {
    this.#socket.request({ type: 'terminal-detach', sandbox: this.sandbox }).catch(() => {});
  }
}
