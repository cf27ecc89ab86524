/** kubectl describe for pods and nodes: the same sections, labels and alignment as kubectl's describers. */
import { tabwrite } from './tabwriter.ts';
import { addQuantity, formatQuantity, isObj, parseQuantity, rfc1123z, since, type Obj, type Quantity } from './util.ts';

/** kubectl's PrefixWriter over a tabwriter (minwidth 0, padding 2); Flush starts a new alignment block. */
class PrefixWriter {
  private buf = '';
  private out = '';
  write(level: number, text: string): void {
    this.buf += '  '.repeat(level) + text;
  }
  line(text: string): void {
    this.buf += `${text}\n`;
  }
  flush(): void {
    this.out += tabwrite(this.buf, { minwidth: 0, padding: 2 });
    this.buf = '';
  }
  toString(): string {
    this.flush();
    return this.out;
  }
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const printBool = (b: unknown) => (b ? 'True' : 'False');

function printLabels(w: PrefixWriter, title: string, labels: unknown): void {
  w.write(0, `${title}:\t`);
  const keys = isObj(labels) ? Object.keys(labels).sort() : [];
  if (keys.length === 0) return w.line('<none>');
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, '\t');
    w.write(0, `${k}=${(labels as Obj)[k]}\n`);
  });
}

const MAX_ANNOTATION_LEN = 140;
function printAnnotations(w: PrefixWriter, title: string, annotations: unknown): void {
  w.write(0, `${title}:\t`);
  const keys = isObj(annotations)
    ? Object.keys(annotations)
        .filter((k) => k !== 'kubectl.kubernetes.io/last-applied-configuration')
        .sort()
    : [];
  if (keys.length === 0) return w.line('<none>');
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, '\t');
    const value = str((annotations as Obj)[k]).replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const s of value.split('\n')) {
        const short = s.length > MAX_ANNOTATION_LEN - 2 ? `${s.slice(0, MAX_ANNOTATION_LEN - 2 - 3)}...` : s;
        w.write(0, `\t  ${short}\n`);
      }
    } else w.write(0, `${k}: ${value}\n`);
  });
}

