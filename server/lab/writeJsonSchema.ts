/**
 * Regenerates labs/lab.schema.json from the valibot schema:
 *
 *   npx tsx server/lab/writeJsonSchema.ts     (or: npm run schema)
 *
 * jsonSchema.test.ts fails when the committed file and the schema disagree.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderLabJsonSchema } from './jsonSchema.js';

const file = fileURLToPath(new URL('../../labs/lab.schema.json', import.meta.url));
await writeFile(file, renderLabJsonSchema());
process.stdout.write(`wrote ${file}\n`);
