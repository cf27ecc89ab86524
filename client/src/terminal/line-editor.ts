/**
 * The terminal's line editing, DOM-free: a prompt, cursor movement, history (up/down), Tab completion,
 * Ctrl-C / Ctrl-U / Ctrl-W / Ctrl-A / Ctrl-E / Ctrl-L, and paste (several lines run one after another).
 * It turns the terminal's input data into writes back to the terminal (ANSI) and submitted lines.
 */

export interface LineEditorHost {
  /** write raw text (with ANSI escapes) to the terminal */
  write(data: string): void;
  /** a line was entered */
  submit(line: string): void;
  /** Ctrl-C while a command runs */
  interrupt(): void;
  /** completion candidates for the text before the cursor */
  complete(before: string): Promise<{ word: string; candidates: string[] }>;
  /** clear the screen */
  clear(): void;
  /** the terminal's width in columns (long lines wrap) */
  cols(): number;
}

export const PROMPT = '$ ';

const HISTORY_LIMIT = 500;

export class LineEditor {
  private buffer = '';
  private cursor = 0;
  private history: string[];
  private historyIndex: number;
  private draft = '';
  private busy = false;
  private pending: { text: string; enter: boolean }[] = [];
  private lastTab = 0;
  private readonly host: LineEditorHost;
  private readonly onHistory: (history: string[]) => void;

  constructor(host: LineEditorHost, history: string[] = [], onHistory: (history: string[]) => void = () => {}) {
    this.host = host;
    this.history = history.slice(-HISTORY_LIMIT);
    this.historyIndex = this.history.length;
    this.onHistory = onHistory;
  }

  get running(): boolean {
    return this.busy;
  }

  get line(): string {
    return this.buffer;
  }

  /** Prints the prompt (after a command finished, or at start). */
  prompt(): void {
    this.busy = false;
    this.buffer = '';
    this.cursor = 0;
    this.host.write(PROMPT);
    const next = this.pending.shift();
    if (next !== undefined) {
      this.insert(next.text);
      if (next.enter) this.enter();
    }
  }

  /** Handles terminal input (keys, escape sequences, pasted text). */
  input(data: string): void {
    if (this.busy) {
      if (data.includes('\x03')) this.host.interrupt();
      return;
    }
    // Pasted text with newlines: run each line in turn; the text after the last newline stays on the line.
    if (data.length > 1 && /[\r\n]/.test(data) && !data.startsWith('\x1b')) {
      const lines = data.replace(/\r\n?/g, '\n').split('\n');
      const last = lines.pop()!;
      const [first, ...rest] = lines;
      this.pending.push(...rest.map((text) => ({ text, enter: true })));
      if (last) this.pending.push({ text: last, enter: false });
      this.insert(first ?? '');
      this.enter();
      return;
    }
    let i = 0;
    while (i < data.length) {
      const seq = /^\x1b\[[0-9;]*[A-Za-z~]|^\x1bO[A-Za-z]|^\x1b[bf]/.exec(data.slice(i));
      if (seq) {
        this.escape(seq[0]);
        i += seq[0].length;
        continue;
      }
      const ch = data[i]!;
      i++;
      switch (ch) {
        case '\r':
        case '\n':
          this.enter();
          if (this.busy) return;
          break;
        case '\x7f':
        case '\b':
          this.backspace();
          break;
        case '\t':
          void this.tab();
          break;
        case '\x03': // Ctrl-C: drop the line
          this.host.write('^C\r\n' + PROMPT);
          this.buffer = '';
          this.cursor = 0;
          this.historyIndex = this.history.length;
          break;
        case '\x01':
          this.move(-this.cursor);
          break;
        case '\x05':
          this.move(this.buffer.length - this.cursor);
          break;
        case '\x15': // Ctrl-U
          this.replace(this.buffer.slice(this.cursor), 0);
          break;
        case '\x0b': // Ctrl-K
          this.replace(this.buffer.slice(0, this.cursor), this.cursor);
          break;
        case '\x17': {
          // Ctrl-W: delete the word before the cursor
          const before = this.buffer.slice(0, this.cursor).replace(/\S+\s*$/, '');
          this.replace(before + this.buffer.slice(this.cursor), before.length);
          break;
        }
        case '\x0c': // Ctrl-L
          this.host.clear();
          this.redraw();
          break;
        default:
          if (ch >= ' ') this.insert(ch);
      }
    }
  }

  private escape(seq: string): void {
    switch (seq) {
      case '\x1b[A':
      case '\x1bOA':
        return this.recall(-1);
      case '\x1b[B':
      case '\x1bOB':
        return this.recall(1);
      case '\x1b[C':
      case '\x1bOC':
        return this.move(1);
      case '\x1b[D':
      case '\x1bOD':
        return this.move(-1);
      case '\x1b[H':
      case '\x1bOH':
      case '\x1b[1~':
        return this.move(-this.cursor);
      case '\x1b[F':
      case '\x1bOF':
      case '\x1b[4~':
        return this.move(this.buffer.length - this.cursor);
      case '\x1b[3~':
        if (this.cursor < this.buffer.length) this.replace(this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1), this.cursor);
        return;
      case '\x1bb':
      case '\x1b[1;5D': {
        const before = this.buffer.slice(0, this.cursor).replace(/\S+\s*$/, '');
        return this.move(before.length - this.cursor);
      }
      case '\x1bf':
      case '\x1b[1;5C': {
        const m = /^\s*\S+/.exec(this.buffer.slice(this.cursor));
        return this.move(m ? m[0].length : 0);
      }
    }
  }

