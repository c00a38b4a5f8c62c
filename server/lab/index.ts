/**
 * The lab room's public face: load and validate lab files, report problems at
 * file:line:col. Only composes; each part lives in its own file.
 */
export { loadLab, loadLabs, parseLab, issueAt, type LabDocument } from './loadLab.js';
export { crossCheck } from './crossCheck.js';
export { stackProblems } from './stacks.js';
export { defaultNotAfter, notAfterOf, relativeTimeMs } from './validity.js';
export * from './limits.js';
export {
  LabValidationError,
  formatIssue,
  formatPath,
  compareIssues,
  closest,
  didYouMean,
  type LabIssue,
  type LabProblem,
} from './labError.js';
export type { LabPath, LocateTarget, Position } from './locate.js';
export { labJsonSchema } from './jsonSchema.js';
export { labSummary, type LabSummary } from './summary.js';
export * from './schema.js';
