import { describe, expect, it } from 'vitest';
import { maxLineChars, TypedLines } from './typedLines.js';

function linesOf(...chunks: string[]): string[] {
  const lines: string[] = [];
  const typed = new TypedLines((line) => lines.push(line));
  for (const chunk of chunks) typed.push(chunk);
  return lines;
}

describe('TypedLines', () => {
  it('hands over a line at Enter, typed one key at a time', () => {
    expect(linesOf(...'ls -l\r'.split(''))).toEqual(['ls -l']);
  });

  it('takes a character back at Backspace', () => {
    expect(linesOf('opensl', '\x7f', 'sl x509\r')).toEqual(['openssl x509']);
  });

  it('drops the line at Ctrl-C and at Ctrl-U', () => {
    expect(linesOf('rm -rf\x03', 'echo a\x15echo b\r')).toEqual(['echo b']);
  });

  it('skips arrow keys and other escape sequences whole', () => {
    expect(linesOf('cur\x1b[Dl\x1b[C \x1bOAhost\r')).toEqual(['curl host']);
  });

  it('hands over nothing for an empty line', () => {
    expect(linesOf('\r', '   \r')).toEqual([]);
  });

  it('gives each line of a paste', () => {
    expect(linesOf('one\rtwo\n')).toEqual(['one', 'two']);
  });

  it('cuts a line past its bound and says so', () => {
    const [line] = linesOf('x'.repeat(maxLineChars + 100) + '\r');
    expect(line).toBe(`${'x'.repeat(maxLineChars)} …(cut at ${maxLineChars} characters)`);
  });
});