function printTolerations(w: PrefixWriter, title: string, tolerations: unknown): void {
  w.write(0, `${title}:\t`);
  const items = list(tolerations);
  if (items.length === 0) return w.line('<none>');
  items.forEach((t, i) => {
    if (i !== 0) w.write(0, '\t');
    let s = str(t.key);
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

function taintString(t: Obj): string {
  return t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`;
}

function printTaints(w: PrefixWriter, title: string, taints: unknown): void {
  w.write(0, `${title}:\t`);
  const items = [...list(taints)].sort((a, b) => {
    const ka = `${a.effect},${a.key}`;
    const kb = `${b.effect},${b.key}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  if (items.length === 0) return w.line('<none>');
  items.forEach((t, i) => {
    if (i !== 0) w.write(0, '\t');
    w.write(0, `${taintString(t)}\n`);
  });
}

export function describeEvents(w: PrefixWriter, events: Obj[] | null, now: number): void {
  if (events === null) return;
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  w.flush();
  const sorted = [...events].sort((a, b) => Date.parse(str(a.lastTimestamp)) - Date.parse(str(b.lastTimestamp)) || 0);
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    let first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
    if (!e.eventTime) first = since(e.firstTimestamp, now);
    let interval: string;
    if (isObj(e.series)) interval = `${since(e.series.lastObservedTime, now)} (x${e.series.count} over ${first})`;
    else if ((e.count ?? 0) > 1) interval = `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    else interval = first;
    const source = str(e.source?.component) || str(e.reportingComponent);
    w.write(1, `${str(e.type)}\t${str(e.reason)}\t${interval}\t${source}\t${str(e.message).trim()}\n`);
  }
}

// ---- pods -------------------------------------------------------------------------------------------

function describeStatus(w: PrefixWriter, stateName: string, state: Obj | undefined): void {
  if (isObj(state?.running)) {
    w.write(2, `${stateName}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (isObj(state?.waiting)) {
    w.write(2, `${stateName}:\tWaiting\n`);
    if (state.waiting.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (isObj(state?.terminated)) {
    const t = state.terminated;
    w.write(2, `${stateName}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if ((t.signal ?? 0) > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else w.write(2, `${stateName}:\tWaiting\n`);
}

function describeProbe(p: Obj): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (isObj(p.exec)) return `exec [${list(p.exec.command).join(' ')}] ${attrs}`;
  if (isObj(p.httpGet)) {
    const h = p.httpGet;
    const scheme = str(h.scheme || 'HTTP').toLowerCase();
    const host = str(h.host);
    const port = h.port === undefined ? '' : String(h.port);
    return `http-get ${scheme}://${host}:${port}${str(h.path)} ${attrs}`;
  }
  if (isObj(p.tcpSocket)) return `tcp-socket ${str(p.tcpSocket.host)}:${p.tcpSocket.port} ${attrs}`;
  if (isObj(p.grpc)) return `grpc <pod>:${p.grpc.port} ${str(p.grpc.service)} ${attrs}`;
  return `unknown ${attrs}`;
}

function describeResources(w: PrefixWriter, res: unknown, level: number): void {
  if (!isObj(res)) return;
  for (const [key, title] of [
    ['limits', 'Limits'],
    ['requests', 'Requests'],
  ] as const) {
    const m = res[key];
    if (!isObj(m) || Object.keys(m).length === 0) continue;
    w.write(level, `${title}:\n`);
    for (const name of Object.keys(m).sort()) w.write(level + 1, `${name}:\t${m[name]}\n`);
  }
}

function describeContainers(w: PrefixWriter, label: string, containers: Obj[], statuses: Obj[], space = ''): void {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  w.write(0, `${space}${label}:\n`);
  for (const c of containers) {
    const status = byName.get(c.name);
    w.write(1, `${space ? ' ' : ''}${c.name}:\n`);
    if (status) w.write(2, `Container ID:\t${str(status.containerID)}\n`);
    w.write(2, `Image:\t${str(c.image)}\n`);
    if (status) w.write(2, `Image ID:\t${str(status.imageID)}\n`);
    const ports = list(c.ports).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ');
    if (ports.includes(',')) w.write(2, `Ports:\t${ports}\n`);
    else w.write(2, `Port:\t${ports || '<none>'}\n`);
    const hostPorts = list(c.ports).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
    if (hostPorts.includes(',')) w.write(2, `Host Ports:\t${hostPorts}\n`);
    else w.write(2, `Host Port:\t${hostPorts || '<none>'}\n`);
    for (const [key, title] of [
      ['command', 'Command'],
      ['args', 'Args'],
    ] as const) {
      const items = Array.isArray(c[key]) ? (c[key] as unknown[]) : [];
      if (items.length === 0) continue;
      w.write(2, `${title}:\n`);
      for (const item of items) for (const line of str(item).split('\n')) w.write(3, `${line}\n`);
    }
    if (status) {
      describeStatus(w, 'State', status.state);
      if (isObj(status.lastState?.terminated)) describeStatus(w, 'Last State', status.lastState);
      w.write(2, `Ready:\t${printBool(status.ready)}\n`);
      w.write(2, `Restart Count:\t${status.restartCount ?? 0}\n`);
    }
    describeResources(w, c.resources, 2);
    if (isObj(c.livenessProbe)) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (isObj(c.readinessProbe)) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    if (isObj(c.startupProbe)) w.write(2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
    const envFrom = list(c.envFrom);
    if (envFrom.length > 0) {
      w.write(2, 'Environment Variables from:\n');
      for (const e of envFrom) {
        const from = isObj(e.configMapRef) ? ['ConfigMap', e.configMapRef] : ['Secret', e.secretRef ?? {}];
        const ref = from[1] as Obj;
        w.write(3, `${str(ref.name)}\t${from[0]} with prefix '${str(e.prefix)}'\tOptional: ${ref.optional === true}\n`);
      }
    }
    const env = list(c.env);
    w.write(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
    for (const e of env) {
      if (!isObj(e.valueFrom)) {
        str(e.value)
          .split('\n')
          .forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
        continue;
      }
      const vf = e.valueFrom;
      if (isObj(vf.fieldRef)) w.write(3, `${e.name}:\t (${str(vf.fieldRef.apiVersion)}:${str(vf.fieldRef.fieldPath)})\n`);
      else if (isObj(vf.resourceFieldRef)) w.write(3, `${e.name}:\t (${str(vf.resourceFieldRef.resource)})\n`);
      else if (isObj(vf.secretKeyRef))
        w.write(3, `${e.name}:\t<set to the key '${str(vf.secretKeyRef.key)}' in secret '${str(vf.secretKeyRef.name)}'>\tOptional: ${vf.secretKeyRef.optional === true}\n`);
      else if (isObj(vf.configMapKeyRef))
        w.write(3, `${e.name}:\t<set to the key '${str(vf.configMapKeyRef.key)}' of config map '${str(vf.configMapKeyRef.name)}'>\tOptional: ${vf.configMapKeyRef.optional === true}\n`);
    }
    const mounts = [...list(c.volumeMounts)].sort((a, b) => (str(a.mountPath) < str(b.mountPath) ? -1 : 1));
    w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
    for (const m of mounts) {
      const flags = [m.readOnly ? 'ro' : 'rw'];
      if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
      w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
    }
  }
}

/** A `*bool` as Go's `%v` prints it: `<nil>` when unset. */
function optionalPtr(value: unknown): string {
  return value === undefined || value === null ? '<nil>' : String(value === true);
}

function describeVolumes(w: PrefixWriter, volumes: Obj[], space = ''): void {
  if (volumes.length === 0) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space ? ' ' : ''}${v.name}:\n`);
    if (isObj(v.hostPath)) {
      w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${str(v.hostPath.path)}\n    HostPathType:\t${str(v.hostPath.type)}\n`);
    } else if (isObj(v.emptyDir)) {
      w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${str(v.emptyDir.medium)}\n    SizeLimit:\t${v.emptyDir.sizeLimit ?? '<unset>'}\n`);
    } else if (isObj(v.secret)) {
      w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${str(v.secret.secretName)}\n    Optional:\t${v.secret.optional === true}\n`);
    } else if (isObj(v.configMap)) {
      w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${str(v.configMap.name)}\n    Optional:\t${v.configMap.optional === true}\n`);
    } else if (isObj(v.projected)) {
      w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
      for (const src of list(v.projected.sources)) {
        if (isObj(src.secret)) w.write(2, `SecretName:\t${str(src.secret.name)}\n    SecretOptionalName:\t${optionalPtr(src.secret.optional)}\n`);
        else if (isObj(src.downwardAPI)) w.write(2, 'DownwardAPI:\ttrue\n');
        else if (isObj(src.configMap)) w.write(2, `ConfigMapName:\t${str(src.configMap.name)}\n    ConfigMapOptional:\t${optionalPtr(src.configMap.optional)}\n`);
        else if (isObj(src.serviceAccountToken)) w.write(2, `TokenExpirationSeconds:\t${src.serviceAccountToken.expirationSeconds ?? 3600}\n`);
      }
    } else if (isObj(v.downwardAPI)) {
      w.write(2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
      for (const item of list(v.downwardAPI.items)) {
        if (isObj(item.fieldRef)) w.write(3, `${str(item.fieldRef.fieldPath)} -> ${str(item.path)}\n`);
        else if (isObj(item.resourceFieldRef)) w.write(3, `${str(item.resourceFieldRef.resource)} -> ${str(item.path)}\n`);
      }
    } else if (isObj(v.persistentVolumeClaim)) {
      w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${str(v.persistentVolumeClaim.claimName)}\n    ReadOnly:\t${v.persistentVolumeClaim.readOnly === true}\n`);
    } else {
      w.write(2, '<unknown>\n');
    }
  }
}

function podQos(pod: Obj): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  let requests = false;
  let guaranteed = true;
  for (const c of list(pod.spec?.containers)) {
    const r = c.resources ?? {};
    if (Object.keys(r.requests ?? {}).length || Object.keys(r.limits ?? {}).length) requests = true;
    for (const k of ['cpu', 'memory']) if (!r.limits?.[k]) guaranteed = false;
  }
  return !requests ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}

export function describePod(pod: Obj, events: Obj[] | null, now: number): string {
  const w = new PrefixWriter();
  const meta = pod.metadata ?? {};
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  w.write(0, `Name:\t${str(meta.name)}\n`);
  w.write(0, `Namespace:\t${str(meta.namespace)}\n`);
  if (spec.priority !== undefined && spec.priority !== null) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec.runtimeClassName) w.write(0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, spec.nodeName ? `Node:\t${spec.nodeName}/${str(status.hostIP)}\n` : 'Node:\t<none>\n');
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  printLabels(w, 'Labels', meta.labels);
  printAnnotations(w, 'Annotations', meta.annotations);
  if (meta.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${since(meta.deletionTimestamp, now)})\n`);
    w.write(0, `Termination Grace Period:\t${meta.deletionGracePeriodSeconds ?? 0}s\n`);
  } else w.write(0, `Status:\t${str(status.phase)}\n`);
  if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(0, `Message:\t${status.message}\n`);
  if (isObj(spec.securityContext?.seccompProfile)) w.write(0, `SeccompProfile:\t${spec.securityContext.seccompProfile.type}\n`);
  w.write(0, `IP:\t${str(status.podIP)}\n`);
  const ips = list(status.podIPs);
  if (ips.length === 0) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of ips) w.write(1, `IP:\t${str(ip.ip)}\n`);
  }
  const controller = list(meta.ownerReferences).find((r) => r.controller === true);
  if (controller) w.write(0, `Controlled By:\t${controller.kind}/${controller.name}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (list(spec.initContainers).length > 0) describeContainers(w, 'Init Containers', list(spec.initContainers), list(status.initContainerStatuses));
  describeContainers(w, 'Containers', list(spec.containers), list(status.containerStatuses));
  const gates = list(spec.readinessGates);
  if (gates.length > 0) {
    w.write(0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of gates) {
      const c = list(status.conditions).find((x) => x.type === g.conditionType);
      w.write(1, `${g.conditionType} \t${c ? c.status : '<none>'} \n`);
    }
  }
  const conditions = list(status.conditions);
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, list(spec.volumes));
  w.write(0, `QoS Class:\t${podQos(pod)}\n`);
  printLabels(w, 'Node-Selectors', spec.nodeSelector);
  printTolerations(w, 'Tolerations', spec.tolerations);
  describeEvents(w, events, now);
  return w.toString();
}

