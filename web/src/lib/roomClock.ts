/**
 * A room's clock as the page shows it: the server says where the drill stood when it sent the
 * room (elapsedMs, its state); while it runs, the page counts on from its own clock since then,
 * never past the drill's length. Paused, open or ended, it stands still.
 *
 *   room push {state, elapsedMs, durationMs} + ms since it arrived ──▶ clockReading ──▶ `T+04:05`, `25:55 left`
 */
import type { RoomState } from '../../../server/app/protocol.ts';

export interface ClockReading {
  elapsedMs: number;
  leftMs: number;
}

export function clockReading(room: { state: RoomState; elapsedMs: number; durationMs: number }, sinceMs: number): ClockReading {
  const counted = room.state === 'running' ? room.elapsedMs + Math.max(0, sinceMs) : room.elapsedMs;
  const elapsedMs = Math.min(counted, room.durationMs);
  return { elapsedMs, leftMs: room.durationMs - elapsedMs };
}

/** `04:05`, `75:00`: minutes and seconds, as a drill's clock reads (whole seconds, rounded down). */
export function formatClock(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/** `mm:ss` (or plain seconds) as typed in a timeline step → seconds; null when it is neither. */
export function parseClock(text: string): number | null {
  const match = /^\s*(?:(\d+):)?(\d+)\s*$/.exec(text);
  if (!match) return null;
  const minutes = match[1] === undefined ? 0 : Number(match[1]);
  const seconds = Number(match[2]);
  if (match[1] !== undefined && seconds >= 60) return null;
  return minutes * 60 + seconds;
}
