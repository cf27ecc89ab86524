import { normalizePath, OverlayFs } from './fs.ts';
import { argvProgram, parseScript, ShellSyntaxError, type Instr, type Program, type SimpleCmd, type Word } from './parse.ts';
import { netCommands } from './net-commands.ts';

/** The state of a running shell process: plain JSON, kept in the kubelet's records. */
export interface ProcState {
  pc: number;
  /** last exit status ($?) */
  st: number;
  /** shell variables set by assignments / export */
  vars: Record<string, string>;
  /** set when the `exit` command ended it */
  exited?: boolean;
  /** for-loop iteration state by slot */
  loops?: Record<string, { items: string[]; i: number }>;
  cwd?: string;
}

/** What a command sees: its arguments, stdin, output streams, the container's files and environment. */
export interface CommandIO {
  stdin: string;
  out(text: string): void;
  err(text: string): void;
  fs: OverlayFs;
  /** the environment the command sees (container env plus exported shell variables) */
  env: Record<string, string>;
  cwd: string;
  setCwd(dir: string): void;
  now(): number;
  /** host-provided services (e.g. the network, once it exists); commands added later read what they need here */
  host: ShellHost;
  /** true when stdout is a terminal (kubectl exec -t) */
  tty: boolean;
}

/** A command's result: an exit status, a request to sleep (ms, Infinity for ever), or the shell's exit. */
export type CommandResult = number | { sleepMs: number } | { exit: number };
export type CommandFn = (args: string[], io: CommandIO) => CommandResult;

/** What the shell needs from whoever runs it (the kubelet for a container's process, exec for a session). */
export interface ShellHost {
  now(): number;
  fs: OverlayFs;
  env: Record<string, string>;
  out(text: string): void;
  err(text: string): void;
  /** name used in error messages (`sh`, or `bash`) */
  shellName?: string;
  tty?: boolean;
  /** what the first command of each pipeline reads on stdin (an exec session's input) */
  stdin?: string;
  /** commands this host adds or overrides (looked up before the built-in table) */
  commands?: Record<string, CommandFn>;
  [service: string]: unknown;
}

/** The built-in command table; other parts of the sim may add commands (e.g. wget, nslookup) with `registerCommand`. */
export const COMMANDS: Record<string, CommandFn> = {};

export function registerCommand(name: string, fn: CommandFn): void {
  COMMANDS[name] = fn;
}

