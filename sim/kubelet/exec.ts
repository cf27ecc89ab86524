import { PODS } from '../apiserver/resources.ts';
import type { Pod } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { lookupImage } from '../images/catalog.ts';
import { argvProgram, compile, hasCommand, newProc, runSync, ShellSyntaxError, type ProcState, type ShellHost } from '../shell/shell.ts';
import type { Kubelet, PodRuntime } from './kubelet.ts';
import { imageHasShell } from './process.ts';

/** Why an exec cannot run, worded as the API server or the kubelet words it. */
export interface ExecRefusal {
  code: number;
  reason: string;
  message: string;
}

export interface ExecOptions {
  container?: string;
  tty?: boolean;
  stdin?: boolean;
}

const SHELLS = new Set(['sh', 'bash', 'ash']);
const STDIN_READERS = new Set(['cat', 'wc', 'sort', 'tee', 'grep', 'head', 'tail']);

function kubeletOf(cluster: Cluster): Kubelet | undefined {
  return (cluster as Cluster & { kubelet?: Kubelet }).kubelet;
}

/** The container an exec addresses, or the refusal a real cluster gives. */
export function resolveExec(cluster: Cluster, namespace: string, podName: string, container: string | undefined): { pod: Pod; rt: PodRuntime; container: string } | ExecRefusal {
  const pod = cluster.store.get(PODS, namespace, podName) as Pod | undefined;
  if (!pod) return { code: 404, reason: 'NotFound', message: `pods "${podName}" not found` };
  const all = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  const name = container || pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] || pod.spec.containers[0].name;
  if (!all.some((c) => c.name === name)) return { code: 400, reason: 'BadRequest', message: `container ${name} is not valid for pod ${podName}` };
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
    return { code: 400, reason: 'BadRequest', message: `cannot exec into a container in a completed pod; current phase is ${pod.status.phase}` };
  }
  const kubelet = kubeletOf(cluster);
  const rt = kubelet?.runtime(pod.metadata.uid!);
  if (!rt || !rt.containers[name]?.running) return { code: 400, reason: 'BadRequest', message: `unable to upgrade connection: container not found ("${name}")` };
  return { pod, rt, container: name };
}

/**
 * One `kubectl exec` session inside a container: a command run at once, or an interactive shell that reads
 * stdin (a terminal's keystrokes with -t, lines without) and answers with a prompt. Runs in the container's
 * files and environment; what it writes there stays (until the container restarts).
 */
export class ExecSession {
  private cluster: Cluster;
  private kubelet: Kubelet;
  private rt: PodRuntime;
  private container: string;
  private argv: string[];
  private tty: boolean;
  private interactive: boolean;
  private shellName: string;
  private state: ProcState = newProc();
  private line = '';
  private escape = false;
  private stdinText = '';
  private waitsForStdin: boolean;
  private out: (text: string) => void;
  private err: (text: string) => void;
  /** set when the session is over */
  exitCode: number | undefined;