// ---- nodes ------------------------------------------------------------------------------------------

function nodeRoles(node: Obj): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((node.metadata?.labels ?? {}) as Obj)) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(String(v));
  }
  return [...roles].sort();
}

const HUGEPAGES = /^hugepages-/;

function podTotals(pod: Obj, key: 'requests' | 'limits'): Record<string, Quantity> {
  const sum: Record<string, Quantity> = {};
  for (const c of list(pod.spec?.containers)) {
    const m = c.resources?.[key];
    if (!isObj(m)) continue;
    for (const [k, v] of Object.entries(m)) sum[k] = addQuantity(sum[k], parseQuantity(v));
  }
  // init containers: the max of each (simplified: only when larger than the sum)
  for (const c of list(pod.spec?.initContainers)) {
    const m = c.resources?.[key];
    if (!isObj(m)) continue;
    for (const [k, v] of Object.entries(m)) {
      const q = parseQuantity(v);
      if (!sum[k] || sum[k]!.value < q.value) sum[k] = q;
    }
  }
  return sum;
}

const pct = (a: Quantity | undefined, total: Quantity | undefined) =>
  total && total.value !== 0 ? Math.trunc(((a?.value ?? 0) / total.value) * 100) : 0;
const q = (a: Quantity | undefined) => (a ? formatQuantity(a) : '0');

