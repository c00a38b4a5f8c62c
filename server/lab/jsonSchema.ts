/**
 * `labs/lab.schema.json`, derived from the valibot schema so editors (the YAML language
 * server reads the `# yaml-language-server: $schema=./lab.schema.json` line atop each lab)
 * complete and check exactly what the loader accepts.
 *
 *   LabSchema ──toJsonSchema──▶ JSON Schema (draft-07) ──writeJsonSchema.ts──▶ labs/lab.schema.json
 */
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import { LabSchema } from './schema.js';

export function labJsonSchema(): JsonSchema {
  const schema = toJsonSchema(LabSchema, {
    // Every schema and action in LabSchema converts today; throwing keeps it so, rather
    // than silently dropping a rule the loader enforces.
    errorMode: 'throw',
    overrideAction({ valibotAction, jsonSchema }) {
      // The schema's own wording for a pattern ("a SAN like "dns:auth.corp.test" …") beats
      // "String does not match the pattern". `patternErrorMessage` is the key VS Code's JSON
      // and YAML language servers read for it; other validators ignore unknown keywords.
      const { message } = valibotAction as { message?: unknown };
      if (valibotAction.type === 'regex' && typeof message === 'string') {
        return { ...jsonSchema, patternErrorMessage: message } as JsonSchema;
      }
      return undefined;
    },
  });
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: 'mtls-lab lab file',
    description: 'One lab: its PKI, services, clients, faults and the scenario put to the learner.',
    ...rest,
  };
}

/** The file's exact text: 2-space JSON and a final newline, as editors save it. */
export function renderLabJsonSchema(): string {
  return `${JSON.stringify(labJsonSchema(), null, 2)}\n`;
}
