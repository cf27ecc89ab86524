import { NODES, PODS } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Container, ContainerStatus, ContainerStateTerminated, Node, Pod } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { imageDigest, lookupImage, parseImageRef, type ImageBehaviour, type ImageRef } from '../images/catalog.ts';
import { OverlayFs, type FsDiff, type FsTree } from '../shell/fs.ts';
import { argvProgram, compile, newProc, ShellSyntaxError, step, textLines, type ProcState, type Program, type ShellHost } from '../shell/shell.ts';
import { kubeletRunning } from '../nodes/lifecycle.ts';
import { pullSlowFactor, registryUnreachable } from '../faults/state.ts';
import { bytes } from '../util/quantity.ts';
import { rfc3339 } from '../util/time.ts';
import { containerEnv, EnvError } from './env.ts';
import { computePodStatus } from './status.ts';
import { ContainerLogs, type LogOptions } from './logs.ts';
import { PodIPAM } from './ipam.ts';
import { baseFs, demoConfig, notFoundMessage, planProcess, type ProcessPlan } from './process.ts';
import { probeDefaults, runProbe, type Probe, type ProbeKind, type ProbeSpec } from './probes.ts';
import { failedMountMessage, VolumeManager } from './volumes.ts';
import { EVICTION_TIMER, EvictionManager } from './eviction.ts';

/** Back-off of image pulls and container restarts: 10 s doubling to 5 min (kubelet's defaults). */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long before it exited starts its back-off afresh. */
export const BACKOFF_RESET_MS = 600_000;
/** How long a pull from an unreachable registry takes to fail (the resolver's time-out). */
export const REGISTRY_TIMEOUT_MS = 10_000;

/** containerd's error for a registry whose host does not resolve (the i/o time-out of its DNS lookup). */
export function unreachableRegistryError(ref: ImageRef): string {
  const host = ref.registry === 'docker.io' ? 'registry-1.docker.io' : ref.registry;
  const reference = ref.digest ?? ref.tag;
  return `failed to pull and unpack image "${ref.canonical}": failed to resolve reference "${ref.canonical}": failed to do request: Head "https://${host}/v2/${ref.path}/manifests/${reference}": dial tcp: lookup ${host.replace(/:\d+$/, '')}: i/o timeout`;
}

/** The earliest a container's first probe runs after it started. */
const FIRST_PROBE_MS = 1000;

/** What the kubelet remembers about one pod between syncs: plain data, one record per pod. */
export interface PodRuntime {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  ip: string;
  terminating?: boolean;
  /** volume set-up retry back-off (FailedMount), ms */
  mountBackoffMs?: number;
  /** when volume set-up first failed */
  mountSince?: number;
  /** the next init container to start (all of them done when it equals their count) */
  initIndex?: number;
  containers: Record<string, ContainerRuntime>;
}

export interface ProbeState {
  timer?: number;
  ok: number;
  fail: number;
}

export interface ContainerRuntime {
  init?: boolean;
  sidecar?: boolean;
  /** the kubelet began creating it (pull or start under way, or running) */
  begun?: boolean;
  /** an init container that exited 0 */
  done?: boolean;
  /** restart back-off (also for config errors), ms */
  backoffMs: number;
  /** image pull back-off, ms */
  pullBackoffMs?: number;
  /** pending pull/restart/exit timer */
  timer?: number;
  /** pending wake-up of the process (a shell's sleep, the demo app's log lines) */
  procTimer?: number;
  /** when the current process started (virtual ms) */
  startedAt?: number;
  pullStartedAt?: number;
  /** the pull under way fails with this error (its registry was unreachable when it began) */
  pullError?: string;
  running?: boolean;
  /** the run number (restart count) whose log the process writes */
  run?: number;
  kind?: 'serve' | 'demo' | 'shell' | 'exit';
  ports?: number[];
  /** when the process accepts connections */
  listenAt?: number;
  proc?: ProcState;
  fs?: FsDiff;
  env?: Record<string, string>;
  probes?: Partial<Record<ProbeKind, ProbeState>>;
  /** the startup probe passed (or there is none) */
  started?: boolean;
  ready?: boolean;
  /** being stopped (liveness/startup failure): exits when its timer fires */
  killing?: boolean;
  /** how it ends when the pod's termination completes (set when the pod is deleted) */
  stopExit?: { exitCode: number; reason: string };
}

const TABLE = 'kubelet';

type ExitData = { uid: string; container: string; exitCode: number; reason: string; message?: string; log?: string };

/**
 * The kubelets of every node: each pod bound to a node gets a sandbox (an IP), its images pulled, its init
 * containers run in order, its containers started, probed, restarted and stopped as the kubelet and
 * containerd would, on the virtual clock. Container processes are the image's server, or shell programs
 * (sim/shell) run step by step by timers.
 */
export class Kubelet implements Component {
  readonly name = 'kubelet';
  private queue = new Set<string>();
  /** In-memory cache of containers' base filesystems (rebuilt on demand: never state). */
  private baseTrees = new Map<string, FsTree>();
  readonly logs: ContainerLogs;
  private ipam: PodIPAM;
  readonly volumes: VolumeManager;

  readonly timers = {
    'kubelet.pulled': (d: { uid: string; container: string }) => this.onPulled(d.uid, d.container),
    'kubelet.exited': (d: ExitData) => this.onExited(d),
    'kubelet.restart': (d: { uid: string; container: string }) => this.onRestart(d.uid, d.container),
    'kubelet.pullRetry': (d: { uid: string; container: string }) => this.pull(d.uid, d.container),
    'kubelet.stopped': (d: { uid: string }) => this.onStopped(d.uid),
    'kubelet.proc': (d: { uid: string; container: string }) => this.onProc(d.uid, d.container),
    'kubelet.probe': (d: { uid: string; container: string; kind: ProbeKind }) => this.onProbe(d.uid, d.container, d.kind),
    'kubelet.mount': (d: { uid: string }) => this.mountVolumes(d.uid),
    'kubelet.volumes': (d: { uid: string }) => this.volumes.refresh(d.uid),
    [EVICTION_TIMER]: (d: { node: string }) => this.eviction.synchronize(d.node),
  };
  readonly eviction: EvictionManager;

