import { NODES, PODS } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Container, ContainerStatus, Node, Pod } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { imageDigest, lookupImage, parseImageRef, type ImageBehaviour } from '../images/catalog.ts';
import { rfc3339 } from '../util/time.ts';
import { computePodStatus } from './status.ts';
import { ContainerLogs, type LogOptions } from './logs.ts';
import { PodIPAM } from './ipam.ts';

/** Back-off of image pulls and container restarts: 10 s doubling to 5 min (kubelet's defaults). */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long before it exited starts its back-off afresh. */
export const BACKOFF_RESET_MS = 600_000;

/** What the kubelet remembers about one pod between syncs: plain data, one record per pod. */
interface PodRuntime {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  ip: string;
  terminating?: boolean;
  containers: Record<string, ContainerRuntime>;
}

interface ContainerRuntime {
  /** pull back-off / restart back-off, ms */
  backoffMs: number;
  /** pending timer for this container, if any */
  timer?: number;
  /** when the current process started (virtual ms) */
  startedAt?: number;
  pullStartedAt?: number;
}

const TABLE = 'kubelet';

/**
 * The kubelets of every node: each pod bound to a node gets a sandbox (an IP), its images pulled and its
 * containers started, restarted and stopped as the kubelet and containerd would, on the virtual clock.
 */
export class Kubelet implements Component {
  readonly name = 'kubelet';
  private queue = new Set<string>();
  readonly logs: ContainerLogs;
  private ipam: PodIPAM;

