/**
 * The command lines a person types into a terminal, read from its input as it goes to the
 * shell: printable characters gather into a line, Backspace takes one back, Ctrl-C or Ctrl-U
 * drops it, and Enter hands it over. Escape sequences (arrow keys, a paste's brackets) are
 * skipped whole. What the shell makes of it (a completion, a history recall) is not seen here:
 * these are the keys, not the shell's line.
 *
 *   terminal-input data ──push──▶ TypedLines ──a line at each Enter──▶ onLine
 *
 * Bounded: a line longer than `maxLineChars` is cut there (and says so), so a paste of a
 * megabyte without a newline holds at most that much.
 */
export const maxLineChars = 500;

/** ECMA-48 §5.4: ESC [ parameters and intermediates, then one final byte 0x40–0x7e; ESC O x (SS3); or ESC and one character. */
const escapeSequence = /^\x1b(?:\[[0-?]*[ -/]*[@-~]|O.|[\s\S])/;

export class TypedLines {
  #line = '';
  #cut = false;
  readonly #onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(data: string): void {
    for (let i = 0; i < data.length; ) {
      const char = data[i]!;
      if (char === '\x1b') {
        const match = escapeSequence.exec(data.slice(i, i + 64));
        // A sequence cut between two pushes: the rest arrives next and is printable noise at worst.
        i += match ? match[0].length : 1;
        continue;
      }
      i++;
      if (char === '\r' || char === '\n') this.#enter();
      else if (char === '\x7f' || char === '\b') this.#line = this.#line.slice(0, -1);
      else if (char === '\x03' || char === '\x15') this.#clear();
      else if (char >= ' ') this.#add(char);
    }
  }

  #add(char: string): void {
    if (this.#line.length < maxLineChars) this.#line += char;
    else this.#cut = true;
  }

  #enter(): void {
    const line = this.#line.trim();
    const cut = this.#cut;
    this.#clear();
    if (line !== '') this.#onLine(cut ? `${line} …(cut at ${maxLineChars} characters)` : line);
  }

  #clear(): void {
    this.#line = '';
    this.#cut = false;
  }
}
