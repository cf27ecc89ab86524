/**
 * A small POSIX-ish shell: the subset tutorials run in busybox/alpine/ubuntu containers, parsed into a flat
 * program of plain-data instructions (jumps instead of nesting), so a running process is just a program
 * counter and a few variables: serialisable, deterministic, resumable after a snapshot.
 */

/** A piece of a word: literal text, a variable (`$X`, `${X}`, `$?`), or a command substitution `$(...)`. */
export type Part = string | { v: string; q?: boolean } | { sub: string } | { arith: string };
export type Word = Part[];

export interface Redir {
  fd: 0 | 1 | 2;
  op: '>' | '>>' | '<' | '>&';
  target: Word;
}

export interface SimpleCmd {
  assigns: [string, Word][];
  words: Word[];
  redirs: Redir[];
}

export type Instr =
  | { op: 'cmd'; cmds: SimpleCmd[]; not?: boolean }
  | { op: 'jmp'; to: number }
  /** jump when the last status is 0 */
  | { op: 'jz'; to: number }
  /** jump when the last status is not 0 */
  | { op: 'jnz'; to: number }
  | { op: 'status'; v: number }
  | { op: 'forinit'; slot: number; words: Word[] }
  | { op: 'fornext'; slot: number; name: string; to: number };

export interface Program {
  code: Instr[];
}

export class ShellSyntaxError extends Error {}

type Tok = { t: 'w'; w: Word; raw: string; quoted: boolean } | { t: 'op'; v: string };

const OPS = ['&&', '||', ';;', '>>', '2>&1', '1>&2', '>&2', '2>>', '2>', '<', '>', '|', ';', '&', '\n', '(', ')'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op && !(op.startsWith('2') || op.startsWith('1')) || (op && (i === 0 || /\s/.test(src[i - 1])))) {
      out.push({ t: 'op', v: op! });
      i += op!.length;
      continue;
    }
    // A word: up to unquoted whitespace or operator.
    const parts: Word = [];
    let lit = '';
    let raw = '';
    let quoted = false;
    const flush = () => {
      if (lit) parts.push(lit);
      lit = '';
    };
    const readVar = (inQuotes: boolean) => {
      // at src[i] === '$'
      const nx = src[i + 1];
      if (nx === '{') {
        const end = src.indexOf('}', i + 2);
        if (end < 0) throw new ShellSyntaxError('bad substitution');
        flush();
        parts.push({ v: src.slice(i + 2, end).replace(/[:-].*$/, ''), q: inQuotes });
        raw += src.slice(i, end + 1);
        i = end + 1;
      } else if (nx === '(' && src[i + 2] === '(') {
        const end = src.indexOf('))', i + 3);
        if (end < 0) throw new ShellSyntaxError(`syntax error: unterminated $((`);
        flush();
        parts.push({ arith: src.slice(i + 3, end) });
        raw += src.slice(i, end + 2);
        i = end + 2;
      } else if (nx === '(') {
        let depth = 1;
        let j = i + 2;
        while (j < n && depth > 0) {
          if (src[j] === '(') depth++;
          else if (src[j] === ')') depth--;
          j++;
        }
        if (depth) throw new ShellSyntaxError(`syntax error: unterminated $(`);
        flush();
        parts.push({ sub: src.slice(i + 2, j - 1) });
        raw += src.slice(i, j);
        i = j;
      } else if (nx && /[A-Za-z_]/.test(nx)) {
        let j = i + 1;
        while (j < n && /[A-Za-z0-9_]/.test(src[j])) j++;
        flush();
        parts.push({ v: src.slice(i + 1, j), q: inQuotes });
        raw += src.slice(i, j);
        i = j;
      } else if (nx && /[?$#0-9!@*]/.test(nx)) {
        flush();
        parts.push({ v: nx, q: inQuotes });
        raw += src.slice(i, i + 2);
        i += 2;
      } else {
        lit += '$';
        raw += '$';
        i++;
      }
    };
    while (i < n) {
      const ch = src[i];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === ';' || ch === '&' || ch === '|' || ch === '<' || ch === '>' || ch === '(' || ch === ')') break;
      if (ch === "'") {
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new ShellSyntaxError(`syntax error: unterminated quoted string`);
        lit += src.slice(i + 1, end);
        raw += src.slice(i, end + 1);
        quoted = true;
        i = end + 1;
      } else if (ch === '"') {
        quoted = true;
        raw += '"';
        i++;
        while (i < n && src[i] !== '"') {
          if (src[i] === '\\' && i + 1 < n && '"\\$`\n'.includes(src[i + 1])) {
            lit += src[i + 1];
            raw += src.slice(i, i + 2);
            i += 2;
          } else if (src[i] === '$') readVar(true);
          else {
            lit += src[i];
            raw += src[i];
            i++;
          }
        }
        if (i >= n) throw new ShellSyntaxError(`syntax error: unterminated quoted string`);
        raw += '"';
        i++;
      } else if (ch === '\\') {
        if (i + 1 < n) lit += src[i + 1];
        raw += src.slice(i, i + 2);
        quoted = true;
        i += 2;
      } else if (ch === '$') readVar(false);
      else if (ch === '`') {
        const end = src.indexOf('`', i + 1);
        if (end < 0) throw new ShellSyntaxError(`syntax error: unterminated quoted string`);
        flush();
        parts.push({ sub: src.slice(i + 1, end) });
        raw += src.slice(i, end + 1);
        i = end + 1;
      } else {
        lit += ch;
        raw += ch;
        i++;
      }
    }
    flush();
    out.push({ t: 'w', w: parts, raw, quoted });
  }
  return out;
}