  readonly cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.logs = new ContainerLogs(cluster.records);
    this.ipam = new PodIPAM(cluster.records);
    this.volumes = new VolumeManager(cluster);
    this.eviction = new EvictionManager(cluster, (pod, message) => this.evictPod(pod, message));
    (cluster as Cluster & { kubelet?: Kubelet }).kubelet = this;
  }

  restore(): void {
    this.volumes.restore();
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info !== PODS) return this.volumes.onStoreEvent(ev);
    const pod = ev.object as Pod;
    if (ev.type === 'DELETED') {
      this.forget(pod.metadata.uid!);
      return;
    }
    if (ev.type === 'MODIFIED') this.volumes.podChanged(pod, ev.old as Pod | undefined);
    if (pod.spec.nodeName) this.queue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue];
    this.queue.clear();
    for (const k of keys) {
      const i = k.indexOf('/');
      const pod = this.cluster.store.get(PODS, k.slice(0, i), k.slice(i + 1)) as Pod | undefined;
      if (pod) this.syncPod(pod);
    }
    return true;
  }

  runtime(uid: string): PodRuntime | undefined {
    return this.cluster.records.get<PodRuntime>(TABLE, uid);
  }

  private saveRuntime(rt: PodRuntime): void {
    this.cluster.records.set(TABLE, rt.uid, rt);
  }

  private podOf(rt: PodRuntime): Pod | undefined {
    const pod = this.cluster.store.get(PODS, rt.namespace, rt.name) as Pod | undefined;
    return pod && pod.metadata.uid === rt.uid ? pod : undefined;
  }

  /** The live pod and runtime for a timer, or undefined when the pod is gone or stopping. */
  private live(uid: string): { rt: PodRuntime; pod: Pod } | undefined {
    const rt = this.runtime(uid);
    const pod = rt && this.podOf(rt);
    if (!rt || !pod || rt.terminating) return undefined;
    return { rt, pod };
  }

  private syncPod(pod: Pod): void {
    const uid = pod.metadata.uid!;
    let rt = this.runtime(uid);
    if (pod.metadata.deletionTimestamp) {
      if (!rt) {
        // Never started here: nothing to stop.
        this.cluster.api.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
      } else if (!rt.terminating) this.terminate(pod, rt);
      return;
    }
    if (rt) return;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const node = this.cluster.store.get(NODES, undefined, pod.spec.nodeName!) as Node | undefined;
    if (!node) return;
    // Create the pod sandbox: an IP from the node's pod CIDR.
    const ip = this.ipam.allocate(node, uid);
    const inits = pod.spec.initContainers ?? [];
    rt = { uid, namespace: pod.metadata.namespace!, name: pod.metadata.name!, node: node.metadata.name!, ip, containers: {}, initIndex: 0 };
    for (const c of inits) rt.containers[c.name] = { backoffMs: 0, init: true, sidecar: c.restartPolicy === 'Always' || undefined };
    for (const c of pod.spec.containers) rt.containers[c.name] = { backoffMs: 0 };
    this.saveRuntime(rt);
    const now = rfc3339(this.cluster.now());
    const fresh = (c: Container, reason: string): ContainerStatus => ({
      name: c.name,
      state: { waiting: { reason } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: c.image!,
      imageID: '',
      started: false,
    });
    const hostIP = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
    const extra: Partial<Pod['status']> = {
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: pod.status?.startTime ?? now,
    };
    if (inits.length) extra.initContainerStatuses = inits.map((c) => fresh(c, 'PodInitializing'));
    this.writeStatus(
      pod,
      pod.spec.containers.map((c) => fresh(c, inits.length ? 'PodInitializing' : 'ContainerCreating')),
      extra,
    );
    this.mountVolumes(uid);
  }

  /** Sets up the pod's volumes, then starts its containers; a volume that cannot be set up is retried with back-off. */
  private mountVolumes(uid: string): void {
    const l = this.live(uid);
    if (!l) return;
    const { rt, pod } = l;
    const failed = this.volumes.setUp(pod);
    if (failed) {
      // A claim a WaitForFirstConsumer class binds once the pod is scheduled gets a moment before the kubelet complains.
      rt.mountSince ??= this.cluster.now();
      if (failed.stage === 'setup' || this.cluster.now() - rt.mountSince >= 2000) this.event(pod, 'Warning', 'FailedMount', failedMountMessage(failed));
      // The volume manager's exponential back-off: 500 ms doubling to 2m2s.
      rt.mountBackoffMs = rt.mountBackoffMs ? Math.min(rt.mountBackoffMs * 2, 122_000) : 500;
      this.cluster.timers.add(this.cluster.now() + rt.mountBackoffMs, 'kubelet.mount', { uid });
      this.saveRuntime(rt);
      return;
    }
    if (rt.mountBackoffMs !== undefined) {
      rt.mountBackoffMs = undefined;
      rt.mountSince = undefined;
      this.saveRuntime(rt);
    }
    this.advance(uid);
  }

  /** Starts what comes next: the next init container, or (all init containers done) every regular container. */
  private advance(uid: string): void {
    const rt = this.runtime(uid);
    const pod = rt && this.podOf(rt);
    if (!rt || !pod || rt.terminating) return;
    const inits = pod.spec.initContainers ?? [];
    while ((rt.initIndex ?? 0) < inits.length) {
      const c = rt.containers[inits[rt.initIndex ?? 0].name];
      if (c.sidecar ? c.running && c.started : c.done) {
        rt.initIndex = (rt.initIndex ?? 0) + 1;
        continue;
      }
      this.saveRuntime(rt);
      if (!c.begun) {
        c.begun = true;
        this.saveRuntime(rt);
        this.pull(uid, inits[rt.initIndex ?? 0].name);
      }
      return;
    }
    this.saveRuntime(rt);
    for (const spec of pod.spec.containers) {
      const c = rt.containers[spec.name];
      if (c.begun) continue;
      c.begun = true;
      this.saveRuntime(rt);
      this.pull(uid, spec.name);
    }
  }

  /** Writes the pod's status from its container statuses (and the sandbox fields given). */
  private writeStatus(pod: Pod, statuses: ContainerStatus[], extra: Partial<Pod['status']> = {}): Pod {
    // A kubelet that is down or cut off from the API server posts nothing (the node lifecycle controller
    // has marked its pods not ready meanwhile; it reposts when the node heals).
    if (pod.spec.nodeName && !kubeletRunning(this.cluster, pod.spec.nodeName)) return pod;
    // Only the status changes: the new version shares the rest with the stored one (stored objects are immutable).
    const next = { ...pod, metadata: { ...pod.metadata } } as Pod;
    const prev = { ...(pod.status ?? {}), ...extra };
    next.status = computePodStatus(pod, prev, statuses, rfc3339(this.cluster.now()), true);
    return this.cluster.store.put(PODS, next) as Pod;
  }

  private containerSpec(pod: Pod, name: string): Container | undefined {
    return pod.spec.containers.find((c) => c.name === name) ?? (pod.spec.initContainers ?? []).find((c) => c.name === name);
  }

  private statusOf(pod: Pod, name: string): ContainerStatus | undefined {
    return pod.status?.containerStatuses?.find((s) => s.name === name) ?? pod.status?.initContainerStatuses?.find((s) => s.name === name);
  }

  private updateContainer(rt: PodRuntime, name: string, fn: (s: ContainerStatus) => void): Pod | undefined {
    const pod = this.podOf(rt);
    if (!pod) return undefined;
    // `fn` replaces fields of one status: a shallow copy of each keeps the stored pod untouched.
    const statuses = (pod.status?.containerStatuses ?? []).map((c) => ({ ...c }));
    const inits = (pod.status?.initContainerStatuses ?? []).map((c) => ({ ...c }));
    const s = statuses.find((c) => c.name === name) ?? inits.find((c) => c.name === name);
    if (s) fn(s);
    return this.writeStatus(pod, statuses, inits.length ? { initContainerStatuses: inits } : {});
  }

  private fieldPath(pod: Pod, container: string): string {
    return (pod.spec.initContainers ?? []).some((c) => c.name === container) ? `spec.initContainers{${container}}` : `spec.containers{${container}}`;
  }

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    if (pod.spec.nodeName && !kubeletRunning(this.cluster, pod.spec.nodeName)) return;
    this.cluster.events.record(pod, type, reason, message, { component: 'kubelet', host: pod.spec.nodeName }, container ? this.fieldPath(pod, container) : undefined);
  }

  /** Pulls a container's image, honouring imagePullPolicy and the images already on the node. */
  private pull(uid: string, name: string): void {
    const l = this.live(uid);
    if (!l) return;
    const { rt, pod } = l;
    const spec = this.containerSpec(pod, name)!;
    const image = spec.image!;
    if (!parseImageRef(image)) {
      const msg = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
      this.event(pod, 'Warning', 'InspectFailed', msg, name);
      this.updateContainer(rt, name, (s) => (s.state = { waiting: { reason: 'InvalidImageName', message: msg } }));
      return;
    }
    const present = this.nodeHasImage(rt.node, image);
    if (spec.imagePullPolicy === 'Never' && !present) {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.event(pod, 'Warning', 'ErrImageNeverPull', msg, name);
      this.updateContainer(rt, name, (s) => (s.state = { waiting: { reason: 'ErrImageNeverPull', message: msg } }));
      return;
    }
    if (present && spec.imagePullPolicy !== 'Always') {
      this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, name);
      this.startContainer(uid, name);
      return;
    }
    this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, name);
    const found = lookupImage(image);
    const c = rt.containers[name];
    c.pullStartedAt = this.cluster.now();
    // A registry answers a missing repository quickly; a real pull takes time with the image's size.
    let ms = found ? 400 + Math.round((found.info.sizeBytes / 40_000_000) * 1000) + this.cluster.rng.int(0, 600) : 300 + this.cluster.rng.int(0, 400);
    ms = Math.round(ms * pullSlowFactor(this.cluster));
    // An unreachable registry (the image-pull-fail fault): the lookup of its host times out.
    const ref = parseImageRef(image)!;
    c.pullError = registryUnreachable(this.cluster, ref.registry) ? unreachableRegistryError(ref) : undefined;
    if (c.pullError) ms = REGISTRY_TIMEOUT_MS;
    c.timer = this.cluster.timers.add(this.cluster.now() + ms, 'kubelet.pulled', { uid, container: name });
    this.saveRuntime(rt);
  }

  private onPulled(uid: string, name: string): void {
    const l = this.live(uid);
    if (!l) return;
    const { rt, pod } = l;
    const spec = this.containerSpec(pod, name)!;
    const image = spec.image!;
    const found = lookupImage(image);
    const c = rt.containers[name];
    c.timer = undefined;
    const pullError = c.pullError;
    c.pullError = undefined;
    if (!found || pullError) {
      const ref = parseImageRef(image)!;
      const msg = `Failed to pull image "${image}": ${pullError ?? `failed to pull and unpack image "${ref.canonical}": failed to resolve reference "${ref.canonical}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`}`;
      this.event(pod, 'Warning', 'Failed', msg, name);
      this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', name);
      this.updateContainer(rt, name, (s) => (s.state = { waiting: { reason: 'ErrImagePull', message: msg } }));
      // Back-off before the next pull: ErrImagePull turns into ImagePullBackOff meanwhile.
      c.pullBackoffMs = c.pullBackoffMs ? Math.min(c.pullBackoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
      c.timer = this.cluster.timers.add(this.cluster.now() + c.pullBackoffMs, 'kubelet.pullRetry', { uid, container: name });
      this.saveRuntime(rt);
      const after = this.podOf(rt)!;
      this.event(after, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, name);
      this.event(after, 'Warning', 'Failed', 'Error: ImagePullBackOff', name);
      this.updateContainer(rt, name, (s) => (s.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${msg.replace(/^Failed to pull image "[^"]*": /, '')}` } }));
      return;
    }
    c.pullBackoffMs = undefined;
    this.saveRuntime(rt);
    const took = ((this.cluster.now() - (c.pullStartedAt ?? this.cluster.now())) / 1000).toFixed(3).replace(/\.?0+$/, '');
    this.addNodeImage(rt.node, image);
    this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took}s (${took}s including waiting). Image size: ${found!.info.sizeBytes} bytes.`, name);
    this.startContainer(uid, name);
  }

  /**
   * The container's process dies as after `kill -9` (the kill-container fault): it exits with 137 (reason
   * Error) and the kubelet restarts it per the pod's restartPolicy, with its back-off. Returns why not, if it cannot.
   */
  killContainer(uid: string, name: string): string | undefined {
    const l = this.live(uid);
    if (!l) return 'the pod is not running on a node (or is terminating)';
    const { rt, pod } = l;
    if (!kubeletRunning(this.cluster, rt.node)) return `the kubelet of node ${rt.node} is not running`;
    const c = rt.containers[name];
    if (!c) return `container ${name} is not valid for pod ${pod.metadata.name}`;
    if (!c.running) return `container ${name} of pod ${pod.metadata.name} is not running`;
    if (c.timer !== undefined) this.cluster.timers.cancel(c.timer);
    c.timer = undefined;
    this.exited(rt, name, { uid, container: name, exitCode: 137, reason: 'Error' }, this.statusOf(pod, name)?.state.running?.startedAt);
    return undefined;
  }

  private onRestart(uid: string, name: string): void {
    const l = this.live(uid);
    if (!l) return;
    l.rt.containers[name].timer = undefined;
    this.saveRuntime(l.rt);
    this.pull(uid, name);
  }

  private nodeAllocatable(rt: PodRuntime): Record<string, string> {
    return (this.cluster.store.get(NODES, undefined, rt.node) as Node | undefined)?.status.allocatable ?? {};
  }

  /** Creates and starts a container; its image and command decide what its process does. */
  private startContainer(uid: string, name: string): void {
    const l = this.live(uid);
    if (!l) return;
    const { rt, pod } = l;
    const spec = this.containerSpec(pod, name)!;
    const found = lookupImage(spec.image!)!;
    const now = this.cluster.now();
    const c = rt.containers[name];
    c.timer = undefined;
    // The environment: a missing ConfigMap, Secret or key stops the container from being created.
    let env: Record<string, string>;
    try {
      env = containerEnv(this.cluster.store, pod, spec, this.nodeAllocatable(rt));
    } catch (e) {
      if (!(e instanceof EnvError)) throw e;
      this.event(pod, 'Warning', 'Failed', `Error: ${e.message}`, name);
      this.updateContainer(rt, name, (s) => (s.state = { waiting: { reason: 'CreateContainerConfigError', message: e.message } }));
      c.backoffMs = c.backoffMs ? Math.min(c.backoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
      c.timer = this.cluster.timers.add(now + c.backoffMs, 'kubelet.restart', { uid, container: name });
      this.saveRuntime(rt);
      return;
    }
    const behaviour = found.info.behaviour;
    const plan = planProcess(spec, behaviour, env);
    const restartCount = this.statusOf(pod, name)?.restartCount ?? 0;
    this.event(pod, 'Normal', 'Created', `Created container: ${name}`, name);
    if (plan.kind === 'notFound') {
      const msg = notFoundMessage(plan.exe);
      this.event(this.podOf(rt)!, 'Warning', 'Failed', `Error: ${msg}`, name);
      this.exited(rt, name, { uid, container: name, exitCode: 128, reason: 'StartError', message: msg }, '1970-01-01T00:00:00Z');
      return;
    }
    this.event(this.podOf(rt)!, 'Normal', 'Started', `Started container ${name}`, name);
    c.startedAt = now;
    c.running = true;
    c.run = restartCount;
    c.kind = plan.kind;
    c.env = env;
    c.fs = {};
    c.killing = undefined;
    c.ports = plan.kind === 'serve' || plan.kind === 'demo' ? plan.ports : [];
    c.listenAt = undefined;
    c.proc = undefined;
    c.probes = {};
    c.started = !spec.startupProbe;
    c.ready = c.started && !spec.readinessProbe && !(c.init && !c.sidecar);
    this.logs.start(uid, name, restartCount, now, plan.kind === 'serve' ? (behaviour.startupLogs ?? []) : []);
    const containerID = `containerd://${this.cluster.rng.hex(64)}`;
    this.updateContainer(rt, name, (s) => {
      s.state = { running: { startedAt: rfc3339(now) } };
      s.ready = !!c.ready;
      s.started = !!c.started;
      s.containerID = containerID;
      s.imageID = `${found.ref.canonical.replace(/:[^:/]*$/, '')}@${imageDigest(found.ref)}`;
    });
    this.saveRuntime(rt);
    if (plan.kind === 'serve') this.startServer(rt, name, spec, behaviour);
    else if (plan.kind === 'demo') this.startDemo(rt, name, spec, behaviour);
    else if (plan.kind === 'exit') c.timer = this.cluster.timers.add(now + 50, 'kubelet.exited', { uid, container: name, exitCode: plan.code, reason: plan.code === 0 ? 'Completed' : 'Error' });
    else {
      c.proc = newProc();
      this.saveRuntime(rt);
      this.runProcess(rt, name);
    }
    this.saveRuntime(rt);
    if (rt.containers[name].running) this.startProbes(rt, name, spec);
    // A sidecar lets the next init container start once it runs (and its startup probe passed).
    if (c.sidecar && c.started) this.advance(uid);
  }

  private startServer(rt: PodRuntime, name: string, spec: Container, behaviour: ImageBehaviour): void {
    const c = rt.containers[name];
    const now = this.cluster.now();
    c.listenAt = now + (behaviour.readyAfterMs ?? 0);
    // A process that needs more memory than its limit is OOM-killed soon after it starts.
    const limit = spec.resources?.limits?.memory ? bytes(spec.resources.limits.memory) : 0;
    const argv = [...(spec.command ?? []), ...(spec.args ?? [])];
    const vmBytes = argv.indexOf('--vm-bytes');
    const want = vmBytes >= 0 ? parseMem(argv[vmBytes + 1]) : (behaviour.memoryMi ?? 0) * 1024 * 1024;
    if (limit && want > limit) {
      c.timer = this.cluster.timers.add(now + 1000, 'kubelet.exited', { uid: rt.uid, container: name, exitCode: 137, reason: 'OOMKilled' });
    } else if (vmBytes >= 0) this.eviction.watch(rt.node);
    this.saveRuntime(rt);
  }

  private startDemo(rt: PodRuntime, name: string, spec: Container, behaviour: ImageBehaviour): void {
    const c = rt.containers[name];
    const now = this.cluster.now();
    const cfg = demoConfig(c.env ?? {});
    c.listenAt = now + cfg.startDelayMs + (behaviour.readyAfterMs ?? 0);
    const port = c.ports?.[0] ?? 8080;
    this.logs.append(rt.uid, name, c.run ?? 0, now, `kuberoom/demo: starting${cfg.startDelayMs ? ` (start delay ${cfg.startDelayMs / 1000}s)` : ''}`);
    if (!cfg.startDelayMs) this.logs.append(rt.uid, name, c.run ?? 0, now, `kuberoom/demo: listening on :${port}`);
    // The first of: a crash (CRASH_AFTER) or memory growing past the limit (OOMKilled).
    let end: ExitData | undefined;
    let at = Infinity;
    if (cfg.crashAfterMs !== undefined) {
      at = now + cfg.crashAfterMs;
      end = { uid: rt.uid, container: name, exitCode: cfg.exitCode, reason: cfg.exitCode === 0 ? 'Completed' : 'Error', log: `kuberoom/demo: CRASH_AFTER elapsed, exiting with code ${cfg.exitCode}` };
    }
    const limit = spec.resources?.limits?.memory ? bytes(spec.resources.limits.memory) : 0;
    if (limit && cfg.memoryGrowth > 0) {
      const base = (behaviour.memoryMi ?? 0) * 1024 * 1024;
      const oomAt = now + Math.max(100, Math.ceil(((limit - base) / cfg.memoryGrowth) * 1000));
      if (oomAt < at) {
        at = oomAt;
        end = { uid: rt.uid, container: name, exitCode: 137, reason: 'OOMKilled' };
      }
    }
    if (end) c.timer = this.cluster.timers.add(at, 'kubelet.exited', end);
    if (cfg.memoryGrowth > 0) this.eviction.watch(rt.node);
    if (cfg.logLinesPerMinute > 0 || cfg.startDelayMs > 0) c.procTimer = this.cluster.timers.add(cfg.startDelayMs > 0 ? c.listenAt : now + Math.round(60_000 / cfg.logLinesPerMinute), 'kubelet.proc', { uid: rt.uid, container: name });
    this.saveRuntime(rt);
  }

  /** The program a shell-run container executes (recomputed from its spec: only the counter is stored). */
  private programOf(pod: Pod, name: string, env: Record<string, string>): Program | string {
    const spec = this.containerSpec(pod, name)!;
    const plan = planProcess(spec, lookupImage(spec.image!)!.info.behaviour, env) as ProcessPlan;
    if (plan.kind !== 'shell') return argvProgram(['true']);
    if (plan.argv) return argvProgram(plan.argv);
    try {
      return compile(plan.script ?? '');
    } catch (e) {
      if (e instanceof ShellSyntaxError) return `${plan.shell}: -c: line 1: ${e.message}`;
      throw e;
    }
  }

  /** The image's base tree for a container: a pure function of the pod and image, so cached in memory. */
  private baseFsOf(rt: PodRuntime, name: string, pod: Pod, image: ImageBehaviour): FsTree {
    const key = `${rt.uid}/${name}/${pod.status?.podIP ?? ''}`;
    let tree = this.baseTrees.get(key);
    if (!tree) {
      tree = baseFs(pod, image);
      if (this.baseTrees.size > 2000) this.baseTrees.clear();
      this.baseTrees.set(key, tree);
    }
    return tree;
  }

  /** A shell host over a container's files and env; writes go to its writable layer and, for the main process, its log. */
  shellHost(rt: PodRuntime, name: string, out: (t: string) => void, err: (t: string) => void): ShellHost {
    const pod = this.podOf(rt)!;
    const c = rt.containers[name];
    const spec = this.containerSpec(pod, name)!;
    const image = lookupImage(spec.image!)?.info.behaviour ?? { run: 'serve' };
    const fs = new OverlayFs(this.baseFsOf(rt, name, pod, image), c.fs ?? {}, this.volumes.mounts(pod, spec));
    const host: ShellHost = {
      now: () => this.cluster.now(),
      fs,
      env: c.env ?? {},
      out,
      err,
      processes: () => {
        const argv = [...(spec.command ?? []), ...(spec.args ?? [])];
        return [argv.length ? argv.join(' ') : (image.binaries?.[0] ?? 'sh')];
      },
      cluster: this.cluster,
      pod,
      container: name,
    };
    return host;
  }

  /** Runs a shell process until it sleeps or exits. */
  private runProcess(rt: PodRuntime, name: string): void {
    const pod = this.podOf(rt);
    const c = rt.containers[name];
    if (!pod || !c.proc) return;
    const now = this.cluster.now();
    const run = c.run ?? 0;
    const write = (t: string) => {
      for (const line of textLines(t)) this.logs.append(rt.uid, name, run, now, line);
    };
    const prog = this.programOf(pod, name, c.env ?? {});
    if (typeof prog === 'string') {
      write(prog + '\n');
      c.timer = this.cluster.timers.add(now, 'kubelet.exited', { uid: rt.uid, container: name, exitCode: 2, reason: 'Error' });
      this.saveRuntime(rt);
      return;
    }
    const host = this.shellHost(rt, name, write, write);
    const proc: ProcState = { ...c.proc, vars: { ...c.proc.vars } };
    const r = step(prog, proc, host);
    c.proc = proc;
    c.fs = host.fs.diff;
    if (r.kind === 'exit') c.timer = this.cluster.timers.add(now, 'kubelet.exited', { uid: rt.uid, container: name, exitCode: r.code, reason: r.code === 0 ? 'Completed' : 'Error' });
    else if (Number.isFinite(r.ms)) c.procTimer = this.cluster.timers.add(now + r.ms, 'kubelet.proc', { uid: rt.uid, container: name });
    this.saveRuntime(rt);
  }

  private onProc(uid: string, name: string): void {
    const l = this.live(uid);
    if (!l) return;
    const { rt } = l;
    const c = rt.containers[name];
    c.procTimer = undefined;
    if (!c.running || c.killing) return this.saveRuntime(rt);
    if (c.kind === 'shell') return this.runProcess(rt, name);
    if (c.kind === 'demo') {
      const now = this.cluster.now();
      const cfg = demoConfig(c.env ?? {});
      if (cfg.startDelayMs > 0 && c.listenAt === now) this.logs.append(uid, name, c.run ?? 0, now, `kuberoom/demo: listening on :${c.ports?.[0] ?? 8080}`);
      else if (cfg.logLinesPerMinute > 0) this.logs.append(uid, name, c.run ?? 0, now, `${rt.ip.replace(/\.\d+$/, '.1')} - - [${rfc3339(now)}] "GET / HTTP/1.1" 200 ${cfg.body.length}`);
      if (cfg.logLinesPerMinute > 0) c.procTimer = this.cluster.timers.add(now + Math.round(60_000 / cfg.logLinesPerMinute), 'kubelet.proc', { uid, container: name });
      this.saveRuntime(rt);
    }
  }

  // --- probes ---------------------------------------------------------------------------------------------

  private startProbes(rt: PodRuntime, name: string, spec: Container): void {
    const c = rt.containers[name];
    if (spec.startupProbe && !c.started) this.scheduleProbe(rt, name, 'startup', probeDefaults(spec.startupProbe as ProbeSpec), true);
    else this.startLiveReady(rt, name, spec);
  }

  private startLiveReady(rt: PodRuntime, name: string, spec: Container): void {
    if (spec.readinessProbe) this.scheduleProbe(rt, name, 'readiness', probeDefaults(spec.readinessProbe as ProbeSpec), true);
    if (spec.livenessProbe) this.scheduleProbe(rt, name, 'liveness', probeDefaults(spec.livenessProbe as ProbeSpec), true);
  }

  private scheduleProbe(rt: PodRuntime, name: string, kind: ProbeKind, p: Probe, first: boolean): void {
    const c = rt.containers[name];
    const now = this.cluster.now();
    // The prober's first run comes about a second after the container starts (its worker's first tick).
    const at = first ? Math.max(now, (c.startedAt ?? now) + Math.max(p.initialDelaySeconds * 1000, FIRST_PROBE_MS)) : now + p.periodSeconds * 1000;
    const ps = c.probes?.[kind] ?? { ok: 0, fail: 0 };
    ps.timer = this.cluster.timers.add(at, 'kubelet.probe', { uid: rt.uid, container: name, kind });
    c.probes = { ...(c.probes ?? {}), [kind]: ps };
    this.saveRuntime(rt);
  }

  private onProbe(uid: string, name: string, kind: ProbeKind): void {
    const l = this.live(uid);
    if (!l) return;
    const { rt, pod } = l;
    const c = rt.containers[name];
    const ps = c.probes?.[kind];
    if (!ps) return;
    ps.timer = undefined;
    if (!c.running || c.killing) return this.saveRuntime(rt);
    const spec = this.containerSpec(pod, name)!;
    const p = probeDefaults(spec[`${kind}Probe`] as ProbeSpec);
    const result = runProbe(this, rt, pod, name, spec, p);
    const Kind = kind[0].toUpperCase() + kind.slice(1);
    if (result.ok) {
      ps.ok++;
      ps.fail = 0;
      if (kind === 'startup') {
        if (ps.ok >= 1) {
          c.started = true;
          c.ready = !spec.readinessProbe && !(c.init && !c.sidecar);
          delete c.probes![kind];
          this.saveRuntime(rt);
          this.updateContainer(rt, name, (s) => {
            s.started = true;
            s.ready = !!c.ready;
          });
          this.startLiveReady(rt, name, spec);
          if (c.sidecar) this.advance(uid);
          return;
        }
      } else if (kind === 'readiness' && ps.ok >= p.successThreshold && !c.ready) {
        c.ready = true;
        this.saveRuntime(rt);
        this.updateContainer(rt, name, (s) => (s.ready = true));
      }
    } else {
      ps.fail++;
      ps.ok = 0;
      this.saveRuntime(rt);
      this.event(pod, 'Warning', 'Unhealthy', `${Kind} probe failed: ${result.message}`, name);
      if (ps.fail >= p.failureThreshold) {
        if (kind === 'readiness') {
          if (c.ready) {
            c.ready = false;
            this.saveRuntime(rt);
            this.updateContainer(rt, name, (s) => (s.ready = false));
          }
        } else {
          this.kill(rt, name, `Container ${name} failed ${kind} probe, will be restarted`);
          return;
        }
      }
    }
    this.scheduleProbe(rt, name, kind, p, false);
  }

  private cancelProcessTimers(c: ContainerRuntime): void {
    if (c.procTimer !== undefined) this.cluster.timers.cancel(c.procTimer);
    c.procTimer = undefined;
    for (const ps of Object.values(c.probes ?? {})) if (ps?.timer !== undefined) this.cluster.timers.cancel(ps.timer);
    c.probes = {};
  }

  /** How a container's process ends when stopped: a shell as PID 1 ignores SIGTERM and is killed at the grace period. */
  private stopping(pod: Pod, c: ContainerRuntime, spec: Container | undefined, graceMs: number): { ms: number; exitCode: number; reason: string } {
    if (c.kind === 'shell' || c.kind === 'exit') return { ms: graceMs, exitCode: 137, reason: 'Error' };
    const found = spec && lookupImage(spec.image!);
    return { ms: Math.min(graceMs, found?.info.behaviour.stopMs ?? 1000), exitCode: 0, reason: 'Completed' };
  }

  /** Kills a running container (failed liveness or startup probe): it exits once stopped, then restarts. */
  private kill(rt: PodRuntime, name: string, message: string): void {
    const pod = this.podOf(rt)!;
    const c = rt.containers[name];
    this.event(pod, 'Normal', 'Killing', message, name);
    this.cancelProcessTimers(c);
    if (c.timer !== undefined) this.cluster.timers.cancel(c.timer);
    c.killing = true;
    c.ready = false;
    const grace = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const stop = this.stopping(pod, c, this.containerSpec(pod, name), grace);
    c.timer = this.cluster.timers.add(this.cluster.now() + stop.ms, 'kubelet.exited', { uid: rt.uid, container: name, exitCode: stop.exitCode, reason: stop.reason });
    this.saveRuntime(rt);
    this.updateContainer(rt, name, (s) => (s.ready = false));
  }

  private onExited(d: ExitData): void {
    const l = this.live(d.uid);
    if (!l) return;
    const { rt, pod } = l;
    const c = rt.containers[d.container];
    c.timer = undefined;
    if (d.log) this.logs.append(rt.uid, d.container, c.run ?? 0, this.cluster.now(), d.log);
    this.exited(rt, d.container, d, this.statusOf(pod, d.container)?.state.running?.startedAt);
  }

  private exited(rt: PodRuntime, name: string, d: ExitData, startedAt: string | undefined): void {
    const pod = this.podOf(rt)!;
    const uid = rt.uid;
    const now = this.cluster.now();
    const c = rt.containers[name];
    this.cancelProcessTimers(c);
    c.running = false;
    c.killing = undefined;
    c.ready = false;
    c.started = false;
    const status = this.statusOf(pod, name);
    const terminated: ContainerStateTerminated = {
      exitCode: d.exitCode,
      reason: d.reason,
      ...(d.message ? { message: d.message } : {}),
      startedAt: startedAt ?? rfc3339(now),
      finishedAt: rfc3339(now),
      containerID: status?.containerID,
    };
    const policy = pod.spec.restartPolicy ?? 'Always';
    const regularInit = c.init && !c.sidecar;
    if (regularInit && d.exitCode === 0) {
      c.done = true;
      this.saveRuntime(rt);
      this.updateContainer(rt, name, (s) => {
        s.state = { terminated };
        s.ready = true;
        s.started = false;
      });
      this.advance(uid);
      return;
    }
    const restart = c.sidecar || policy === 'Always' || (policy === 'OnFailure' && d.exitCode !== 0) || (regularInit && policy !== 'Never' && d.exitCode !== 0);
    if (!restart) {
      this.saveRuntime(rt);
      this.updateContainer(rt, name, (s) => {
        s.state = { terminated };
        s.ready = false;
        s.started = false;
      });
      return;
    }
    // kubelet restarts a crashed container at once the first time, then backs off 10 s, 20 s, ... 5 min.
    if (c.startedAt !== undefined && now - c.startedAt >= BACKOFF_RESET_MS) c.backoffMs = 0;
    const delay = c.backoffMs;
    c.backoffMs = c.backoffMs ? Math.min(c.backoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
    if (delay === 0) {
      this.saveRuntime(rt);
      this.updateContainer(rt, name, (s) => {
        s.lastState = { terminated };
        s.state = { terminated };
        s.ready = false;
        s.started = false;
        s.restartCount++;
      });
      this.pull(uid, name);
      return;
    }
    const podName = `${pod.metadata.name}_${pod.metadata.namespace}(${uid})`;
    this.updateContainer(rt, name, (s) => {
      s.lastState = { terminated };
      s.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${delay / 1000 >= 60 ? `${Math.floor(delay / 60000)}m${(delay % 60000) / 1000}s` : `${delay / 1000}s`} restarting failed container=${name} pod=${podName}` } };
      s.ready = false;
      s.started = false;
      s.restartCount++;
    });
    this.event(this.podOf(rt)!, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${podName}`, name);
    c.timer = this.cluster.timers.add(now + delay, 'kubelet.restart', { uid, container: name });
    this.saveRuntime(rt);
  }

  /** Graceful termination: SIGTERM every container, wait for them (at most the grace period), then remove the pod. */
  private terminate(pod: Pod, rt: PodRuntime): void {
    rt.terminating = true;
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    let longest = 0;
    for (const [name, c] of Object.entries(rt.containers)) {
      if (c.timer !== undefined) this.cluster.timers.cancel(c.timer);
      c.timer = undefined;
      this.cancelProcessTimers(c);
      const status = this.statusOf(pod, name);
      if (!status?.state.running) continue;
      this.event(pod, 'Normal', 'Killing', `Stopping container ${name}`, name);
      const spec = this.containerSpec(pod, name);
      // The preStop hook runs first; SIGTERM follows; SIGKILL at the end of the grace period.
      const hookMs = spec ? this.runPreStop(rt, pod, name, spec, grace) : 0;
      const stop = this.stopping(pod, c, spec, grace);
      const ms = Math.min(grace, hookMs + stop.ms);
      c.stopExit = ms >= grace ? { exitCode: 137, reason: 'Error' } : { exitCode: stop.exitCode, reason: stop.reason };
      longest = Math.max(longest, ms);
    }
    this.saveRuntime(rt);
    this.cluster.timers.add(this.cluster.now() + longest, 'kubelet.stopped', { uid: rt.uid });
  }

  /** Runs a container's preStop hook (exec, httpGet or sleep); the ms it takes, at most the grace period. */
  private runPreStop(rt: PodRuntime, pod: Pod, name: string, spec: Container, grace: number): number {
    const hook = (spec as Container & { lifecycle?: { preStop?: { exec?: { command?: string[] }; httpGet?: { path?: string; port: number | string }; sleep?: { seconds: number } } } }).lifecycle?.preStop;
    if (!hook) return 0;
    const podName = `${pod.metadata.name}_${pod.metadata.namespace}(${rt.uid})`;
    if (hook.sleep) return Math.min(grace, (hook.sleep.seconds ?? 0) * 1000);
    if (hook.exec?.command?.length) {
      const argv = hook.exec.command;
      let out = '';
      const host = this.shellHost(rt, name, (t) => (out += t), (t) => (out += t));
      // `sh -c '...'` is stepped as a script, so its sleeps take their time.
      const c = argv.findIndex((a, i) => i > 0 && a === '-c');
      let prog: Program;
      try {
        prog = /^(?:.*\/)?(sh|bash|ash)$/.test(argv[0]) && c > 0 ? compile(argv[c + 1] ?? '') : argvProgram(argv);
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        prog = argvProgram(['false']);
      }
      const st = newProc();
      let ms = 0;
      let code = 0;
      for (let i = 0; i < 1000 && ms < grace; i++) {
        const r = step(prog, st, host);
        if (r.kind === 'exit') {
          code = r.code;
          break;
        }
        ms += Number.isFinite(r.ms) ? r.ms : grace;
      }
      rt.containers[name].fs = host.fs.diff;
      if (code !== 0 && ms < grace) {
        this.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed`, name);
        this.event(pod, 'Warning', 'FailedPreStopHook', `Exec lifecycle hook ([${argv.join(' ')}]) for Container "${name}" in Pod "${podName}" failed - error: command '${argv.join(' ')}' exited with ${code}: ${out}, message: "${out}"`, name);
      }
      return Math.min(grace, ms);
    }
    if (hook.httpGet) {
      const port = typeof hook.httpGet.port === 'number' ? hook.httpGet.port : spec.ports?.find((p) => p.name === hook.httpGet!.port)?.containerPort ?? Number(hook.httpGet.port);
      const c = rt.containers[name];
      const listening = (c.ports ?? []).includes(port) && c.listenAt !== undefined && this.cluster.now() >= c.listenAt;
      if (!listening) {
        const path = hook.httpGet.path ?? '/';
        this.event(pod, 'Warning', 'FailedPreStopHook', `HTTP lifecycle hook (${path}) for Container "${name}" in Pod "${podName}" failed - error: Get "http://${rt.ip}:${port}${path}": dial tcp ${rt.ip}:${port}: connect: connection refused, message: ""`, name);
      }
    }
    return 0;
  }

  private onStopped(uid: string): void {
    const rt = this.runtime(uid);
    const pod = rt && this.podOf(rt);
    if (!rt || !pod) return;
    const now = rfc3339(this.cluster.now());
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    const stop = (list: ContainerStatus[] | undefined) => {
      const statuses = (list ?? []).map((c) => ({ ...c }));
      for (const s of statuses) {
        const c = rt.containers[s.name];
        if (s.state.running) {
          const how = c?.stopExit ?? (c ? this.stopping(pod, c, this.containerSpec(pod, s.name), grace) : { exitCode: 0, reason: 'Completed' });
          s.state = { terminated: { exitCode: how.exitCode, reason: how.reason, startedAt: s.state.running.startedAt, finishedAt: now, containerID: s.containerID } };
        }
        s.ready = false;
        s.started = false;
      }
      return statuses;
    };
    const inits = pod.status?.initContainerStatuses ? { initContainerStatuses: stop(pod.status.initContainerStatuses) } : {};
    this.writeStatus(pod, stop(pod.status?.containerStatuses), inits);
    this.cluster.api.delete(PODS, rt.namespace, rt.name, { gracePeriodSeconds: 0, preconditions: { uid } });
  }

  /** Whether one of the pod's running containers allocates memory beyond an image's usual (the eviction manager watches its node). */
  memoryCanGrow(pod: Pod): boolean {
    const rt = this.runtime(pod.metadata.uid!);
    if (!rt || rt.terminating) return false;
    return pod.spec.containers.some((spec) => {
      const c = rt.containers[spec.name];
      if (!c?.running) return false;
      if (c.kind === 'demo') return demoConfig(c.env ?? {}).memoryGrowth > 0;
      // A stress process holds what --vm-bytes asks for: worth watching while it runs.
      return [...(spec.command ?? []), ...(spec.args ?? [])].includes('--vm-bytes');
    });
  }

  /**
   * Node-pressure eviction: the kubelet kills the pod's containers at once (a hard threshold allows no grace)
   * and marks it Failed with reason Evicted; its controller replaces it, the pod object stays until deleted.
   */
  private evictPod(pod: Pod, message: string): void {
    const rt = this.runtime(pod.metadata.uid!);
    if (!rt || rt.terminating) return;
    this.event(pod, 'Warning', 'Evicted', message);
    for (const [name, c] of Object.entries(rt.containers)) {
      if (c.running) this.event(pod, 'Normal', 'Killing', `Stopping container ${name}`, name);
      if (c.timer !== undefined) this.cluster.timers.cancel(c.timer);
      c.timer = undefined;
      this.cancelProcessTimers(c);
      c.running = false;
      c.ready = false;
      c.started = false;
    }
    rt.terminating = true;
    this.saveRuntime(rt);
    // The sandbox is torn down: its IP goes back to the node's range (the pod object keeps showing it).
    this.ipam.release(rt.node, rt.ip, rt.uid);
    const now = rfc3339(this.cluster.now());
    const current = this.podOf(rt) ?? pod;
    const unready = (s: ContainerStatus) => ({ ...s, ready: false, started: false });
    const conditions = (current.status?.conditions ?? []).map((c) =>
      (c.type === 'Ready' || c.type === 'ContainersReady') && c.status !== 'False' ? { ...c, status: 'False', reason: 'PodFailed', lastTransitionTime: now } : c,
    );
    conditions.push({ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: now, reason: 'TerminationByKubelet', message });
    const next = {
      ...current,
      metadata: { ...current.metadata },
      status: {
        ...current.status,
        phase: 'Failed',
        reason: 'Evicted',
        message,
        conditions,
        containerStatuses: (current.status?.containerStatuses ?? []).map(unready),
        ...(current.status?.initContainerStatuses ? { initContainerStatuses: current.status.initContainerStatuses.map(unready) } : {}),
      },
    } as Pod;
    this.cluster.store.put(PODS, next);
  }

  private forget(uid: string): void {
    const rt = this.runtime(uid);
    if (!rt) return;
    for (const c of Object.values(rt.containers)) {
      if (c.timer !== undefined) this.cluster.timers.cancel(c.timer);
      this.cancelProcessTimers(c);
    }
    this.ipam.release(rt.node, rt.ip, uid);
    for (const name of Object.keys(rt.containers)) this.baseTrees.delete(`${uid}/${name}/${rt.ip}`);
    this.logs.forget(uid);
    this.volumes.forget(uid);
    this.cluster.records.delete(TABLE, uid);
  }

  private nodeHasImage(node: string, image: string): boolean {
    const ref = parseImageRef(image);
    return !!ref && !!this.cluster.records.get<string[]>('nodeImages', node)?.includes(ref.canonical);
  }

  private addNodeImage(node: string, image: string): void {
    const ref = parseImageRef(image)!;
    const list = this.cluster.records.get<string[]>('nodeImages', node) ?? [];
    if (!list.includes(ref.canonical)) this.cluster.records.set('nodeImages', node, [...list, ref.canonical]);
  }

  /** `kubectl logs`: the lines of a container's current (or previous) run. */
  podLogs(namespace: string, name: string, opts: LogOptions): string {
    const pod = this.cluster.store.get(PODS, namespace, name) as Pod | undefined;
    if (!pod) throw new Error('pod not found');
    return this.logs.read(pod, opts, this.cluster.now());
  }

  /** Saves a container's writable layer after an exec session changed it. */
  saveFs(rt: PodRuntime, name: string, diff: FsDiff): void {
    const cur = this.runtime(rt.uid);
    if (!cur?.containers[name]) return;
    cur.containers[name].fs = diff;
    this.saveRuntime(cur);
  }
}

function parseMem(v: string | undefined): number {
  if (!v) return 0;
  const m = /^(\d+(?:\.\d+)?)([KMGkmg]?)(i?)[Bb]?$/.exec(v);
  if (!m) return 0;
  const unit = m[2].toUpperCase();
  const base = m[3] ? 1024 : 1000;
  return Number(m[1]) * (unit === 'K' ? base : unit === 'M' ? base ** 2 : unit === 'G' ? base ** 3 : 1);
}
