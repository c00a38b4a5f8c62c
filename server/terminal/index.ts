/**
 * The terminal room: the browser terminal's backend, one restricted shell per sandbox.
 *
 *   SandboxDescription ──Terminals.open──▶ TerminalSession (node-pty: rbash in the sandbox dir)
 *   ──▶ viewers (the app's WebSocket hub) · triageCommands ──▶ the commands pasted with one click
 */
export { Terminals } from './terminals.js';
export { type TerminalEndReason, type TerminalExit, type TerminalSize, type TerminalViewer, type TerminalSession } from './terminalSession.js';
export { triageCommands, type TriageCommand } from './triageCommands.js';
