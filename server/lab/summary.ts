import type { LabSpec } from './schema.js';

/** What the catalogue shows of a lab: never the scenario's answer. Shared by CLI and web. */
export interface LabSummary {
  id: string;
  title: string;
  level: LabSpec['level'];
  minutes: number;
  tags: string[];
  summary: string;
}

export function labSummary(spec: LabSpec): LabSummary {
  const { id, title, level, minutes, tags, summary = '' } = spec;
  return { id, title, level, minutes, tags, summary };
}
