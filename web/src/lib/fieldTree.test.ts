import { describe, expect, it } from 'vitest';
import type { Field } from '../../../server/wire/field.ts';
import { ancestorPaths, fieldAtOffset, fieldByPath, rfcUrl, visibleRows } from './fieldTree.ts';

const f = (name: string, start: number, end: number, children?: Field[]): Field => ({ name, label: name, start, end, ...(children ? { children } : {}) });

/** A ClientHello-like tree: header fields, then a vector whose entries have parts. */
const fields: Field[] = [
  f('msg_type', 0, 1),
  f('length', 1, 4),
  f('cipher_suites', 4, 10, [f('suite', 6, 8), f('suite', 8, 10)]),
  f('certificate', 10, 40, [f('subject', 10, 40), f('issuer', 10, 40)]),
  f('openedAt', 0, 0),
];

describe('visibleRows', () => {
  it('shows the top level only, until a field is expanded', () => {
    expect(visibleRows(fields, new Set()).map((r) => r.path)).toEqual(['0', '1', '2', '3', '4']);
  });

  it("shows an expanded field's children right after it, one level deeper", () => {
    const rows = visibleRows(fields, new Set(['2']));
    expect(rows.map((r) => `${r.path}@${r.depth}`)).toEqual(['0@0', '1@0', '2@0', '2.0@1', '2.1@1', '3@0', '4@0']);
    expect(rows[2]).toMatchObject({ hasChildren: true, expanded: true, parent: null });
    expect(rows[3]).toMatchObject({ hasChildren: false, parent: '2' });
  });
});

describe('fieldByPath and ancestorPaths', () => {
  it('finds a nested field by its path', () => {
    expect(fieldByPath(fields, '2.1')?.start).toBe(8);
    expect(fieldByPath(fields, '9')).toBeUndefined();
  });

  it('lists the paths to expand for a field to show', () => {
    expect(ancestorPaths('2.1.0')).toEqual(['2', '2.1']);
    expect(ancestorPaths('3')).toEqual([]);
  });
});

describe('fieldAtOffset', () => {
  it('picks the narrowest field holding the byte', () => {
    expect(fieldAtOffset(fields, 0)).toBe('0');
    expect(fieldAtOffset(fields, 7)).toBe('2.0');
    expect(fieldAtOffset(fields, 5)).toBe('2');
  });

  it('treats end as exclusive', () => {
    expect(fieldAtOffset(fields, 4)).toBe('2');
    expect(fieldAtOffset(fields, 9)).toBe('2.1');
  });

  it('gives a byte shared by same-range children to their parent', () => {
    expect(fieldAtOffset(fields, 20)).toBe('3');
  });

  it('finds nothing past the fields, and never a field without bytes', () => {
    expect(fieldAtOffset(fields, 40)).toBeNull();
    expect(fieldAtOffset([f('openedAt', 0, 0)], 0)).toBeNull();
  });
});

describe('rfcUrl', () => {
  it('links a section of an RFC', () => {
    expect(rfcUrl('RFC 8446 §4.1.2')).toBe('https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2');
    expect(rfcUrl('RFC 5280 §4.2.1.6')).toBe('https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6');
  });

  it('links an appendix and a whole RFC', () => {
    expect(rfcUrl('RFC 8446 §B.3')).toBe('https://www.rfc-editor.org/rfc/rfc8446#appendix-B.3');
    expect(rfcUrl('RFC 7301')).toBe('https://www.rfc-editor.org/rfc/rfc7301');
  });

  it('drops a trailing full stop and refuses what is not an RFC', () => {
    expect(rfcUrl('RFC 8446 §6.')).toBe('https://www.rfc-editor.org/rfc/rfc8446#section-6');
    expect(rfcUrl('X.690 §8.1')).toBeUndefined();
  });
});
