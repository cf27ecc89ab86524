/**
 * Go's text/tabwriter, as kubectl uses it: cells are tab-terminated, the text after a line's last tab is
 * not aligned, and a column block spans the consecutive lines that have a cell in that column. Widths
 * count characters (runes); padding is spaces.
 */
export interface TabwriterOptions {
  minwidth: number;
  padding: number;
}

const width = (s: string): number => [...s].length;

export function tabwrite(text: string, opts: TabwriterOptions): string {
  if (text === '') return '';
  const endsWithNewline = text.endsWith('\n');
  const rawLines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const lines = rawLines.map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i]!;
      let s = '';
      for (let j = 0; j < cells.length; j++) {
        const c = cells[j]!;
        s += c;
        if (j < widths.length && j < cells.length - 1) s += ' '.repeat(Math.max(0, widths[j]! - width(c)));
      }
      out.push(s);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let self = line0; self < line1; self++) {
      if (column >= lines[self]!.length - 1) continue;
      writeLines(line0, self);
      line0 = self;
      let w = opts.minwidth;
      for (; self < line1; self++) {
        const line = lines[self]!;
        if (column >= line.length - 1) break;
        const cw = width(line[column]!) + opts.padding;
        if (cw > w) w = cw;
      }
      widths.push(w);
      format(line0, self);
      widths.pop();
      line0 = self;
      self--; // the outer loop's increment
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}
