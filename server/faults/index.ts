/** The fault catalogue: the folder's index. */
export { applyFaults, applyFixes, checkStepParams, faultSteps, fixSteps } from './apply.js';
export { faults, rootCauseCatalogue, rootCauses, targetCandidates, targetsByKind } from './catalogue.js';
export { alertFromError, alertNames, alertNote, alertNumberFromError, formatAlert } from './alerts.js';
export { checkLabFaults } from './checkLab.js';
export { FaultError, type Fault, type TargetKind } from './fault.js';
export type { ChainCertificate, ConnectionFacts, EdgeFacts, EdgeRule, Evidence, FactAlert, FactCertificates, FactReport, FactSource, Finding, Rule, Signal, StartFacts, StartRule, Validity } from './facts.js';
export type { Healthy, RootCause, Stack, StackWordings, Wording } from './rootCause.js';
export { fixActions, type FixAction } from './fixes.js';
export { paramLimits, ParamsError, type ParamProblem } from './params.js';
export { describeParams, type ParamDescription } from './paramDescription.js';
export { fixTouchesFault } from './fixRelevance.js';
