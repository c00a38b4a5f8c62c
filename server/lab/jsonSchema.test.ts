import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { labJsonSchema, renderLabJsonSchema } from './jsonSchema.js';

/** Just enough of a JSON Schema to walk the parts these tests check. */
interface Node {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  required?: string[];
  properties?: Record<string, Node>;
  additionalProperties?: boolean | Node;
  items?: Node;
}

const schema = labJsonSchema() as Node;
const certificate = schema.properties?.['pki']?.additionalProperties as Node;

describe('labJsonSchema', () => {
  it('matches the committed labs/lab.schema.json', async () => {
    const committed = await readFile(new URL('../../labs/lab.schema.json', import.meta.url), 'utf8');
    expect(committed, 'labs/lab.schema.json is stale; run: npx tsx server/lab/writeJsonSchema.ts').toBe(
      renderLabJsonSchema(),
    );
  });

  it('refuses unknown keys wherever the valibot schema is strict', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(certificate.additionalProperties).toBe(false);
    expect(certificate.properties?.['validity']?.additionalProperties).toBe(false);
  });

  it('carries the regex patterns of names and SANs', () => {
    expect(schema.properties?.['id']?.pattern).toBe('^[a-z][a-z0-9-]*$');
    expect(certificate.properties?.['san']?.items?.pattern).toBe('^(dns|ip|uri|email):.+$');
  });

  it('carries the enums', () => {
    expect(schema.properties?.['level']?.enum).toEqual(['beginner', 'intermediate', 'advanced']);
    expect(certificate.properties?.['eku']?.items?.enum).toEqual(['serverAuth', 'clientAuth']);
  });

  it('requires only the fields without a default', () => {
    expect(schema.required).toEqual(['id', 'title', 'level', 'minutes', 'pki', 'services', 'scenario']);
  });
});