export function describeNode(node: Obj, pods: Obj[], events: Obj[] | null, lease: Obj | string, now: number): string {
  const w = new PrefixWriter();
  const meta = node.metadata ?? {};
  const spec = node.spec ?? {};
  const status = node.status ?? {};
  w.write(0, `Name:\t${str(meta.name)}\n`);
  const roles = nodeRoles(node);
  w.write(0, `Roles:\t${roles.length ? roles.join(',') : '<none>'}\n`);
  printLabels(w, 'Labels', meta.labels);
  printAnnotations(w, 'Annotations', meta.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(meta.creationTimestamp)}\n`);
  printTaints(w, 'Taints', spec.taints);
  w.write(0, `Unschedulable:\t${spec.unschedulable === true}\n`);
  if (typeof lease === 'string') w.write(0, `Lease:\tFailed to get lease: ${lease}\n`);
  else {
    w.write(0, 'Lease:\n');
    w.write(1, `HolderIdentity:\t${lease.spec?.holderIdentity ?? '<unset>'}\n`);
    w.write(1, `AcquireTime:\t${lease.spec?.acquireTime ? rfc1123z(lease.spec.acquireTime) : '<unset>'}\n`);
    w.write(1, `RenewTime:\t${lease.spec?.renewTime ? rfc1123z(lease.spec.renewTime) : '<unset>'}\n`);
  }
  const conditions = list(status.conditions);
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conditions)
      w.write(1, `${str(c.type)} \t${str(c.status)} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${str(c.reason)} \t${str(c.message)}\n`);
  }
  w.write(0, 'Addresses:\n');
  for (const a of list(status.addresses)) w.write(1, `${str(a.type)}:\t${str(a.address)}\n`);
  const printResources = (m: Obj) => {
    for (const k of Object.keys(m).sort()) w.write(0, `  ${k}:\t${m[k]}\n`);
  };
  if (isObj(status.capacity) && Object.keys(status.capacity).length) {
    w.write(0, 'Capacity:\n');
    printResources(status.capacity);
  }
  if (isObj(status.allocatable) && Object.keys(status.allocatable).length) {
    w.write(0, 'Allocatable:\n');
    printResources(status.allocatable);
  }
  const info = status.nodeInfo ?? {};
  w.write(0, 'System Info:\n');
  w.write(0, `  Machine ID:\t${str(info.machineID)}\n`);
  w.write(0, `  System UUID:\t${str(info.systemUUID)}\n`);
  w.write(0, `  Boot ID:\t${str(info.bootID)}\n`);
  w.write(0, `  Kernel Version:\t${str(info.kernelVersion)}\n`);
  w.write(0, `  OS Image:\t${str(info.osImage)}\n`);
  w.write(0, `  Operating System:\t${str(info.operatingSystem)}\n`);
  w.write(0, `  Architecture:\t${str(info.architecture)}\n`);
  w.write(0, `  Container Runtime Version:\t${str(info.containerRuntimeVersion)}\n`);
  w.write(0, `  Kubelet Version:\t${str(info.kubeletVersion)}\n`);
  w.write(0, `  Kube-Proxy Version:\t${str(info.kubeProxyVersion)}\n`);
  if (spec.podCIDR) w.write(0, `PodCIDR:\t${spec.podCIDR}\n`);
  if (list(spec.podCIDRs).length) w.write(0, `PodCIDRs:\t${(spec.podCIDRs as string[]).join(',')}\n`);
  if (spec.providerID) w.write(0, `ProviderID:\t${spec.providerID}\n`);

  // Non-terminated pods and allocated resources.
  const alloc: Obj = isObj(status.allocatable) && Object.keys(status.allocatable).length ? status.allocatable : (status.capacity ?? {});
  const allocQ = (k: string) => (alloc[k] !== undefined ? parseQuantity(alloc[k]) : undefined);
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const reqs: Record<string, Quantity> = {};
  const lims: Record<string, Quantity> = {};
  for (const pod of pods) {
    const r = podTotals(pod, 'requests');
    const l = podTotals(pod, 'limits');
    for (const [k, v] of Object.entries(r)) reqs[k] = addQuantity(reqs[k], v);
    for (const [k, v] of Object.entries(l)) lims[k] = addQuantity(lims[k], v);
    w.write(
      1,
      `${str(pod.metadata?.namespace)}\t${str(pod.metadata?.name)}\t\t${q(r.cpu)} (${pct(r.cpu, allocQ('cpu'))}%)\t${q(l.cpu)} (${pct(l.cpu, allocQ('cpu'))}%)\t${q(r.memory)} (${pct(r.memory, allocQ('memory'))}%)\t${q(l.memory)} (${pct(l.memory, allocQ('memory'))}%)\t${since(pod.metadata?.creationTimestamp, now)}\n`,
    );
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  for (const k of ['cpu', 'memory', 'ephemeral-storage'])
    w.write(1, `${k}\t${q(reqs[k])} (${pct(reqs[k], allocQ(k))}%)\t${q(lims[k])} (${pct(lims[k], allocQ(k))}%)\n`);
  const standard = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods', 'storage']);
  const keys = Object.keys(alloc);
  for (const k of keys.filter((k) => HUGEPAGES.test(k)).sort())
    w.write(1, `${k}\t${q(reqs[k])} (${pct(reqs[k], allocQ(k))}%)\t${q(lims[k])} (${pct(lims[k], allocQ(k))}%)\n`);
  for (const k of keys.filter((k) => !HUGEPAGES.test(k) && !standard.has(k)).sort()) w.write(1, `${k}\t${q(reqs[k])}\t${q(lims[k])}\n`);
  describeEvents(w, events, now);
  return w.toString();
}

/** A plain describer for other kinds: name, namespace, labels, annotations, then events. */
export function describeGeneric(obj: Obj, events: Obj[] | null, now: number): string {
  const w = new PrefixWriter();
  const meta = obj.metadata ?? {};
  w.write(0, `Name:\t${str(meta.name)}\n`);
  if (meta.namespace) w.write(0, `Namespace:\t${meta.namespace}\n`);
  printLabels(w, 'Labels', meta.labels);
  printAnnotations(w, 'Annotations', meta.annotations);
  if (obj.kind === 'Namespace') {
    w.write(0, `Status:\t${str(obj.status?.phase)}\n`);
    w.write(0, '\nNo resource quota.\n\nNo LimitRange resource.\n');
    return w.toString();
  }
  describeEvents(w, events, now);
  return w.toString();
}

// ---- deployments ------------------------------------------------------------------------------------

/** metav1.LabelSelector as its string form ("app=web,tier in (a,b)"). */
export function selectorString(sel: unknown): string {
  if (!isObj(sel)) return '<none>';
  const parts: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Obj)) parts.push({ key: k, text: `${k}=${v}` });
  for (const e of list(sel.matchExpressions)) {
    const values = [...((e.values ?? []) as string[])].sort().join(',');
    const text =
      e.operator === 'In' ? `${e.key} in (${values})` : e.operator === 'NotIn' ? `${e.key} notin (${values})` : e.operator === 'Exists' ? `${e.key}` : `!${e.key}`;
    parts.push({ key: e.key, text });
  }
  if (parts.length === 0) return '<none>';
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.text)
    .join(',');
}

function describePodTemplate(w: PrefixWriter, template: Obj | undefined): void {
  w.write(0, 'Pod Template:\n');
  if (!isObj(template)) {
    w.write(1, '<unset>');
    return;
  }
  const meta = template.metadata ?? {};
  const spec = template.spec ?? {};
  printLabels(w, '  Labels', meta.labels);
  if (isObj(meta.annotations) && Object.keys(meta.annotations).length) printAnnotations(w, '  Annotations', meta.annotations);
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (list(spec.initContainers).length) describeContainers(w, 'Init Containers', list(spec.initContainers), [], '  ');
  describeContainers(w, 'Containers', list(spec.containers), [], '  ');
  describeVolumes(w, list(spec.volumes), '  ');
  if (spec.priorityClassName) w.write(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabels(w, '  Node-Selectors', spec.nodeSelector);
  printTolerations(w, '  Tolerations', spec.tolerations);
}

const rsList = (items: Obj[]) =>
  items.length ? items.map((rs) => `${rs.metadata?.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ') : '<none>';

export function describeDeployment(d: Obj, oldRSs: Obj[], newRSs: Obj[], events: Obj[] | null, now: number): string {
  const w = new PrefixWriter();
  const meta = d.metadata ?? {};
  const spec = d.spec ?? {};
  const st = d.status ?? {};
  w.write(0, `Name:\t${str(meta.name)}\n`);
  w.write(0, `Namespace:\t${str(meta.namespace)}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(meta.creationTimestamp)}\n`);
  printLabels(w, 'Labels', meta.labels);
  printAnnotations(w, 'Annotations', meta.annotations);
  w.write(0, `Selector:\t${selectorString(spec.selector)}\n`);
  w.write(
    0,
    `Replicas:\t${spec.replicas ?? 1} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable\n`,
  );
  w.write(0, `StrategyType:\t${str(spec.strategy?.type)}\n`);
  w.write(0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  const ru = spec.strategy?.rollingUpdate;
  if (isObj(ru)) w.write(0, `RollingUpdateStrategy:\t${str(ru.maxUnavailable ?? 0)} max unavailable, ${str(ru.maxSurge ?? 0)} max surge\n`);
  describePodTemplate(w, spec.template);
  const conditions = list(st.conditions);
  if (conditions.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of conditions) w.write(1, `${str(c.type)} \t${str(c.status)}\t${str(c.reason)}\n`);
  }
  if (oldRSs.length || newRSs.length) {
    w.write(0, `OldReplicaSets:\t${rsList(oldRSs)}\n`);
    w.write(0, `NewReplicaSet:\t${rsList(newRSs)}\n`);
  }
  describeEvents(w, events, now);
  return w.toString();
}

// ---- services ---------------------------------------------------------------------------------------

function formatEndpointSlices(slices: Obj[], portName: string): string {
  if (slices.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  const ready = (e: Obj) => e.conditions?.ready === undefined || e.conditions?.ready === null || e.conditions.ready === true;
  for (const slice of slices) {
    const ports = list_(slice.ports);
    const endpoints = list_(slice.endpoints);
    if (ports.length === 0) {
      for (const e of endpoints) {
        if (list.length === max) more = true;
        if (!ready(e)) continue;
        if (!more) list.push(String(e.addresses?.[0] ?? ''));
        count++;
      }
      continue;
    }
    for (const port of ports) {
      if ((port.name ?? '') !== portName) continue;
      for (const e of endpoints) {
        if (list.length === max) more = true;
        if (!ready(e)) continue;
        const addr = String(e.addresses?.[0] ?? '');
        if (!more) list.push(addr.includes(':') ? `[${addr}]:${port.port}` : `${addr}:${port.port}`);
        count++;
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

const list_ = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export function describeService(svc: Obj, slices: Obj[], events: Obj[] | null, now: number): string {
  const w = new PrefixWriter();
  const meta = svc.metadata ?? {};
  const spec = svc.spec ?? {};
  w.write(0, `Name:\t${str(meta.name)}\n`);
  w.write(0, `Namespace:\t${str(meta.namespace)}\n`);
  printLabels(w, 'Labels', meta.labels);
  printAnnotations(w, 'Annotations', meta.annotations);
  const sel = isObj(spec.selector) ? spec.selector : {};
  const selText = Object.keys(sel).length ? Object.keys(sel).sort().map((k) => `${k}=${sel[k]}`).join(',') : '<none>';
  w.write(0, `Selector:\t${selText}\n`);
  w.write(0, `Type:\t${str(spec.type)}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(0, `IP Families:\t${list_(spec.ipFamilies).length ? (spec.ipFamilies as string[]).join(',') : '<none>'}\n`);
  w.write(0, `IP:\t${str(spec.clusterIP)}\n`);
  w.write(0, `IPs:\t${list_(spec.clusterIPs).length ? (spec.clusterIPs as string[]).join(',') : '<none>'}\n`);
  if (list_(spec.externalIPs).length) w.write(0, `External IPs:\t${(spec.externalIPs as string[]).join(',')}\n`);
  if (spec.loadBalancerIP) w.write(0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
  if (spec.externalName) w.write(0, `External Name:\t${spec.externalName}\n`);
  const ingress = list_(svc.status?.loadBalancer?.ingress);
  if (ingress.length)
    w.write(0, `LoadBalancer Ingress:\t${ingress.map((i) => (i.ip ? `${i.ip}${i.ipMode ? ` (${i.ipMode})` : ''}` : str(i.hostname))).join(', ')}\n`);
  for (const sp of list_(spec.ports)) {
    const name = sp.name ? String(sp.name) : '<unset>';
    const proto = str(sp.protocol || 'TCP');
    w.write(0, `Port:\t${name}\t${sp.port}/${proto}\n`);
    w.write(0, `TargetPort:\t${sp.targetPort ?? sp.port}/${proto}\n`);
    if (sp.appProtocol) w.write(0, `AppProtocol:\t${sp.appProtocol}\n`);
    if (sp.nodePort) w.write(0, `NodePort:\t${name}\t${sp.nodePort}/${proto}\n`);
    w.write(0, `Endpoints:\t${formatEndpointSlices(slices, str(sp.name))}\n`);
  }
  w.write(0, `Session Affinity:\t${str(spec.sessionAffinity)}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  if (spec.healthCheckNodePort) w.write(0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
  if (list_(spec.loadBalancerSourceRanges).length) w.write(0, `LoadBalancer Source Ranges:\t${(spec.loadBalancerSourceRanges as string[]).join(',')}\n`);
  if (spec.trafficDistribution) w.write(0, `Traffic Distribution:\t${spec.trafficDistribution}\n`);
  describeEvents(w, events, now);
  return w.toString();
}
