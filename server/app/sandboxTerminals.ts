/**
 * The app's side of the browser terminal: a LabSession's shell, opened for a tab and ended
 * with the sandbox it runs in.
 *
 *   tab ──terminal-open──▶ WsHub ──▶ TerminalHost.open(session) ──▶ Terminals (server/terminal) ──▶ a jailed rbash in the sandbox dir
 *   LabSession status stopped | failed ──▶ that shell ends (a fix or a fault changes the sandbox live: the shell and its directory stay)
 *   app close ──▶ every shell ends
 *   a tab's input ──▶ the shell, and a line at each Enter ──▶ LabSession 'typed' (an interview's activity log)
 *
 * Switched off (the server listens beyond loopback and --terminal was not `on`), it is a
 * host of the same shape whose open refuses with TERMINAL_DISABLED; on a machine where no
 * jail can be made, open refuses with TERMINAL_NO_JAIL and why.
 */
import { Terminals, TerminalUnavailableError, type TerminalSize, type TerminalViewer, type TriageCommand } from '../terminal/index.js';
import { TypedLines } from '../terminal/typedLines.js';
import { ApiError } from './errors.js';
import type { LabSession } from './labSession.js';

/** One tab's hold on a sandbox's shell. */
export interface TerminalAttachment {
  pid: number;
  /** The sandbox generation the shell runs in. */
  generation: number;
  triage: TriageCommand[];
  /** Output kept so far, to draw before what follows. */
  replay: string;
  write(data: string): void;
  resize(size: TerminalSize): void;
  detach(): void;
}

export interface TerminalHost {
  open(session: LabSession, size: TerminalSize, viewer: TerminalViewer): Promise<TerminalAttachment>;
  /** Why no shell can start on this machine, or undefined (switched off is not this). */
  unavailable(): Promise<string | undefined>;
  close(): Promise<void>;
}

export function terminalHost(enabled: boolean): TerminalHost {
  return enabled ? new SandboxTerminals() : disabledTerminals;
}

const disabledTerminals: TerminalHost = {
  open: () => Promise.reject(new ApiError('TERMINAL_DISABLED')),
  unavailable: () => Promise.resolve(undefined),
  close: () => Promise.resolve(),
};

class SandboxTerminals implements TerminalHost {
  readonly #terminals = new Terminals();
  /** Session id → its status listener, while the session may have a shell. */
  readonly #watched = new Map<string, { session: LabSession; listener: (message: { type: string; status?: string }) => void }>();

  async open(session: LabSession, size: TerminalSize, viewer: TerminalViewer): Promise<TerminalAttachment> {
    const view = session.view();
    const description = session.description;
    if (view.status !== 'running' || !description) throw new ApiError('SANDBOX_NOT_RUNNING', `it is ${view.status}`);
    this.#watch(session);
    // Registered with Terminals in this same tick as the status check: a restart that starts
    // later ends this shell too.
    const terminal = await this.#terminals.open(session.id, description, size).catch((error: unknown) => {
      throw error instanceof TerminalUnavailableError ? new ApiError('TERMINAL_NO_JAIL', error.message) : error;
    });
    if (!terminal.running || session.status !== 'running' || session.trace().generation !== view.generation) {
      throw new ApiError('SANDBOX_NOT_RUNNING', 'it was realised again or stopped while its terminal started');
    }
    const { replay, detach } = terminal.attach(viewer);
    const typed = new TypedLines((line) => session.events.emit('typed', line));
    return {
      pid: terminal.pid,
      generation: view.generation,
      triage: terminal.triage,
      replay,
      write: (data) => {
        typed.push(data);
        terminal.write(data);
      },
      resize: (next) => terminal.resize(next),
      detach,
    };
  }

  unavailable(): Promise<string | undefined> {
    return this.#terminals.unavailable();
  }

  async close(): Promise<void> {
    for (const { session, listener } of this.#watched.values()) session.events.off('message', listener);
    this.#watched.clear();
    await this.#terminals.close();
  }

  #watch(session: LabSession): void {
    if (this.#watched.has(session.id)) return;
    const listener = (message: { type: string; status?: string }): void => {
      if (message.type !== 'status') return;
      if (message.status === 'stopped' || message.status === 'failed') {
        void this.#terminals.end(session.id, 'sandbox-stopped');
        session.events.off('message', listener);
        this.#watched.delete(session.id);
      }
    };
    session.events.on('message', listener);
    this.#watched.set(session.id, { session, listener });
  }
}