export function hasCommand(name: string): boolean {
  return name.replace(/^.*\//, '') in COMMANDS || SHELLS.has(name.replace(/^.*\//, ''));
}

const SHELLS = new Set(['sh', 'bash', 'ash']);

const programCache = new Map<string, Program>();

/** Parses (with a small cache: the same script is run by many containers and restarts). */
export function compile(script: string): Program {
  let p = programCache.get(script);
  if (!p) {
    p = parseScript(script);
    if (programCache.size > 500) programCache.clear();
    programCache.set(script, p);
  }
  return p;
}

export { argvProgram, ShellSyntaxError, type Program };

export function newProc(): ProcState {
  return { pc: 0, st: 0, vars: {} };
}

export type StepResult = { kind: 'sleep'; ms: number } | { kind: 'exit'; code: number };

/** Instructions a process may run before it yields (a busy loop with no sleep must not hang the sim). */
const BUDGET = 2000;
/** How long a busy loop yields for when it used its budget. */
const BUSY_YIELD_MS = 100;

/**
 * Runs a process from its program counter until it sleeps or exits. The state is updated in place (the
 * caller owns a copy); a sleeping process resumes where it stopped on the next call.
 */
export function step(prog: Program, st: ProcState, host: ShellHost, budget = BUDGET): StepResult {
  for (let n = 0; n < budget; n++) {
    if (st.pc >= prog.code.length) return { kind: 'exit', code: st.st };
    const ins: Instr = prog.code[st.pc++];
    switch (ins.op) {
      case 'jmp':
        st.pc = ins.to;
        break;
      case 'jz':
        if (st.st === 0) st.pc = ins.to;
        break;
      case 'jnz':
        if (st.st !== 0) st.pc = ins.to;
        break;
      case 'status':
        st.st = ins.v;
        break;
      case 'forinit': {
        const items = ins.words.flatMap((w) => expandWord(w, st, host, true));
        st.loops = { ...(st.loops ?? {}), [ins.slot]: { items, i: 0 } };
        break;
      }
      case 'fornext': {
        const loop = st.loops?.[ins.slot];
        if (!loop || loop.i >= loop.items.length) {
          st.pc = ins.to;
          break;
        }
        st.vars[ins.name] = loop.items[loop.i];
        st.loops = { ...st.loops, [ins.slot]: { items: loop.items, i: loop.i + 1 } };
        break;
      }
      case 'cmd': {
        const r = runPipeline(ins.cmds, st, host);
        if (typeof r === 'number') st.st = ins.not ? (r === 0 ? 1 : 0) : r;
        else if ('exit' in r) {
          st.st = r.exit;
          st.exited = true;
          return { kind: 'exit', code: r.exit };
        } else {
          st.st = 0;
          return { kind: 'sleep', ms: r.sleepMs };
        }
        break;
      }
    }
  }
  return { kind: 'sleep', ms: BUSY_YIELD_MS };
}

/** Runs a script to completion at once, ignoring sleeps (for `$(...)`, exec sessions and probes). */
export function runSync(prog: Program, st: ProcState, host: ShellHost, maxSteps = 20_000): number {
  let left = maxSteps;
  for (;;) {
    const r = step(prog, st, host, Math.min(left, BUDGET));
    left -= BUDGET;
    if (r.kind === 'exit') return r.code;
    if (left <= 0) return st.st;
  }
}

function lookupVar(name: string, st: ProcState, host: ShellHost): string {
  if (name === '?') return String(st.st);
  if (name === '$') return '1';
  if (name === '#') return '0';
  if (name === '0') return host.shellName ?? 'sh';
  if (name === '@' || name === '*') return '';
  if (/^\d$/.test(name)) return '';
  if (name in st.vars) return st.vars[name];
  if (name === 'PWD') return st.cwd ?? '/';
  return host.env[name] ?? '';
}

/** Expands a word: variables and command substitutions; unquoted expansions split into fields when `split`. */
export function expandWord(w: Word, st: ProcState, host: ShellHost, split = false): string[] {
  let cur = '';
  const fields: string[] = [];
  let hasQuoted = false;
  for (const p of w) {
    if (typeof p === 'string') {
      cur += p;
      hasQuoted = true;
    } else if ('v' in p) {
      const val = lookupVar(p.v, st, host);
      if (split && !p.q) {
        const parts = val.split(/[ \t\n]+/);
        if (parts.length > 1 || val === '') {
          if (val.trim() === '') continue;
          const trimmedParts = val.trim().split(/[ \t\n]+/);
          if (/^[ \t\n]/.test(val) && cur) {
            fields.push(cur);
            cur = '';
          }
          cur += trimmedParts[0];
          for (const x of trimmedParts.slice(1)) {
            fields.push(cur);
            cur = x;
          }
          hasQuoted = true;
          continue;
        }
      }
      cur += val;
      hasQuoted = true;
    } else if ('arith' in p) {
      cur += String(arith(p.arith, (n) => lookupVar(n, st, host)));
      hasQuoted = true;
    } else {
      // Command substitution: run it now, capture stdout, strip trailing newlines.
      let captured = '';
      const sub: ShellHost = { ...host, out: (t) => (captured += t) };
      try {
        runSync(compile(p.sub), { pc: 0, st: 0, vars: { ...st.vars }, cwd: st.cwd }, sub);
      } catch (e) {
        if (e instanceof ShellSyntaxError) host.err(`${host.shellName ?? 'sh'}: ${e.message}\n`);
        else throw e;
      }
      cur += captured.replace(/\n+$/, '');
      hasQuoted = true;
    }
  }
  if (hasQuoted || cur) fields.push(cur);
  return fields;
}

/** `$((...))`: integer arithmetic with + - * / % and parentheses over variables. */
export function arith(expr: string, get: (name: string) => string): number {
  const toks = expr.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|\$[A-Za-z_][A-Za-z0-9_]*|[-+*\/%()]/g) ?? [];
  let i = 0;
  const atom = (): number => {
    const t = toks[i++];
    if (t === '(') {
      const v = sum();
      i++;
      return v;
    }
    if (t === '-') return -atom();
    if (t === '+') return atom();
    if (t === undefined) return 0;
    if (/^\d+$/.test(t)) return Number(t);
    return parseInt(get(t.replace(/^\$/, '')), 10) || 0;
  };
  const prod = (): number => {
    let v = atom();
    while (toks[i] === '*' || toks[i] === '/' || toks[i] === '%') {
      const op = toks[i++];
      const r = atom();
      v = op === '*' ? v * r : r === 0 ? 0 : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number => {
    let v = prod();
    while (toks[i] === '+' || toks[i] === '-') {
      const op = toks[i++];
      const r = prod();
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  return sum();
}

function expandArgs(words: Word[], st: ProcState, host: ShellHost): string[] {
  const out: string[] = [];
  for (const w of words) out.push(...expandWord(w, st, host, true));
  return out;
}

function runPipeline(cmds: SimpleCmd[], st: ProcState, host: ShellHost): CommandResult {
  if (cmds.length === 1) return runSimple(cmds[0], st, host, host.stdin ?? '');
  let stdin = host.stdin ?? '';
  let status: number = 0;
  for (let i = 0; i < cmds.length; i++) {
    let captured = '';
    const last = i === cmds.length - 1;
    const h: ShellHost = last ? host : { ...host, out: (t) => (captured += t) };
    const r = runSimple(cmds[i], st, h, stdin);
    status = typeof r === 'number' ? r : 'exit' in r ? r.exit : 0;
    stdin = captured;
  }
  return status;
}

function runSimple(cmd: SimpleCmd, st: ProcState, host: ShellHost, stdin: string): CommandResult {
  const argv = expandArgs(cmd.words, st, host);
  const assigns = cmd.assigns.map(([k, w]) => [k, expandWord(w, st, host).join(' ')] as const);
  if (argv.length === 0) {
    for (const [k, v] of assigns) st.vars[k] = v;
    return 0;
  }
  const cwd = st.cwd ?? '/';
  // Redirections.
  let outBuf: string | undefined;
  let errBuf: string | undefined;
  let outTarget: { path: string; append: boolean } | undefined;
  let errTarget: { path: string; append: boolean } | undefined;
  let errToOut = false;
  let outToErr = false;
  for (const r of cmd.redirs) {
    const target = expandWord(r.target, st, host).join(' ');
    if (r.op === '<') {
      const path = normalizePath(target, cwd);
      const content = host.fs.read(path);
      if (content === undefined) {
        host.err(`${host.shellName ?? 'sh'}: can't open '${target}': No such file or directory\n`);
        return 1;
      }
      stdin = content;
    } else if (r.op === '>&') {
      if (r.fd === 2) errToOut = true;
      else outToErr = true;
    } else if (r.fd === 1) {
      outTarget = { path: normalizePath(target, cwd), append: r.op === '>>' };
      outBuf = '';
    } else {
      errTarget = { path: normalizePath(target, cwd), append: r.op === '>>' };
      errBuf = '';
    }
  }
  const io: CommandIO = {
    stdin,
    out: (t) => {
      if (outToErr) host.err(t);
      else if (outBuf !== undefined) outBuf += t;
      else host.out(t);
    },
    err: (t) => {
      if (errToOut) {
        if (outBuf !== undefined) outBuf += t;
        else host.out(t);
      } else if (errBuf !== undefined) errBuf += t;
      else host.err(t);
    },
    fs: host.fs,
    env: { ...host.env, ...st.vars, ...Object.fromEntries(assigns) },
    cwd,
    setCwd: (d) => (st.cwd = d),
    now: () => host.now(),
    host,
    tty: !!host.tty,
  };
  const name = argv[0];
  const base = name.replace(/^.*\//, '');
  let result: CommandResult;
  if (base === 'export' || base === 'readonly') {
    for (const a of argv.slice(1)) {
      const eq = a.indexOf('=');
      if (eq > 0) st.vars[a.slice(0, eq)] = a.slice(eq + 1);
    }
    result = 0;
  } else if (base === 'unset') {
    for (const a of argv.slice(1)) delete st.vars[a];
    result = 0;
  } else if (SHELLS.has(base)) {
    result = runSubShell(argv, io, host);
  } else {
    const fn = host.commands?.[base] ?? host.commands?.[name] ?? COMMANDS[base];
    if (!fn || (name.includes('/') && !name.startsWith('/bin/') && !name.startsWith('/usr/bin/') && !name.startsWith('/usr/local/bin/') && !name.startsWith('/sbin/') && !name.startsWith('/usr/sbin/'))) {
      host.err(`${host.shellName ?? 'sh'}: ${name}: not found\n`);
      result = 127;
    } else result = fn(argv.slice(1), io);
  }
  if (outTarget && outBuf !== undefined) writeRedirect(host, outTarget, outBuf);
  if (errTarget && errBuf !== undefined) writeRedirect(host, errTarget, errBuf);
  return result;
}

function writeRedirect(host: ShellHost, t: { path: string; append: boolean }, text: string): void {
  if (t.path === '/dev/null') return;
  if (t.path === '/dev/stdout') return host.out(text);
  if (t.path === '/dev/stderr') return host.err(text);
  const prev = t.append ? (host.fs.read(t.path) ?? '') : '';
  if (!host.fs.write(t.path, prev + text)) host.err(`${host.shellName ?? 'sh'}: can't create ${t.path}: ${host.fs.isDir(t.path) ? 'Is a directory' : 'nonexistent directory'}\n`);
}

/** `sh -c '...'` inside a shell (or from exec): run it to completion. */
function runSubShell(argv: string[], io: CommandIO, host: ShellHost): CommandResult {
  const c = argv.indexOf('-c');
  const sub: ShellHost = { ...host, out: io.out, err: io.err, env: io.env };
  if (c < 0) {
    // `sh` reading a script from stdin.
    if (!io.stdin) return 0;
    try {
      return runSync(compile(io.stdin), { pc: 0, st: 0, vars: {}, cwd: io.cwd }, sub);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      io.err(`${argv[0]}: ${e.message}\n`);
      return 2;
    }
  }
  try {
    return runSync(compile(argv[c + 1] ?? ''), { pc: 0, st: 0, vars: {}, cwd: io.cwd }, sub);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    io.err(`${argv[0]}: -c: line 1: ${e.message}\n`);
    return 2;
  }
}

// --- the everyday commands ----------------------------------------------------------------------------------

function resolve(io: CommandIO, p: string): string {
  return normalizePath(p, io.cwd);
}

const noSuch = (cmd: string, p: string) => `${cmd}: ${p}: No such file or directory\n`;

function parseFlags(args: string[]): { flags: Set<string>; rest: string[] } {
  const flags = new Set<string>();
  const rest: string[] = [];
  let done = false;
  for (const a of args) {
    if (!done && a === '--') done = true;
    else if (!done && a.startsWith('-') && a.length > 1) for (const ch of a.slice(1)) flags.add(ch);
    else rest.push(a);
  }
  return { flags, rest };
}

/** Go-ish / sleep(1) durations: `5`, `0.5`, `10s`, `2m`, `1h`, `infinity`. */
export function parseSleep(arg: string): number | undefined {
  if (arg === 'infinity' || arg === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (!m) return undefined;
  const mult = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]]!;
  return Math.round(Number(m[1]) * mult);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `date` as busybox prints it: `Thu Jan  1 00:00:00 UTC 2026`. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

function echoEscapes(s: string): string {
  return s.replace(/\\(n|t|\\|c)/g, (_, c) => ({ n: '\n', t: '\t', '\\': '\\', c: '' })[c as 'n']!);
}

registerCommand('echo', (args, io) => {
  let newline = true;
  let escapes = false;
  let i = 0;
  while (i < args.length && /^-[neE]+$/.test(args[i])) {
    if (args[i].includes('n')) newline = false;
    if (args[i].includes('e')) escapes = true;
    i++;
  }
  const text = args.slice(i).join(' ');
  io.out((escapes ? echoEscapes(text) : text) + (newline ? '\n' : ''));
  return 0;
});

registerCommand('printf', (args, io) => {
  if (!args.length) {
    io.err('printf: usage: printf FORMAT [ARGUMENT...]\n');
    return 1;
  }
  const fmt = args[0];
  const rest = args.slice(1);
  let k = 0;
  const once = () =>
    echoEscapes(fmt).replace(/%([sdi%])/g, (_, c) => {
      if (c === '%') return '%';
      const v = rest[k++] ?? '';
      return c === 's' ? v : String(parseInt(v, 10) || 0);
    });
  let out = once();
  while (k > 0 && k < rest.length) out += once();
  io.out(out);
  return 0;
});

registerCommand('sleep', (args, io) => {
  if (!args.length) {
    io.err('sleep: missing operand\n');
    return 1;
  }
  let total = 0;
  for (const a of args) {
    const ms = parseSleep(a);
    if (ms === undefined) {
      io.err(`sleep: invalid number '${a}'\n`);
      return 1;
    }
    total += ms;
  }
  return { sleepMs: total };
});

registerCommand('true', () => 0);
registerCommand('false', () => 1);
registerCommand(':', () => 0);

registerCommand('exit', (args) => ({ exit: args.length ? Number(args[0]) & 255 : 0 }));

registerCommand('touch', (args, io) => {
  const { rest } = parseFlags(args);
  let st = 0;
  for (const a of rest) {
    const p = resolve(io, a);
    if (io.fs.exists(p)) continue;
    if (!io.fs.write(p, '')) {
      io.err(`touch: ${a}: No such file or directory\n`);
      st = 1;
    }
  }
  return st;
});

registerCommand('rm', (args, io) => {
  const { flags, rest } = parseFlags(args);
  let st = 0;
  for (const a of rest) {
    const p = resolve(io, a);
    if (!io.fs.exists(p)) {
      if (!flags.has('f')) {
        io.err(`rm: can't remove '${a}': No such file or directory\n`);
        st = 1;
      }
      continue;
    }
    if (io.fs.isDir(p) && !flags.has('r') && !flags.has('R')) {
      io.err(`rm: '${a}' is a directory\n`);
      st = 1;
      continue;
    }
    io.fs.remove(p);
  }
  return st;
});

registerCommand('mkdir', (args, io) => {
  const { flags, rest } = parseFlags(args);
  let st = 0;
  for (const a of rest) {
    const p = resolve(io, a);
    if (!io.fs.mkdir(p, flags.has('p'))) {
      io.err(io.fs.exists(p) ? `mkdir: can't create directory '${a}': File exists\n` : `mkdir: can't create directory '${a}': No such file or directory\n`);
      st = 1;
    }
  }
  return st;
});

registerCommand('cat', (args, io) => {
  const { rest } = parseFlags(args);
  if (!rest.length) {
    io.out(io.stdin);
    return 0;
  }
  let st = 0;
  for (const a of rest) {
    const p = resolve(io, a);
    const c = io.fs.read(p);
    if (c === undefined) {
      io.err(io.fs.isDir(p) ? `cat: read error: Is a directory\n` : `cat: can't open '${a}': No such file or directory\n`);
      st = 1;
    } else io.out(c);
  }
  return st;
});

registerCommand('ls', (args, io) => {
  const { flags, rest } = parseFlags(args);
  const targets = rest.length ? rest : ['.'];
  let st = 0;
  const outs: string[] = [];
  for (const a of targets) {
    const p = resolve(io, a);
    if (!io.fs.exists(p)) {
      io.err(`ls: ${a}: No such file or directory\n`);
      st = 1;
      continue;
    }
    let names = io.fs.isDir(p) ? io.fs.list(p) : [a];
    if (!flags.has('a')) names = names.filter((n) => !n.startsWith('.'));
    else names = ['.', '..', ...names];
    const block = flags.has('l')
      ? names.map((n) => {
          const full = io.fs.isDir(p) ? normalizePath(n, p) : p;
          const dir = io.fs.isDir(full);
          const size = dir ? 4096 : (io.fs.read(full) ?? '').length;
          return `${dir ? 'drwxr-xr-x' : '-rw-r--r--'}    ${dir ? 2 : 1} root     root     ${String(size).padStart(8)} ${formatDate(io.now()).slice(4, 16)} ${n}`;
        })
      : names;
    outs.push((targets.length > 1 ? `${a}:\n` : '') + block.map((l) => l + '\n').join(''));
  }
  io.out(outs.join('\n'));
  return st;
});

registerCommand('pwd', (_a, io) => {
  io.out(io.cwd + '\n');
  return 0;
});

registerCommand('cd', (args, io) => {
  const target = resolve(io, args[0] ?? io.env.HOME ?? '/');
  if (!io.fs.isDir(target)) {
    io.err(`sh: cd: can't cd to ${args[0]}: No such file or directory\n`);
    return 2;
  }
  io.setCwd(target);
  return 0;
});

registerCommand('env', (args, io) => {
  if (args.length) {
    // `env CMD ...`: run CMD with the environment.
    const fn = COMMANDS[args[0]];
    if (!fn) {
      io.err(`env: can't execute '${args[0]}': No such file or directory\n`);
      return 127;
    }
    return fn(args.slice(1), io);
  }
  io.out(Object.entries(io.env).map(([k, v]) => `${k}=${v}\n`).join(''));
  return 0;
});

registerCommand('printenv', (args, io) => {
  if (!args.length) {
    io.out(Object.entries(io.env).map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  }
  let st = 0;
  for (const a of args) {
    if (a in io.env) io.out(io.env[a] + '\n');
    else st = 1;
  }
  return st;
});

registerCommand('date', (args, io) => {
  const fmt = args.find((a) => a.startsWith('+'));
  if (fmt === '+%s') io.out(`${Math.floor(io.now() / 1000)}\n`);
  else if (fmt) {
    const d = new Date(io.now());
    const p = (n: number) => String(n).padStart(2, '0');
    io.out(
      fmt.slice(1).replace(/%([YmdHMSsTF%])/g, (_, c) => {
        switch (c) {
          case 'Y': return String(d.getUTCFullYear());
          case 'm': return p(d.getUTCMonth() + 1);
          case 'd': return p(d.getUTCDate());
          case 'H': return p(d.getUTCHours());
          case 'M': return p(d.getUTCMinutes());
          case 'S': return p(d.getUTCSeconds());
          case 's': return String(Math.floor(io.now() / 1000));
          case 'T': return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
          case 'F': return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
          default: return '%';
        }
      }) + '\n',
    );
  } else io.out(formatDate(io.now()) + '\n');
  return 0;
});

registerCommand('hostname', (_a, io) => {
  io.out((io.fs.read('/etc/hostname') ?? io.env.HOSTNAME ?? 'localhost').trim() + '\n');
  return 0;
});

registerCommand('whoami', (_a, io) => {
  io.out('root\n');
  return 0;
});

registerCommand('id', (_a, io) => {
  io.out('uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
  return 0;
});

registerCommand('uname', (args, io) => {
  const host = (io.fs.read('/etc/hostname') ?? 'localhost').trim();
  io.out(args.includes('-a') ? `Linux ${host} 6.8.0-1021-kuberoom #1 SMP x86_64 GNU/Linux\n` : 'Linux\n');
  return 0;
});

registerCommand('test', (args, io) => testExpr(args, io));
registerCommand('[', (args, io) => {
  if (args[args.length - 1] !== ']') {
    io.err('[: missing ]\n');
    return 2;
  }
  return testExpr(args.slice(0, -1), io);
});

function testExpr(a: string[], io: CommandIO): number {
  if (a[0] === '!') return testExpr(a.slice(1), io) === 0 ? 1 : 0;
  if (a.length === 0) return 1;
  if (a.length === 1) return a[0] ? 0 : 1;
  if (a.length === 2) {
    const p = resolve(io, a[1]);
    switch (a[0]) {
      case '-f': return io.fs.read(p) !== undefined ? 0 : 1;
      case '-d': return io.fs.isDir(p) ? 0 : 1;
      case '-e': return io.fs.exists(p) ? 0 : 1;
      case '-s': return (io.fs.read(p) ?? '').length > 0 ? 0 : 1;
      case '-z': return a[1] === '' ? 0 : 1;
      case '-n': return a[1] !== '' ? 0 : 1;
    }
    return 2;
  }
  const [l, op, r] = a;
  const n = (s: string) => parseInt(s, 10) || 0;
  switch (op) {
    case '=':
    case '==': return l === r ? 0 : 1;
    case '!=': return l !== r ? 0 : 1;
    case '-eq': return n(l) === n(r) ? 0 : 1;
    case '-ne': return n(l) !== n(r) ? 0 : 1;
    case '-lt': return n(l) < n(r) ? 0 : 1;
    case '-le': return n(l) <= n(r) ? 0 : 1;
    case '-gt': return n(l) > n(r) ? 0 : 1;
    case '-ge': return n(l) >= n(r) ? 0 : 1;
  }
  return 2;
}

function inputOf(args: string[], io: CommandIO, cmd: string): string | undefined {
  if (!args.length) return io.stdin;
  let text = '';
  for (const a of args) {
    const c = io.fs.read(resolve(io, a));
    if (c === undefined) {
      io.err(noSuch(cmd, a));
      return undefined;
    }
    text += c;
  }
  return text;
}

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

registerCommand('grep', (args, io) => {
  const { flags, rest } = parseFlags(args);
  const pattern = rest[0];
  if (pattern === undefined) {
    io.err('Usage: grep [-ivcq] PATTERN [FILE]...\n');
    return 2;
  }
  const text = inputOf(rest.slice(1), io, 'grep');
  if (text === undefined) return 2;
  let re: RegExp;
  try {
    re = new RegExp(pattern, flags.has('i') ? 'i' : '');
  } catch {
    re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
  const hits = lines(text).filter((l) => re.test(l) !== flags.has('v'));
  if (flags.has('c')) io.out(`${hits.length}\n`);
  else if (!flags.has('q')) io.out(hits.map((l) => l + '\n').join(''));
  return hits.length ? 0 : 1;
});

function headTail(which: 'head' | 'tail') {
  return (args: string[], io: CommandIO): number => {
    let n = 10;
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-n') n = parseInt(args[++i], 10);
      else if (/^-\d+$/.test(args[i])) n = parseInt(args[i].slice(1), 10);
      else if (/^-n\d+$/.test(args[i])) n = parseInt(args[i].slice(2), 10);
      else if (args[i] !== '-f') rest.push(args[i]);
    }
    const text = inputOf(rest, io, which);
    if (text === undefined) return 1;
    const l = lines(text);
    const pick = which === 'head' ? l.slice(0, n) : n === 0 ? [] : l.slice(-n);
    io.out(pick.map((x) => x + '\n').join(''));
    return 0;
  };
}
registerCommand('head', headTail('head'));
registerCommand('tail', headTail('tail'));

registerCommand('wc', (args, io) => {
  const { flags, rest } = parseFlags(args);
  const text = inputOf(rest, io, 'wc');
  if (text === undefined) return 1;
  const l = (text.match(/\n/g) ?? []).length;
  const w = text.split(/\s+/).filter(Boolean).length;
  const c = text.length;
  const cols = flags.size ? [flags.has('l') ? l : undefined, flags.has('w') ? w : undefined, flags.has('c') ? c : undefined].filter((x) => x !== undefined) : [l, w, c];
  io.out(cols.map((x) => String(x).padStart(flags.size === 1 ? 0 : 7)).join(' ') + (rest.length ? ` ${rest[0]}` : '') + '\n');
  return 0;
});

registerCommand('ps', (args, io) => {
  // PID 1 is the container's main process; then this shell's own commands.
  const procs = [...((io.host.processes as (() => string[]) | undefined)?.() ?? []), ['ps', ...args].join(' ')];
  io.out('PID   USER     TIME  COMMAND\n' + procs.map((p, i) => `${String(i === 0 ? 1 : 6 + i).padStart(5)} root      0:00 ${p}\n`).join(''));
  return 0;
});

registerCommand('kill', (args, io) => {
  if (!args.length) {
    io.err('kill: usage: kill [-s SIGNAL] PID\n');
    return 1;
  }
  return 0;
});

registerCommand('nproc', (_a, io) => {
  io.out('4\n');
  return 0;
});

registerCommand('seq', (args, io) => {
  const nums = args.map((a) => parseInt(a, 10));
  const [from, to] = nums.length === 1 ? [1, nums[0]] : [nums[0], nums[nums.length - 1]];
  const out: string[] = [];
  for (let i = from; i <= to && out.length < 100_000; i++) out.push(String(i));
  io.out(out.map((x) => x + '\n').join(''));
  return 0;
});

registerCommand('expr', (args, io) => {
  const [l, op, r] = args;
  const a = parseInt(l, 10);
  const b = parseInt(r, 10);
  const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? Math.trunc(a / b) : op === '%' ? a % b : a;
  io.out(`${v}\n`);
  return v === 0 ? 1 : 0;
});

// wget, curl and nslookup: through the simulated network (see net-commands.ts).
for (const [name, fn] of Object.entries(netCommands())) registerCommand(name, fn);

registerCommand('which', (args, io) => {
  let st = 0;
  for (const a of args) {
    if (a in COMMANDS || SHELLS.has(a)) io.out(`/bin/${a}\n`);
    else st = 1;
  }
  return st;
});

/** Splits container text output into log lines (a trailing partial line counts as a line). */
export function textLines(text: string): string[] {
  return lines(text);
}
