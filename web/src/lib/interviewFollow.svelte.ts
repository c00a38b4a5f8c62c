/**
 * The interviewer's live view of one interview: the view now, then each `interview` push
 * (an activity entry, a lab started or ended, the state). Components read `view`; the socket
 * is the shared LiveSocket's. After the socket drops and reconnects, the interview is followed
 * again and the view replaced with the server's (what happened meanwhile included).
 *
 *   InterviewFollow.start(id) ──interview-subscribe──▶ server ──{type: interview}──▶ view
 */
import type { InterviewView } from '../../../server/app/protocol.ts';
import { liveSocket, type LiveSocket } from './socket.svelte.ts';

export class InterviewFollow {
  view: InterviewView | null = $state.raw(null);
  /** When `view` arrived, on this page's clock: its elapsedMs counts on from here. */
  receivedAt = $state(0);
  readonly #id: string;
  readonly #socket: LiveSocket;
  readonly #unlisten: Array<() => void>;

  private constructor(id: string, socket: LiveSocket) {
    this.#id = id;
    this.#socket = socket;
    this.#unlisten = [
      socket.on('interview', (message) => {
        if (message.interview.id === id) this.#setView(message.interview);
      }),
      $effect.root(() => {
        let dropped = false;
        $effect(() => {
          if (socket.state === 'closed') dropped = true;
          else if (socket.state === 'open' && dropped) {
            dropped = false;
            this.#subscribe().catch(() => undefined);
          }
        });
      }),
    ];
  }

  static async start(id: string, socket = liveSocket()): Promise<InterviewFollow> {
    const follow = new InterviewFollow(id, socket);
    try {
      await follow.#subscribe();
    } catch (error) {
      follow.leave();
      throw error;
    }
    return follow;
  }

  leave(): void {
    for (const stop of this.#unlisten) stop();
    this.#socket.request({ type: 'interview-unsubscribe', interview: this.#id }).catch(() => {});
  }

  async #subscribe(): Promise<void> {
    this.#setView(await this.#socket.request<InterviewView>({ type: 'interview-subscribe', interview: this.#id }));
  }

  #setView(view: InterviewView): void {
    this.view = view;
    this.receivedAt = Date.now();
  }
}
