/**
 * The decoder's annotated field tree, walked for the message detail: which rows show, which
 * field a byte belongs to, where its RFC section lives. A field is named by its path of
 * child indices (`"6.3.0"`), stable while the event is.
 *
 *   TraceEvent.fields ──visibleRows(expanded)──▶ FieldTree rows
 *   hex byte offset ──fieldAtOffset──▶ path ──▶ selected field ──▶ [start, end) highlighted in HexView
 */
import type { Field } from '../../../server/wire/field.ts';

export interface FieldRow {
  path: string;
  field: Field;
  /** 0 for a top-level field. */
  depth: number;
  parent: string | null;
  hasChildren: boolean;
  expanded: boolean;
}

const childPath = (parent: string | null, index: number): string => (parent === null ? String(index) : `${parent}.${index}`);

/** The rows a reader sees, in order: every top-level field, and the children of each expanded one. */
export function visibleRows(fields: readonly Field[], expanded: ReadonlySet<string>): FieldRow[] {
  const rows: FieldRow[] = [];
  const walk = (list: readonly Field[], parent: string | null, depth: number): void => {
    list.forEach((field, i) => {
      const path = childPath(parent, i);
      const hasChildren = (field.children?.length ?? 0) > 0;
      const open = hasChildren && expanded.has(path);
      rows.push({ path, field, depth, parent, hasChildren, expanded: open });
      if (open) walk(field.children!, path, depth + 1);
    });
  };
  walk(fields, null, 0);
  return rows;
}

export function fieldByPath(fields: readonly Field[], path: string): Field | undefined {
  let list: readonly Field[] | undefined = fields;
  let found: Field | undefined;
  for (const index of path.split('.')) {
    found = list?.[Number(index)];
    list = found?.children;
  }
  return found;
}

/** `"6.3.0"` → `["6", "6.3"]`: what must be expanded for the field to show. */
export function ancestorPaths(path: string): string[] {
  const parts = path.split('.');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
}

/**
 * The field a byte belongs to: the one with the narrowest range holding it; among fields
 * with the same range, the outermost (a certificate's subject, issuer… all span the whole
 * certificate: the byte belongs to the certificate). Fields without bytes (start = end) hold none.
 */
export function fieldAtOffset(fields: readonly Field[], offset: number): string | null {
  let bestPath: string | null = null;
  let bestSize = Infinity;
  const walk = (list: readonly Field[], parent: string | null): void => {
    list.forEach((field, i) => {
      if (offset < field.start || offset >= field.end) return;
      const path = childPath(parent, i);
      if (field.end - field.start < bestSize) {
        bestPath = path;
        bestSize = field.end - field.start;
      }
      if (field.children) walk(field.children, path);
    });
  };
  walk(fields, null);
  return bestPath;
}

/**
 * `RFC 8446 §4.1.2` → https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2; an appendix
 * (`§B.3`) links to `#appendix-B.3`; undefined for anything that does not name an RFC.
 */
export function rfcUrl(rfc: string): string | undefined {
  const match = /^RFC\s*(\d+)(?:\s*§\s*([0-9A-Z](?:[0-9.]*[0-9])?))?/.exec(rfc.trim());
  if (!match) return undefined;
  const [, number, section] = match;
  const base = `https://www.rfc-editor.org/rfc/rfc${number}`;
  if (!section) return base;
  return `${base}#${/^[A-Z]/.test(section) ? 'appendix' : 'section'}-${section}`;
}
