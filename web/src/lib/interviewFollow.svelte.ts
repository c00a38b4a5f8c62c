/**
 * The interviewer's live view of one interview: the view now, then each `interview` push
 * (an activity entry, a lab started or ended, the state). Components read `view`; the socket
 * is the shared LiveSocket's.
 *
 *   InterviewFollow.start(id) ──interview-subscribe──▶ server ──{type: interview}──▶ view
 */
import type { InterviewView } from '../../../server/app/protocol.ts';
import { liveSocket, type LiveSocket } from './socket.svelte.ts';

export class InterviewFollow {
  view: InterviewView | null = $state.raw(null);
  readonly #id: string;
  readonly #socket: LiveSocket;
  readonly #unlisten: () => void;

  private constructor(id: string, socket: LiveSocket) {
    this.#id = id;
    this.#socket = socket;
    this.#unlisten = socket.on('interview', (message) => {
      if (message.interview.id === id) this.view = message.interview;
    });
  }

  static async start(id: string, socket = liveSocket()): Promise<InterviewFollow> {
    const follow = new InterviewFollow(id, socket);
    try {
      follow.view = await socket.request<InterviewView>({ type: 'interview-subscribe', interview: id });
    } catch (error) {
      follow.leave();
      throw error;
    }
    return follow;
  }

  leave(): void {
    this.#unlisten();
    this.#socket.request({ type: 'interview-unsubscribe', interview: this.#id }).catch(() => {});
  }
}