const RESERVED = new Set(['while', 'until', 'do', 'done', 'if', 'then', 'elif', 'else', 'fi', 'for', 'in', '{', '}', '!', 'case', 'esac']);

/** Parses a script into a flat program. Throws ShellSyntaxError with sh's wording. */
export function parseScript(src: string): Program {
  const toks = tokenize(src);
  let pos = 0;
  const code: Instr[] = [];
  let slots = 0;
  const loops: { start: number; breaks: number[] }[] = [];

  const peek = (): Tok | undefined => toks[pos];
  const isKw = (t: Tok | undefined, kw: string) => !!t && t.t === 'w' && !t.quoted && t.raw === kw;
  const isOp = (t: Tok | undefined, op: string) => !!t && t.t === 'op' && t.v === op;
  const skipNewlines = () => {
    while (isOp(peek(), '\n')) pos++;
  };
  const unexpected = (): never => {
    const t = peek();
    const what = !t ? 'end of file' : t.t === 'op' ? (t.v === '\n' ? 'newline' : `"${t.v}"`) : `"${t.raw}"`;
    throw new ShellSyntaxError(`syntax error: unexpected ${what}`);
  };
  const expectKw = (kw: string) => {
    skipNewlines();
    if (!isKw(peek(), kw)) unexpected();
    pos++;
  };

  /** Parses a list until one of the terminator keywords (not consumed). */
  const list = (terms: string[]) => {
    skipNewlines();
    let any = false;
    while (pos < toks.length) {
      const t = peek();
      if (t && t.t === 'w' && !t.quoted && terms.includes(t.raw)) break;
      if (isOp(t, ')') && terms.includes(')')) break;
      andOr();
      any = true;
      const sep = peek();
      if (isOp(sep, ';') || isOp(sep, '&') || isOp(sep, '\n')) {
        pos++;
        skipNewlines();
        continue;
      }
      break;
    }
    if (!any && terms.length) unexpected();
  };

  const andOr = () => {
    pipeline();
    const jumps: { at: number }[] = [];
    for (;;) {
      const t = peek();
      if (!isOp(t, '&&') && !isOp(t, '||')) break;
      pos++;
      skipNewlines();
      const at = code.length;
      code.push({ op: (t as { v: string }).v === '&&' ? 'jnz' : 'jz', to: -1 });
      jumps.push({ at });
      pipeline();
      (code[at] as { to: number }).to = code.length;
    }
    void jumps;
  };

  const pipeline = () => {
    let not = false;
    if (isKw(peek(), '!')) {
      pos++;
      not = true;
    }
    const t = peek();
    if (t && t.t === 'w' && !t.quoted && ['while', 'until', 'if', 'for', '{'].includes(t.raw)) {
      compound();
      if (not) code.push({ op: 'jz', to: code.length + 2 }, { op: 'status', v: 0 }, { op: 'jmp', to: code.length + 3 }, { op: 'status', v: 1 });
      return;
    }
    if (isOp(t, '(')) {
      pos++;
      list([')']);
      if (!isOp(peek(), ')')) unexpected();
      pos++;
      return;
    }
    const cmds: SimpleCmd[] = [simple()];
    while (isOp(peek(), '|')) {
      pos++;
      skipNewlines();
      cmds.push(simple());
    }
    const first = cmds[0];
    // break / continue inside a loop compile to jumps.
    if (cmds.length === 1 && first.words.length >= 1 && first.assigns.length === 0 && typeof first.words[0][0] === 'string' && first.words[0].length === 1) {
      const w = first.words[0][0] as string;
      const loop = loops[loops.length - 1];
      if (w === 'break' && loop) {
        loop.breaks.push(code.length);
        code.push({ op: 'jmp', to: -1 });
        return;
      }
      if (w === 'continue' && loop) {
        code.push({ op: 'jmp', to: loop.start });
        return;
      }
    }
    code.push(not ? { op: 'cmd', cmds, not } : { op: 'cmd', cmds });
  };

  const simple = (): SimpleCmd => {
    const cmd: SimpleCmd = { assigns: [], words: [], redirs: [] };
    for (;;) {
      const t = peek();
      if (!t) break;
      if (t.t === 'op') {
        const fdOps: Record<string, Redir['fd']> = { '>': 1, '>>': 1, '<': 0, '2>': 2, '2>>': 2 };
        if (t.v in fdOps) {
          pos++;
          const target = peek();
          if (!target || target.t !== 'w') unexpected();
          pos++;
          cmd.redirs.push({ fd: fdOps[t.v], op: t.v.endsWith('>>') ? '>>' : t.v === '<' ? '<' : '>', target: (target as { w: Word }).w });
          continue;
        }
        if (t.v === '2>&1') {
          pos++;
          cmd.redirs.push({ fd: 2, op: '>&', target: ['1'] });
          continue;
        }
        if (t.v === '>&2' || t.v === '1>&2') {
          pos++;
          cmd.redirs.push({ fd: 1, op: '>&', target: ['2'] });
          continue;
        }
        break;
      }
      if (cmd.words.length === 0 && !t.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t.raw) && typeof t.w[0] === 'string') {
        const first = t.w[0] as string;
        const eq = first.indexOf('=');
        const value: Word = [first.slice(eq + 1), ...t.w.slice(1)].filter((p) => p !== '');
        cmd.assigns.push([first.slice(0, eq), value]);
        pos++;
        continue;
      }
      if (cmd.words.length === 0 && !t.quoted && RESERVED.has(t.raw) && t.raw !== '{' && t.raw !== '}') unexpected();
      if (!t.quoted && t.raw === '}' ) break;
      cmd.words.push(t.w);
      pos++;
    }
    if (cmd.words.length === 0 && cmd.assigns.length === 0 && cmd.redirs.length === 0) unexpected();
    return cmd;
  };

  const compound = () => {
    const kw = (peek() as { raw: string }).raw;
    pos++;
    if (kw === '{') {
      list(['}']);
      expectKw('}');
      return;
    }
    if (kw === 'while' || kw === 'until') {
      const start = code.length;
      list(['do']);
      expectKw('do');
      const exitJump = code.length;
      code.push({ op: kw === 'while' ? 'jnz' : 'jz', to: -1 });
      loops.push({ start, breaks: [] });
      list(['done']);
      expectKw('done');
      code.push({ op: 'jmp', to: start });
      const loop = loops.pop()!;
      const end = code.length;
      code.push({ op: 'status', v: 0 });
      (code[exitJump] as { to: number }).to = end;
      for (const b of loop.breaks) (code[b] as { to: number }).to = end;
      return;
    }
    if (kw === 'if') {
      const ends: number[] = [];
      for (;;) {
        list(['then']);
        expectKw('then');
        const skip = code.length;
        code.push({ op: 'jnz', to: -1 });
        list(['elif', 'else', 'fi']);
        ends.push(code.length);
        code.push({ op: 'jmp', to: -1 });
        (code[skip] as { to: number }).to = code.length;
        skipNewlines();
        if (isKw(peek(), 'elif')) {
          pos++;
          continue;
        }
        if (isKw(peek(), 'else')) {
          pos++;
          list(['fi']);
        } else code.push({ op: 'status', v: 0 });
        expectKw('fi');
        break;
      }
      for (const e of ends) (code[e] as { to: number }).to = code.length;
      return;
    }
    if (kw === 'for') {
      const name = peek();
      if (!name || name.t !== 'w') unexpected();
      pos++;
      let words: Word[] = [];
      skipNewlines();
      if (isKw(peek(), 'in')) {
        pos++;
        while (peek()?.t === 'w' && !isKw(peek(), 'do')) words.push((toks[pos++] as { w: Word }).w);
      } else words = [[{ v: '@' }]];
      if (isOp(peek(), ';') || isOp(peek(), '\n')) pos++;
      expectKw('do');
      const slot = slots++;
      code.push({ op: 'forinit', slot, words });
      const start = code.length;
      code.push({ op: 'fornext', slot, name: (name as { raw: string }).raw, to: -1 });
      loops.push({ start, breaks: [] });
      list(['done']);
      expectKw('done');
      code.push({ op: 'jmp', to: start });
      const loop = loops.pop()!;
      const end = code.length;
      code.push({ op: 'status', v: 0 });
      (code[start] as { to: number }).to = end;
      for (const b of loop.breaks) (code[b] as { to: number }).to = end;
    }
  };

  list([]);
  skipNewlines();
  if (pos < toks.length) unexpected();
  return { code };
}

/** A program that runs one command with the given argv (no shell parsing: what `exec` form runs). */
export function argvProgram(argv: string[]): Program {
  return { code: [{ op: 'cmd', cmds: [{ assigns: [], words: argv.map((a) => [a]), redirs: [] }] }] };
}
