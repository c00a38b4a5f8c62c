/**
 * The terminal room: the browser terminal's backend, one jailed shell per sandbox.
 *
 *   SandboxDescription ──Terminals.open──▶ TerminalSession (node-pty: bwrap jail ▶ rbash in the sandbox dir)
 *   ──▶ viewers (the app's WebSocket hub) · triageCommands ──▶ the commands pasted with one click
 */
export { TerminalUnavailableError } from './jail.js';
export { Terminals } from './terminals.js';
export { type TerminalEndReason, type TerminalExit, type TerminalSize, type TerminalViewer, type TerminalSession } from './terminalSession.js';
export { triageCommands, type TriageCommand } from './triageCommands.js';
