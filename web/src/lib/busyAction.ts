/**
 * A panel's one action at a time: `busy` while it runs (the buttons wait), and what went wrong
 * in `error`, cleared when the next begins.
 */
import { failureText } from './api.ts';

export interface BusyState {
  busy: boolean;
  error: string;
}

export async function busyAction(state: BusyState, operation: () => Promise<unknown>): Promise<void> {
  state.busy = true;
  state.error = '';
  try {
    await operation();
  } catch (error) {
    state.error = failureText(error);
  } finally {
    state.busy = false;
  }
}
