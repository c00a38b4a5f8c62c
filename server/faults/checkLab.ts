/**
 * The lab checks that need the catalogue: fault kinds and targets, fix actions, and the
 * scenario's root causes. Runs every fault and fix once on the spec, so a lab whose fault
 * cannot apply (a missing intermediate where there is none) fails validation, not a run.
 */
import { didYouMean, issueAt, type LabDocument, type LabIssue, type LabProblem } from '../lab/index.js';
import type { LabSpec } from '../lab/schema.js';
import { applyStep, faultSteps, fixSteps, type Step, type StepKind } from './apply.js';
import { rootCauses } from './catalogue.js';
import { FaultError } from './fault.js';
import { ParamsError } from './params.js';

function checkSteps(spec: LabSpec, kind: StepKind, steps: Step[], at: (index: number, field: string) => LabProblem['path'], problems: LabProblem[]): LabSpec {
  return steps.reduce((current, step, index) => {
    try {
      return applyStep(current, kind, step);
    } catch (error) {
      if (!(error instanceof FaultError)) throw error;
      if (error instanceof ParamsError) {
        for (const { path, at: on, message, suggestion } of error.problems) {
          problems.push({ path: [...at(index, 'params'), ...path], ...(on ? { at: on } : {}), message: `${error.owner}: ${message}`, ...(suggestion ? { suggestion } : {}) });
        }
        return current;
      }
      const unknown = kind.lookup(step.name) === undefined;
      const suggestion = unknown ? didYouMean(step.name, kind.known()) : undefined;
      const field = unknown || step.target === undefined ? 'name' : 'target';
      problems.push({ path: at(index, field), message: error.message, ...(suggestion ? { suggestion } : {}) });
      return current;
    }
  }, spec);
}

export function checkLabFaults(doc: LabDocument): LabIssue[] {
  const { spec } = doc;
  const problems: LabProblem[] = [];
  const broken = checkSteps(
    spec,
    faultSteps,
    spec.faults.map((f) => ({ ...f, name: f.kind })),
    (index, field) => ['faults', index, field === 'name' ? 'kind' : field],
    problems,
  );
  checkSteps(
    broken,
    fixSteps,
    spec.scenario.fix.map((f) => ({ ...f, name: f.action })),
    (index, field) => ['scenario', 'fix', index, field === 'name' ? 'action' : field],
    problems,
  );
  const { answer, distractors } = spec.scenario;
  const causes: Array<{ cause: string; problem: Pick<LabProblem, 'path' | 'at'> }> = [
    { cause: answer, problem: { path: ['scenario', 'answer'] } },
    ...Object.keys(distractors).map((cause) => ({ cause, problem: { path: ['scenario', 'distractors', cause], at: 'key' as const } })),
  ];
  for (const { cause, problem } of causes) {
    if (rootCauses.includes(cause)) continue;
    const suggestion = didYouMean(cause, rootCauses);
    problems.push({ ...problem, message: `"${cause}" is not a root cause mtls-lab knows (known: ${rootCauses.join(', ')})`, ...(suggestion ? { suggestion } : {}) });
  }
  return problems.map((problem) => issueAt(doc, problem));
}
