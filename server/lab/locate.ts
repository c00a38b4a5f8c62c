/**
 * Maps a path inside a lab (`['services', 'auth', 'trust', 0]`) back to the line and
 * column of the YAML node it came from, so every problem can be reported as
 * `file:line:col` — the form editors and terminals turn into a link.
 *
 *   YAML text ──parseDocument + LineCounter──▶ node tree with byte ranges ──locate(path)──▶ line:col
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

export type LabPath = readonly (string | number)[];

/** 1-based, like `LabIssue`. */
export interface Position {
  line: number;
  column: number;
}

/**
 * `value` (the default): the node at the path. `key`: the key that names it — where an
 * unknown field or a badly spelt record name is written.
 */
export type LocateTarget = 'key' | 'value';

export type Locate = (path: LabPath, target?: LocateTarget) => Position;

/**
 * When the path does not exist in the text (a missing required field, a default the
 * author never wrote), the nearest node that does exist is returned: a missing field
 * points at the map it is missing from.
 */
export function createLocator(doc: Document, lineCounter: LineCounter): Locate {
  const position = (node: unknown): Position => {
    const offset = hasRange(node) ? node.range[0] : 0;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  return (path, target = 'value') => {
    let node: unknown = doc.contents;
    for (const [index, key] of path.entries()) {
      const last = index === path.length - 1;
      const container = isAlias(node) ? node.resolve(doc) : node;
      if (isMap(container)) {
        const pair = container.items.find((item) => sameKey(doc, item.key, key));
        if (pair === undefined) break;
        // `cert:` with nothing after it parses as an empty null scalar that starts after
        // the colon; the key is where the author will look.
        if ((last && target === 'key') || isEmpty(pair.value)) return position(pair.key);
        node = pair.value;
      } else if (isSeq(container) && typeof key === 'number') {
        const item = container.items[key];
        if (item === undefined || isEmpty(item)) break;
        node = item;
      } else {
        break;
      }
    }
    return position(node);
  };
}

function sameKey(doc: Document, node: unknown, key: string | number): boolean {
  const resolved = isAlias(node) ? node.resolve(doc) : node;
  // Plain objects from `toJS()` stringify every key, so `1:` in YAML is `"1"` in a path.
  return isScalar(resolved) && String(resolved.value) === String(key);
}

function isEmpty(node: unknown): boolean {
  return node === null || (isScalar(node) && node.value === null && hasRange(node) && node.range[0] === node.range[1]);
}

function hasRange(node: unknown): node is { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as { range?: unknown }).range);
}
