/**
 * A mistake the user can fix (bad flag, unknown lab, missing tool, port taken): printed as
 * one line naming the problem and the fix, exit code 2, and nothing left running.
 */
export class CliError extends Error {
  override name = 'CliError';
}
