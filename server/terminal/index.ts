/**
 * The terminal room: the browser terminal's backend, one restricted shell per sandbox.
 *
 *   SandboxDescription ──Terminals.open──▶ TerminalSession (node-pty: rbash in the sandbox dir)
 *   ──▶ viewers (the app's WebSocket hub) · triageCommands ──▶ the commands pasted with one click
 */
export { Terminals } from './terminals.js';
export { TerminalSession, type TerminalEndReason, type TerminalExit, type TerminalSize, type TerminalViewer } from './terminalSession.js';
export { triageCommands, type TriageCommand } from './triageCommands.js';