  /** Prints the prompt and the current input on a fresh line. */
  private redraw(): void {
    const text = this.buffer;
    const cursor = this.cursor;
    this.host.write(PROMPT);
    this.cursor = 0;
    this.replace(text, cursor);
  }

  private insert(text: string): void {
    const clean = text.replace(/[\x00-\x1f\x7f]/g, '');
    if (!clean) return;
    this.replace(this.buffer.slice(0, this.cursor) + clean + this.buffer.slice(this.cursor), this.cursor + clean.length);
  }

  private backspace(): void {
    if (this.cursor === 0) return;
    this.replace(this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor), this.cursor - 1);
  }

  /** The escapes that move the terminal's cursor between two offsets of the input (prompt included). */
  private moveBetween(from: number, to: number): string {
    const cols = Math.max(1, this.host.cols());
    const r1 = Math.floor(from / cols);
    const r2 = Math.floor(to / cols);
    const c2 = to % cols;
    let out = '';
    if (r2 < r1) out += `\x1b[${r1 - r2}A`;
    else if (r2 > r1) out += `\x1b[${r2 - r1}B`;
    out += '\r';
    if (c2 > 0) out += `\x1b[${c2}C`;
    return out;
  }

  private move(delta: number): void {
    const to = Math.max(0, Math.min(this.buffer.length, this.cursor + delta));
    if (to === this.cursor) return;
    this.host.write(this.moveBetween(PROMPT.length + this.cursor, PROMPT.length + to));
    this.cursor = to;
  }

  /** Redraws the input after the prompt: the new text, with the cursor at `cursor` (wrapping lines too). */
  private replace(text: string, cursor: number): void {
    const cols = Math.max(1, this.host.cols());
    let out = this.moveBetween(PROMPT.length + this.cursor, PROMPT.length);
    out += text;
    const end = PROMPT.length + text.length;
    // At an exact multiple of the width the cursor waits at the margin: step onto the next row.
    if (end % cols === 0 && text.length > 0) out += ' \b';
    out += '\x1b[J';
    out += this.moveBetween(end, PROMPT.length + cursor);
    this.host.write(out);
    this.buffer = text;
    this.cursor = cursor;
  }

  private recall(dir: number): void {
    if (this.history.length === 0) return;
    if (this.historyIndex === this.history.length) this.draft = this.buffer;
    const idx = Math.max(0, Math.min(this.history.length, this.historyIndex + dir));
    if (idx === this.historyIndex) return;
    this.historyIndex = idx;
    const text = idx === this.history.length ? this.draft : this.history[idx]!;
    this.replace(text, text.length);
  }

  private enter(): void {
    const line = this.buffer;
    this.host.write('\r\n');
    this.buffer = '';
    this.cursor = 0;
    if (line.trim()) {
      if (this.history.at(-1) !== line) {
        this.history.push(line);
        if (this.history.length > HISTORY_LIMIT) this.history.shift();
        this.onHistory(this.history.slice());
      }
      this.historyIndex = this.history.length;
      this.busy = true;
      this.host.submit(line);
    } else {
      this.prompt();
    }
  }

  private async tab(): Promise<void> {
    const before = this.buffer.slice(0, this.cursor);
    const { word, candidates } = await this.host.complete(before);
    if (this.busy || this.buffer.slice(0, this.cursor) !== before) return;
    if (candidates.length === 0) return;
    if (candidates.length === 1) {
      this.insert(candidates[0]!.slice(word.length) + ' ');
      return;
    }
    // Insert the common prefix; a second Tab lists the candidates.
    let prefix = candidates[0]!;
    for (const c of candidates) while (!c.startsWith(prefix)) prefix = prefix.slice(0, -1);
    if (prefix.length > word.length) {
      this.insert(prefix.slice(word.length));
      return;
    }
    const now = Date.now();
    if (now - this.lastTab < 1500 || candidates.length <= 20) {
      this.host.write(`\r\n${candidates.join('  ')}\r\n`);
      this.redraw();
    }
    this.lastTab = now;
  }
}
