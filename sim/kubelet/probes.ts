import type { Container, Pod } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { lookupImage } from '../images/catalog.ts';
import { argvProgram, hasCommand, runSync, ShellSyntaxError, type ShellHost } from '../shell/shell.ts';
import type { PodRuntime } from './kubelet.ts';
import { demoConfig, imageHasShell } from './process.ts';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeSpec {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: unknown[] };
  tcpSocket?: { port: number | string; host?: string };
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

/** A probe with Kubernetes' defaults: period 10 s, timeout 1 s, success 1, failure 3, no initial delay. */
export type Probe = Required<Pick<ProbeSpec, 'initialDelaySeconds' | 'periodSeconds' | 'timeoutSeconds' | 'successThreshold' | 'failureThreshold'>> & ProbeSpec;

export function probeDefaults(p: ProbeSpec): Probe {
  return {
    ...p,
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    successThreshold: p.successThreshold ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
  } as never;
}

export interface ProbeResult {
  ok: boolean;
  message: string;
}

/** What the kubelet gives the prober: the container runtimes and a shell host over a container. */
interface ProbeHost {
  shellHost(rt: PodRuntime, name: string, out: (t: string) => void, err: (t: string) => void): ShellHost;
  saveFs(rt: PodRuntime, name: string, diff: Record<string, string | null | false>): void;
}

function resolvePort(spec: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return spec.ports?.find((p) => p.name === port)?.containerPort;
}

/** The container of the pod that accepts connections on a port right now, if any. */
function listener(rt: PodRuntime, port: number, now: number): { name: string } | undefined {
  for (const [name, c] of Object.entries(rt.containers)) {
    if (!c.running || c.killing) continue;
    if ((c.kind === 'serve' || c.kind === 'demo') && c.listenAt !== undefined && now >= c.listenAt && (c.ports ?? []).includes(port)) return { name };
  }
  return undefined;
}

/** An HTTP request to the pod's container listening on the port: status code and the time it takes. */
function httpAnswer(cluster: Cluster, rt: PodRuntime, pod: Pod, target: string, path: string, now: number): { code: number; latencyMs: number } {
  const c = rt.containers[target];
  const spec = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === target)!;
  const image = lookupImage(spec.image!)?.info.behaviour;
  if (c.kind === 'demo') {
    const cfg = demoConfig(c.env ?? {});
    const bare = path.split('?')[0];
    if (cfg.errorRate > 0 && cluster.rng.next() < cfg.errorRate) return { code: 500, latencyMs: cfg.latencyMs };
    if ((bare === '/ready' || bare === '/readyz') && now < (c.listenAt ?? 0) + cfg.readyDelayMs) return { code: 503, latencyMs: cfg.latencyMs };
    return { code: 200, latencyMs: cfg.latencyMs };
  }
  const paths = image?.httpPaths;
  if (paths && !paths.includes(path.split('?')[0])) return { code: 404, latencyMs: 1 };
  return { code: 200, latencyMs: 1 };
}

/** Runs one probe as the kubelet's prober does, with the messages it reports. */
export function runProbe(kubelet: ProbeHost & { cluster: Cluster }, rt: PodRuntime, pod: Pod, name: string, spec: Container, p: ProbeSpec & { timeoutSeconds: number }): ProbeResult {
  const cluster = kubelet.cluster;
  const now = cluster.now();
  const ip = rt.ip;
  if (p.exec) {
    const argv = p.exec.command ?? [];
    const image = lookupImage(spec.image!)?.info.behaviour;
    let out = '';
    const host = kubelet.shellHost(rt, name, (t) => (out += t), (t) => (out += t));
    const exe = (argv[0] ?? '').replace(/^.*\//, '');
    const shells = ['sh', 'bash', 'ash'];
    if (!argv.length || (shells.includes(exe) ? !image || !imageHasShell(image, exe) : image?.shell === 'none' || !hasCommand(exe))) {
      return { ok: false, message: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0] ?? ''}": executable file not found in $PATH: unknown` };
    }
    let code: number;
    try {
      const prog = argvProgram(argv);
      code = runSync(prog, { pc: 0, st: 0, vars: {} }, host);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      out += `${exe}: -c: line 1: ${e.message}\n`;
      code = 2;
    }
    kubelet.saveFs(rt, name, host.fs.diff);
    return { ok: code === 0, message: out.replace(/\n$/, '') };
  }
  if (p.httpGet) {
    const port = resolvePort(spec, p.httpGet.port);
    const scheme = (p.httpGet.scheme ?? 'HTTP').toLowerCase();
    const host = p.httpGet.host ?? ip;
    const path = p.httpGet.path ?? '/';
    const url = `${scheme}://${host}:${port ?? p.httpGet.port}${path.startsWith('/') ? path : '/' + path}`;
    const l = port !== undefined && host === ip ? listener(rt, port, now) : undefined;
    if (!l) return { ok: false, message: `Get "${url}": dial tcp ${host}:${port ?? p.httpGet.port}: connect: connection refused` };
    const a = httpAnswer(cluster, rt, pod, l.name, path, now);
    if (a.latencyMs > p.timeoutSeconds * 1000) return { ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
    if (a.code >= 200 && a.code < 400) return { ok: true, message: '' };
    return { ok: false, message: `HTTP probe failed with statuscode: ${a.code}` };
  }
  if (p.tcpSocket) {
    const port = resolvePort(spec, p.tcpSocket.port);
    const host = p.tcpSocket.host ?? ip;
    if (port !== undefined && host === ip && listener(rt, port, now)) return { ok: true, message: '' };
    return { ok: false, message: `dial tcp ${host}:${port ?? p.tcpSocket.port}: connect: connection refused` };
  }
  if (p.grpc) {
    if (listener(rt, p.grpc.port, now)) return { ok: true, message: '' };
    return { ok: false, message: `timeout: failed to connect service "${ip}:${p.grpc.port}" within ${p.timeoutSeconds}s: context deadline exceeded` };
  }
  return { ok: true, message: '' };
}
