/** The fault catalogue: the folder's index. */
export { applyFaults, applyFixes, checkStepParams, faultSteps, fixSteps } from './apply.js';
export { faults, rootCauses } from './catalogue.js';
export { checkLabFaults } from './checkLab.js';
export { FaultError, type Fault } from './fault.js';
export { fixActions, type FixAction } from './fixes.js';
export { paramLimits, ParamsError, type ParamProblem } from './params.js';