  readonly timers = {
    'kubelet.pulled': (d: { uid: string; container: string }) => this.onPulled(d.uid, d.container),
    'kubelet.exited': (d: { uid: string; container: string; exitCode: number; reason: string }) => this.onExited(d.uid, d.container, d.exitCode, d.reason),
    'kubelet.restart': (d: { uid: string; container: string }) => this.startContainer(d.uid, d.container),
    'kubelet.pullRetry': (d: { uid: string; container: string }) => this.pull(d.uid, d.container),
    'kubelet.stopped': (d: { uid: string }) => this.onStopped(d.uid),
  };

  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.logs = new ContainerLogs(cluster.records);
    this.ipam = new PodIPAM(cluster.records);
    (cluster as Cluster & { kubelet?: Kubelet }).kubelet = this;
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info !== PODS) return;
    const pod = ev.object as Pod;
    if (ev.type === 'DELETED') {
      this.forget(pod.metadata.uid!);
      return;
    }
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

  private runtime(uid: string): PodRuntime | undefined {
    return this.cluster.records.get<PodRuntime>(TABLE, uid);
  }

  private saveRuntime(rt: PodRuntime): void {
    this.cluster.records.set(TABLE, rt.uid, rt);
  }

  private podOf(rt: PodRuntime): Pod | undefined {
    const pod = this.cluster.store.get(PODS, rt.namespace, rt.name) as Pod | undefined;
    return pod && pod.metadata.uid === rt.uid ? pod : undefined;
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
    rt = { uid, namespace: pod.metadata.namespace!, name: pod.metadata.name!, node: node.metadata.name!, ip, containers: {} };
    for (const c of pod.spec.containers) rt.containers[c.name] = { backoffMs: 0 };
    this.saveRuntime(rt);
    const now = rfc3339(this.cluster.now());
    const statuses: ContainerStatus[] = pod.spec.containers.map((c) => ({
      name: c.name,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: c.image!,
      imageID: '',
      started: false,
    }));
    const hostIP = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
    this.writeStatus(pod, statuses, {
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: pod.status?.startTime ?? now,
    });
    for (const c of pod.spec.containers) this.pull(uid, c.name);
  }

  /** Writes the pod's status from its container statuses (and the sandbox fields given). */
  private writeStatus(pod: Pod, statuses: ContainerStatus[], extra: Partial<Pod['status']> = {}): Pod {
    const next = JSON.parse(JSON.stringify(pod)) as Pod;
    const prev = { ...(pod.status ?? {}), ...extra };
    next.status = computePodStatus(pod, prev, statuses, rfc3339(this.cluster.now()), true);
    return this.cluster.store.put(PODS, next) as Pod;
  }

  private containerSpec(pod: Pod, name: string): Container | undefined {
    return pod.spec.containers.find((c) => c.name === name);
  }

  private updateContainer(pod: Pod, name: string, fn: (s: ContainerStatus) => void): Pod {
    const statuses = JSON.parse(JSON.stringify(pod.status?.containerStatuses ?? [])) as ContainerStatus[];
    const s = statuses.find((c) => c.name === name);
    if (s) fn(s);
    return this.writeStatus(pod, statuses);
  }

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    this.cluster.events.record(pod, type, reason, message, { component: 'kubelet', host: pod.spec.nodeName }, container ? `spec.containers{${container}}` : undefined);
  }

  /** Pulls a container's image, honouring imagePullPolicy and the images already on the node. */
  private pull(uid: string, name: string): void {
    const rt = this.runtime(uid);
    const pod = rt && this.podOf(rt);
    if (!rt || !pod || rt.terminating) return;
    const spec = this.containerSpec(pod, name)!;
    const image = spec.image!;
    if (!parseImageRef(image)) {
      this.event(pod, 'Warning', 'InspectFailed', `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`, name);
      this.updateContainer(pod, name, (s) => (s.state = { waiting: { reason: 'InvalidImageName', message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format` } }));
      return;
    }
    const present = this.nodeHasImage(rt.node, image);
    if (spec.imagePullPolicy === 'Never' && !present) {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.event(pod, 'Warning', 'ErrImageNeverPull', msg, name);
      this.updateContainer(pod, name, (s) => (s.state = { waiting: { reason: 'ErrImageNeverPull', message: msg } }));
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
    const ms = found ? 400 + Math.round((found.info.sizeBytes / 40_000_000) * 1000) + this.cluster.rng.int(0, 600) : 300 + this.cluster.rng.int(0, 400);
    c.timer = this.cluster.timers.add(this.cluster.now() + ms, 'kubelet.pulled', { uid, container: name });
    this.saveRuntime(rt);
  }

  private onPulled(uid: string, name: string): void {
    const rt = this.runtime(uid);
    const pod = rt && this.podOf(rt);
    if (!rt || !pod || rt.terminating) return;
    const spec = this.containerSpec(pod, name)!;
    const image = spec.image!;
    const found = lookupImage(image);
    const c = rt.containers[name];
    c.timer = undefined;
    if (!found) {
      const ref = parseImageRef(image)!;
      const msg = `Failed to pull image "${image}": failed to pull and unpack image "${ref.canonical}": failed to resolve reference "${ref.canonical}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
      this.event(pod, 'Warning', 'Failed', msg, name);
      this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', name);
      this.updateContainer(pod, name, (s) => (s.state = { waiting: { reason: 'ErrImagePull', message: msg } }));
      // Back-off before the next pull: ErrImagePull turns into ImagePullBackOff meanwhile.
      c.backoffMs = c.backoffMs ? Math.min(c.backoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
      c.timer = this.cluster.timers.add(this.cluster.now() + c.backoffMs, 'kubelet.pullRetry', { uid, container: name });
      this.saveRuntime(rt);
      const after = this.podOf(rt)!;
      this.event(after, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, name);
      this.event(after, 'Warning', 'Failed', 'Error: ImagePullBackOff', name);
      this.updateContainer(after, name, (s) => (s.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${msg.replace(/^Failed to pull image "[^"]*": /, '')}` } }));
      return;
    }
    c.backoffMs = 0;
    this.saveRuntime(rt);
    const took = ((this.cluster.now() - (c.pullStartedAt ?? this.cluster.now())) / 1000).toFixed(3).replace(/\.?0+$/, '');
    this.addNodeImage(rt.node, image);
    this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took}s (${took}s including waiting). Image size: ${found.info.sizeBytes} bytes.`, name);
    this.startContainer(uid, name);
  }

  /** Creates and starts a container; the image's behaviour decides what its process does. */
  private startContainer(uid: string, name: string): void {
    const rt = this.runtime(uid);
    const pod = rt && this.podOf(rt);
    if (!rt || !pod || rt.terminating) return;
    const spec = this.containerSpec(pod, name)!;
    const found = lookupImage(spec.image!)!;
    const now = this.cluster.now();
    const c = rt.containers[name];
    c.startedAt = now;
    c.timer = undefined;
    const behaviour = behaviourOf(spec, found.info.behaviour);
    this.event(pod, 'Normal', 'Created', `Created container: ${name}`, name);
    this.event(pod, 'Normal', 'Started', `Started container ${name}`, name);
    const current = this.podOf(rt)!;
    const restartCount = current.status?.containerStatuses?.find((s) => s.name === name)?.restartCount ?? 0;
    this.logs.start(uid, name, restartCount, now, behaviour.startupLogs ?? []);
    const containerID = `containerd://${this.cluster.rng.hex(64)}`;
    this.updateContainer(current, name, (s) => {
      s.state = { running: { startedAt: rfc3339(now) } };
      s.ready = true;
      s.started = true;
      s.containerID = containerID;
      s.imageID = `${found.ref.canonical.replace(/:[^:/]*$/, '')}@${imageDigest(found.ref)}`;
    });
    if (behaviour.run === 'exit') {
      c.timer = this.cluster.timers.add(now + (behaviour.exitAfterMs ?? 50), 'kubelet.exited', { uid, container: name, exitCode: behaviour.exitCode ?? 0, reason: (behaviour.exitCode ?? 0) === 0 ? 'Completed' : 'Error' });
    }
    this.saveRuntime(rt);
  }

  private onExited(uid: string, name: string, exitCode: number, reason: string): void {
    const rt = this.runtime(uid);
    const pod = rt && this.podOf(rt);
    if (!rt || !pod || rt.terminating) return;
    const now = this.cluster.now();
    const c = rt.containers[name];
    c.timer = undefined;
    const status = pod.status?.containerStatuses?.find((s) => s.name === name);
    const terminated = {
      exitCode,
      reason,
      startedAt: status?.state.running?.startedAt,
      finishedAt: rfc3339(now),
      containerID: status?.containerID,
    };
    const policy = pod.spec.restartPolicy ?? 'Always';
    const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    if (!restart) {
      this.updateContainer(pod, name, (s) => {
        s.state = { terminated };
        s.ready = false;
        s.started = false;
      });
      this.saveRuntime(rt);
      return;
    }
    // kubelet restarts a crashed container at once the first time, then backs off 10 s, 20 s, ... 5 min.
    if (c.startedAt !== undefined && now - c.startedAt >= BACKOFF_RESET_MS) c.backoffMs = 0;
    const delay = c.backoffMs;
    c.backoffMs = c.backoffMs ? Math.min(c.backoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
    if (delay === 0) {
      this.updateContainer(pod, name, (s) => {
        s.lastState = { terminated };
        s.state = { terminated };
        s.ready = false;
        s.started = false;
        s.restartCount++;
      });
      this.saveRuntime(rt);
      this.startContainer(uid, name);
      return;
    }
    const podName = `${pod.metadata.name}_${pod.metadata.namespace}(${uid})`;
    this.updateContainer(pod, name, (s) => {
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
      const status = pod.status?.containerStatuses?.find((s) => s.name === name);
      if (!status?.state.running) continue;
      this.event(pod, 'Normal', 'Killing', `Stopping container ${name}`, name);
      const spec = this.containerSpec(pod, name);
      const found = spec && lookupImage(spec.image!);
      longest = Math.max(longest, Math.min(grace, found?.info.behaviour.stopMs ?? 1000));
    }
    this.saveRuntime(rt);
    this.cluster.timers.add(this.cluster.now() + longest, 'kubelet.stopped', { uid: rt.uid });
  }

  private onStopped(uid: string): void {
    const rt = this.runtime(uid);
    const pod = rt && this.podOf(rt);
    if (!rt || !pod) return;
    const now = rfc3339(this.cluster.now());
    const statuses = JSON.parse(JSON.stringify(pod.status?.containerStatuses ?? [])) as ContainerStatus[];
    for (const s of statuses) {
      if (s.state.running) s.state = { terminated: { exitCode: 0, reason: 'Completed', startedAt: s.state.running.startedAt, finishedAt: now, containerID: s.containerID } };
      s.ready = false;
      s.started = false;
    }
    this.writeStatus(pod, statuses);
    this.cluster.api.delete(PODS, rt.namespace, rt.name, { gracePeriodSeconds: 0, preconditions: { uid } });
  }

  private forget(uid: string): void {
    const rt = this.runtime(uid);
    if (!rt) return;
    for (const c of Object.values(rt.containers)) if (c.timer !== undefined) this.cluster.timers.cancel(c.timer);
    this.ipam.release(rt.node, rt.ip);
    this.logs.forget(uid);
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
}

/** What the container's process does: its image's default, or what its command says (a bare `sleep N`). */
function behaviourOf(spec: Container, image: ImageBehaviour): ImageBehaviour & { exitAfterMs?: number } {
  const argv = [...(spec.command ?? []), ...(spec.args ?? [])];
  if (argv.length === 0) return image;
  const script = argv.join(' ');
  const sleep = /(?:^|[\s;&])sleep\s+(\d+|infinity)/.exec(script);
  if (sleep) {
    if (sleep[1] === 'infinity') return { ...image, run: 'serve' };
    return { ...image, run: 'exit', exitCode: 0, exitAfterMs: Number(sleep[1]) * 1000 };
  }
  const exit = /(?:^|[\s;&])exit\s+(\d+)/.exec(script);
  if (exit) return { ...image, run: 'exit', exitCode: Number(exit[1]), exitAfterMs: 50 };
  return image;
}
