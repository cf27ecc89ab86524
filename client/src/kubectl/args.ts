/** A shell-like command-line splitter and cobra-style flag parsing. */

/** Splits a command line like a POSIX shell would (quotes, backslashes); no expansion. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote`);
  if (inWord) out.push(cur);
  return out;
}

export interface FlagSpec {
  /** long name without dashes */
  name: string;
  short?: string;
  /** takes a value (string) or not (boolean) */
  value: boolean;
  /** may repeat (values collected) */
  repeat?: boolean;
}

export class FlagError extends Error {}

export interface Parsed {
  args: string[];
  flags: Map<string, string[]>;
  /** arguments after a bare `--` */
  rest: string[];
}

export function parseFlags(argv: string[], specs: FlagSpec[]): Parsed {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags = new Map<string, string[]>();
  const args: string[] = [];
  const set = (spec: FlagSpec, v: string) => {
    const list = flags.get(spec.name) ?? [];
    list.push(v);
    flags.set(spec.name, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      return { args, flags, rest: argv.slice(i + 1) };
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = byLong.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (spec.value) {
        if (eq >= 0) set(spec, a.slice(eq + 1));
        else if (i + 1 < argv.length) set(spec, argv[++i]!);
        else throw new FlagError(`flag needs an argument: --${name}`);
      } else set(spec, eq >= 0 ? a.slice(eq + 1) : 'true');
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // shorthand cluster: -Aw, -oyaml, -n=ns
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        const spec = byShort.get(ch);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${ch}' in ${a}`);
        if (spec.value) {
          let v = a.slice(j + 1);
          if (v.startsWith('=')) v = v.slice(1);
          if (v === '') {
            if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: '${ch}' in -${ch}`);
            v = argv[++i]!;
          }
          set(spec, v);
          break;
        }
        set(spec, 'true');
      }
      continue;
    }
    args.push(a);
  }
  return { args, flags, rest: [] };
}

export const flagStr = (p: Parsed, name: string): string | undefined => p.flags.get(name)?.at(-1);
export const flagBool = (p: Parsed, name: string): boolean => {
  const v = p.flags.get(name)?.at(-1);
  return v !== undefined && v !== 'false';
};
export const flagAll = (p: Parsed, name: string): string[] => p.flags.get(name) ?? [];