  constructor(cluster: Cluster, rt: PodRuntime, container: string, argv: string[], opts: ExecOptions, out: (text: string) => void, err: (text: string) => void) {
    this.cluster = cluster;
    this.kubelet = kubeletOf(cluster)!;
    this.rt = rt;
    this.container = container;
    this.argv = argv;
    this.tty = !!opts.tty;
    const exe = (argv[0] ?? '').replace(/^.*\//, '');
    this.shellName = exe;
    this.interactive = SHELLS.has(exe) && !argv.includes('-c') && !!opts.stdin;
    // A filter given no file reads stdin to its end before it answers (`kubectl exec -i web -- cat`).
    this.waitsForStdin = !!opts.stdin && !this.interactive && argv.length === 1 && STDIN_READERS.has(exe);
    // A terminal turns \n into \r\n and merges stderr into stdout.
    this.out = this.tty ? (t) => out(t.replace(/\r?\n/g, '\r\n')) : out;
    this.err = this.tty ? (t) => out(t.replace(/\r?\n/g, '\r\n')) : err;
  }

  /** Whether the session reads stdin before it can finish. */
  get readsStdin(): boolean {
    return this.interactive || this.waitsForStdin;
  }

  private image() {
    const pod = this.cluster.store.get(PODS, this.rt.namespace, this.rt.name) as Pod | undefined;
    const spec = pod && [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === this.container);
    return spec ? lookupImage(spec.image!)?.info.behaviour : undefined;
  }

  private host(): ShellHost {
    const rt = this.kubelet.runtime(this.rt.uid) ?? this.rt;
    this.rt = rt;
    const h = this.kubelet.shellHost(rt, this.container, this.out, this.err);
    h.tty = this.tty;
    h.shellName = this.shellName;
    return h;
  }

  private save(h: ShellHost): void {
    this.kubelet.saveFs(this.rt, this.container, h.fs.diff);
  }

  /** The executable is not in the image: containerd's error, exit code 126 (as kubectl shows it). */
  private notFound(exe: string): number {
    this.out(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${exe}": executable file not found in $PATH: unknown\n`);
    return 126;
  }

  /** Starts the session: runs a one-shot command (returns its exit code) or prints the first prompt. */
  start(): number | undefined {
    const exe = this.argv[0];
    if (!exe) return (this.exitCode = this.notFound(''));
    const base = exe.replace(/^.*\//, '');
    const image = this.image();
    const shell = SHELLS.has(base);
    if (shell ? !image || !imageHasShell(image, base) : image?.shell === 'none' || !hasCommand(base)) return (this.exitCode = this.notFound(exe));
    if (this.interactive) {
      if (this.tty) this.prompt();
      return undefined;
    }
    if (this.waitsForStdin) return undefined;
    return (this.exitCode = this.runArgv(this.stdinText));
  }

  private runArgv(stdin: string): number {
    const h = this.host();
    let code: number;
    try {
      if (stdin) h.stdin = stdin;
      code = runSync(argvProgram(this.argv), newProc(), h);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      this.err(`${this.shellName}: -c: line 1: ${e.message}\n`);
      code = 2;
    }
    this.save(h);
    return code;
  }

  private prompt(): void {
    const cwd = this.state.cwd ?? '/';
    const bash = this.shellName === 'bash';
    const hostname = this.rt.name;
    this.out(bash ? `root@${hostname}:${cwd}# ` : `${cwd} # `);
  }

  private runLine(line: string): void {
    const h = this.host();
    try {
      const prog = compile(line);
      this.state.pc = 0;
      this.state.loops = undefined;
      this.state.exited = undefined;
      const code = runSync(prog, this.state, h);
      this.save(h);
      if (this.state.exited) this.exitCode = code;
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      this.err(`${this.shellName}: ${e.message}\n`);
      this.state.st = 2;
    }
  }

  /** Feeds stdin to the session (keystrokes with a terminal, text without). */
  input(data: string): void {
    if (this.exitCode !== undefined) return;
    if (!this.interactive) {
      this.stdinText += data;
      return;
    }
    for (const ch of data) {
      if (this.exitCode !== undefined) return;
      if (this.escape) {
        if (/[A-Za-z~]/.test(ch)) this.escape = false;
        continue;
      }
      if (ch === '\x1b') {
        this.escape = true;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        if (this.tty) this.out('\n');
        const line = this.line;
        this.line = '';
        if (line.trim()) this.runLine(line);
        if (this.exitCode === undefined && this.tty) this.prompt();
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line) {
          this.line = this.line.slice(0, -1);
          if (this.tty) this.out('\b \b');
        }
      } else if (ch === '\x03') {
        this.line = '';
        if (this.tty) {
          this.out('^C\n');
          this.prompt();
        }
      } else if (ch === '\x04') {
        if (!this.line) this.exitCode = this.state.st;
      } else if (ch >= ' ' || ch === '\t') {
        this.line += ch;
        if (this.tty) this.out(ch);
      }
    }
  }

  /** stdin was closed: a shell runs what is left and exits; a command runs with what it was given. */
  endInput(): number {
    if (this.exitCode !== undefined) return this.exitCode;
    if (!this.interactive) return (this.exitCode = this.runArgv(this.stdinText));
    if (this.line.trim()) this.runLine(this.line);
    this.line = '';
    if (this.exitCode === undefined) this.exitCode = this.state.st;
    return this.exitCode;
  }
}

