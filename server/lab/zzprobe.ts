import { parseDocument, LineCounter, isMap } from 'yaml';
import * as v from 'valibot';
import { toJsonSchema } from '@valibot/to-json-schema';
import { LabSchema } from './schema.ts';
for (const t of ['a: 1\na: 2\n', 'a: [1, 2\nb: 3\n', 'a:\n  b: 1\n c: 2\n', 'a: "x\n', 'a: {b: 1}}\n', 'a:\nb: 2\n', '- a\nb: 1\n', 'a: b: c\n', '\tx: 1\n', 'k: &x {a: 1}\nj: *y\n','a: !!int x\n']) {
  const lc = new LineCounter();
  const d = parseDocument(t, { lineCounter: lc });
  console.log(JSON.stringify(t), d.errors.map(e => ({ code: e.code, msg: e.message, pos: e.pos, lp: e.linePos })), d.warnings.map(e=>e.message));
  if (isMap(d.contents)) console.log(d.contents.items.map(p => [ (p.key as any)?.range, (p.value as any)?.range, (p.value as any)?.value ]));
}
const js: any = toJsonSchema(LabSchema, { errorMode: 'throw' });
console.log(JSON.stringify(js.properties.clients.additionalProperties.properties.path), JSON.stringify(js.properties.clients.additionalProperties.properties.rps));
