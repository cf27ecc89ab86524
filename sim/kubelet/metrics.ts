import { NODES, PODS } from '../apiserver/resources.ts';
import type { Container, Node, Pod } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { lookupImage } from '../images/catalog.ts';
import { bytes, milliCpu } from '../util/quantity.ts';
import type { Kubelet } from './kubelet.ts';
import { demoConfig } from './process.ts';

/**
 * Simulated resource use, as metrics-server would report it (what `kubectl top` shows): a function of the
 * containers' processes and the virtual time, computed on read (nothing is stored or ticked), with a small
 * deterministic wobble per 15 s scrape window.
 */
export const METRICS_WINDOW_MS = 15_000;

export interface Usage {
  /** nanocores */
  cpu: number;
  /** bytes */
  memory: number;
}

/** A stable number in [0, 1) for a key and a scrape window (no draw from the cluster's random source). */
function wobble(key: string, window: number): number {
  let h = 0x811c9dc5 ^ window;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
  return (h >>> 8) / 16777216;
}

const MI = 1024 * 1024;

function argBytes(v: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)([KMGkmg]?)/.exec(v ?? '');
  if (!m) return 0;
  const mult = { K: 1024, M: MI, G: 1024 * MI }[m[2].toUpperCase()] ?? 1;
  return Number(m[1]) * mult;
}

function kubeletOf(cluster: Cluster): Kubelet | undefined {
  return (cluster as Cluster & { kubelet?: Kubelet }).kubelet;
}

/** What each running container of a pod uses now; undefined when none runs (metrics-server has no sample). */
export function podUsage(cluster: Cluster, pod: Pod): { name: string; usage: Usage }[] | undefined {
  const rt = kubeletOf(cluster)?.runtime(pod.metadata.uid!);
  if (!rt) return undefined;
  const now = cluster.now();
  const window = Math.floor(now / METRICS_WINDOW_MS);
  const out: { name: string; usage: Usage }[] = [];
  const specs: Container[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  for (const spec of specs) {
    const c = rt.containers[spec.name];
    if (!c?.running) continue;
    const w = wobble(`${rt.uid}/${spec.name}`, window);
    const image = lookupImage(spec.image!)?.info.behaviour;
    const limitMem = spec.resources?.limits?.memory ? bytes(spec.resources.limits.memory) : Infinity;
    const limitCpu = spec.resources?.limits?.cpu ? milliCpu(spec.resources.limits.cpu) * 1e6 : Infinity;
    let cpu: number;
    let memory: number;
    const argv = [...(spec.command ?? []), ...(spec.args ?? [])];
    if (c.kind === 'shell' || c.kind === 'exit') {
      cpu = w * 1e6;
      memory = (0.3 + 0.5 * w) * MI;
    } else if (c.kind === 'demo') {
      const cfg = demoConfig(c.env ?? {});
      const elapsed = Math.max(0, now - (c.startedAt ?? now)) / 1000;
      cpu = (1 + 2 * w + cfg.logLinesPerMinute / 30) * 1e6;
      memory = (image?.memoryMi ?? 20) * MI * (1 + 0.02 * w) + cfg.memoryGrowth * elapsed;
    } else {
      const vm = argv.indexOf('--vm-bytes');
      const cpus = argv.indexOf('--cpu');
      cpu = (cpus >= 0 ? Number(argv[cpus + 1]) * 1000 : argv.includes('--vm') ? 1000 : 1 + 2 * w) * 1e6;
      memory = vm >= 0 ? argBytes(argv[vm + 1]) : (image?.memoryMi ?? 8) * MI * (1 + 0.05 * w);
    }
    out.push({ name: spec.name, usage: { cpu: Math.round(Math.min(cpu, limitCpu)), memory: Math.round(Math.min(memory, limitMem)) } });
  }
  return out.length ? out : undefined;
}

/** A node's use: its pods' plus the system's (kubelet, containerd, the OS). */
export function nodeUsage(cluster: Cluster, node: Node): Usage {
  const name = node.metadata.name!;
  const window = Math.floor(cluster.now() / METRICS_WINDOW_MS);
  const w = wobble(name, window);
  let cpu = (60 + 30 * w) * 1e6;
  let memory = (700 + 60 * w) * MI;
  for (const pod of cluster.store.list(PODS) as Pod[]) {
    if (pod.spec.nodeName !== name) continue;
    for (const c of podUsage(cluster, pod) ?? []) {
      cpu += c.usage.cpu;
      memory += c.usage.memory;
    }
  }
  return { cpu: Math.round(cpu), memory: Math.round(memory) };
}

export function formatUsage(u: Usage): { cpu: string; memory: string } {
  return { cpu: `${u.cpu}n`, memory: `${Math.round(u.memory / 1024)}Ki` };
}

export function nodesOf(cluster: Cluster): Node[] {
  return cluster.store.list(NODES) as Node[];
}
