import type { Container, Pod } from '../apiserver/types.ts';
import type { ImageBehaviour } from '../images/catalog.ts';
import type { FsTree } from '../shell/fs.ts';
import { hasCommand, parseSleep } from '../shell/shell.ts';

/**
 * What a container's main process is, decided from its image and its command/args as a container runtime
 * would: the image's server, a shell script, one command, or an executable that does not exist.
 */
export type ProcessPlan =
  | { kind: 'serve'; ports: number[] }
  | { kind: 'demo'; ports: number[] }
  /** a shell script (`sh -c '...'`) or a single command run without a shell (`sleep 3600`) */
  | { kind: 'shell'; script?: string; argv?: string[]; shell: string }
  /** the image's default shell with nothing to read: exits at once */
  | { kind: 'exit'; code: number }
  | { kind: 'notFound'; exe: string };

const SHELLS = new Set(['sh', 'bash', 'ash']);

export function imageHasShell(image: ImageBehaviour, shell: string): boolean {
  const has = image.shell ?? 'sh';
  if (has === 'none') return false;
  if (shell === 'bash') return has === 'bash';
  return true;
}

/** Ports a server's arguments ask it to listen on (`--port=N`, `--http-port=N`, `-listen=:N`), else the image's. */
function argPorts(args: string[], fallback: number[]): number[] {
  for (const a of args) {
    const m = /^--?(?:http-port|port|listen)=(?:[\w.]*:)?(\d+)$/.exec(a);
    if (m) return [Number(m[1])];
  }
  return fallback;
}

export function planProcess(spec: Container, image: ImageBehaviour, env: Record<string, string>): ProcessPlan {
  const serverKind = image.run === 'demo' ? 'demo' : 'serve';
  const imagePorts = image.run === 'demo' && env.PORT && /^\d+$/.test(env.PORT) ? [Number(env.PORT)] : image.ports ?? [];
  let argv: string[];
  if (spec.command?.length) argv = [...spec.command, ...(spec.args ?? [])];
  else if (image.run !== 'exit') {
    // The image's entrypoint runs with the args given; an entrypoint script (docker-entrypoint.sh) runs a
    // command given as args instead (`kubectl run web --image=nginx -- sh -c '...'`).
    const first = spec.args?.[0];
    const base = first?.replace(/^.*\//, '') ?? '';
    const runsCommand = !!first && image.shell !== 'none' && !(image.binaries ?? []).includes(first) && (SHELLS.has(base) || hasCommand(base));
    if (!runsCommand) return { kind: serverKind, ports: argPorts(spec.args ?? [], imagePorts) } as ProcessPlan;
    argv = [...spec.args!];
  } else argv = [...(spec.args ?? [])];
  if (argv.length === 0) return image.run === 'exit' ? { kind: 'exit', code: image.exitCode ?? 0 } : ({ kind: serverKind, ports: imagePorts } as ProcessPlan);
  const exe = argv[0];
  const base = exe.replace(/^.*\//, '');
  if (SHELLS.has(base)) {
    if (!imageHasShell(image, base)) return { kind: 'notFound', exe };
    const c = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
    if (c < 0) return { kind: 'exit', code: 0 };
    return { kind: 'shell', script: argv[c + 1] ?? '', shell: base };
  }
  if ((image.binaries ?? []).includes(exe) || (image.binaries ?? []).includes(base)) return { kind: serverKind, ports: argPorts(argv.slice(1), imagePorts) } as ProcessPlan;
  if (image.shell !== 'none' && hasCommand(base)) return { kind: 'shell', argv, shell: 'sh' };
  return { kind: 'notFound', exe };
}

/** containerd's message for an executable that is not in the image. */
export function notFoundMessage(exe: string): string {
  return `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${exe}": executable file not found in $PATH: unknown`;
}

const BASE_DIRS = ['/bin', '/dev', '/etc', '/home', '/lib', '/proc', '/root', '/run', '/sbin', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/local', '/usr/local/bin', '/usr/sbin', '/var', '/var/log', '/var/run'];

/** The filesystem a container starts with: the image's files plus the files the kubelet writes (hostname, hosts, DNS); volumes, the
 * ServiceAccount token's projected volume among them, are mounted over it (sim/kubelet/volumes.ts). */
export function baseFs(pod: Pod, image: ImageBehaviour): FsTree {
  const tree: FsTree = {};
  for (const d of BASE_DIRS) tree[d] = null;
  const ns = pod.metadata.namespace ?? 'default';
  tree['/etc/hostname'] = `${pod.metadata.name}\n`;
  tree['/etc/hosts'] = `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${pod.status?.podIP ?? ''}\t${pod.metadata.name}\n`;
  tree['/etc/resolv.conf'] = `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`;
  tree['/etc/os-release'] = image.shell === 'bash' ? 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' : 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n';
  for (const [p, v] of Object.entries(image.files ?? {})) tree[p] = v;
  return tree;
}

/** The demo image's settings from its env (see DEMO_ENV in the catalogue). */
export interface DemoConfig {
  startDelayMs: number;
  readyDelayMs: number;
  crashAfterMs?: number;
  exitCode: number;
  /** bytes per second */
  memoryGrowth: number;
  body: string;
  latencyMs: number;
  errorRate: number;
  logLinesPerMinute: number;
}

function duration(v: string | undefined): number {
  if (!v) return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) return parseSleep(v) ?? 0;
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return Math.round(Number(m[1]) * mult);
}

function quantityBytes(v: string | undefined): number {
  if (!v) return 0;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G|k)?(?:\/s)?$/.exec(v.trim());
  if (!m) return 0;
  const mult = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1000, k: 1000, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * mult;
}

export function demoConfig(env: Record<string, string>): DemoConfig {
  const rate = Number(env.ERROR_RATE ?? 0);
  return {
    startDelayMs: duration(env.START_DELAY),
    readyDelayMs: duration(env.READY_DELAY),
    crashAfterMs: env.CRASH_AFTER ? duration(env.CRASH_AFTER) : undefined,
    exitCode: env.EXIT_CODE !== undefined && /^\d+$/.test(env.EXIT_CODE) ? Number(env.EXIT_CODE) & 255 : 1,
    memoryGrowth: quantityBytes(env.MEMORY_GROWTH),
    body: env.RESPONSE_BODY ?? 'Hello from kuberoom/demo',
    latencyMs: duration(env.LATENCY),
    errorRate: Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 0,
    logLinesPerMinute: Math.max(0, Math.min(600, Number(env.LOG_LINES ?? 0) || 0)),
  };
}
