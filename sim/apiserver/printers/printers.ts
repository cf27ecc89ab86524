/**
 * The columns `kubectl get` prints for each resource, as Kubernetes 1.32's pkg/printers/internalversion defines
 * them (names, types, priority 1 for -o wide) and the cells its print functions compute. The API server always
 * generates the wide cells; kubectl hides priority-1 columns unless asked for -o wide.
 */
import type { Pod } from '../types.ts';
import {
  accessModes,
  AGE_COLUMN,
  col,
  containerCells,
  CREATED_DESCRIPTION,
  durationBetween,
  formatLabels,
  formatLabelSelector,
  int,
  intOrString,
  listWithMore,
  NAME_COLUMN,
  NAME_DESCRIPTION,
  printBoolPtr,
  selectorString,
  since,
  str,
  type Obj,
  type TableColumnDefinition,
} from './format.ts';
import { humanDuration, parseTime } from '../../util/time.ts';
import { podRowConditions, POD_COLUMNS, printPod } from './pod.ts';

export interface Printer {
  columns: TableColumnDefinition[];
  row(obj: Obj, nowMs: number): unknown[];
  conditions?(obj: Obj): Obj[] | undefined;
}

const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', { wide: true });
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', { wide: true });
const selectorCol = (desc: string) => col('Selector', 'string', desc, { wide: true });

const age = (o: Obj, now: number) => since(o.metadata?.creationTimestamp, now);

// --- core ---------------------------------------------------------------------------------------------------

const nodes: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', { wide: true }),
    col('External-IP', 'string', 'List of addresses reachable to the node.', { wide: true }),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { wide: true }),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { wide: true }),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { wide: true }),
  ],
  row(o, now) {
    const info = (o.status?.nodeInfo ?? {}) as Obj;
    const address = (type: string) => ((o.status?.addresses ?? []) as Obj[]).find((a) => a.type === type)?.address ?? '<none>';
    return [
      o.metadata.name,
      nodeStatus(o),
      nodeRoles(o).join(',') || '<none>',
      age(o, now),
      str(info.kubeletVersion),
      address('InternalIP'),
      address('ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

/** STATUS of `kubectl get nodes`: Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: Obj): string {
  const status: string[] = [];
  const ready = ((node.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (!status.length) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** ROLES of `kubectl get nodes`: from node-role.kubernetes.io/<role> and kubernetes.io/role labels, sorted. */
export function nodeRoles(node: Obj): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((node.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

const namespaces: Printer = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, str(o.status?.phase), age(o, now)],
};

const events: Printer = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { wide: true }),
    col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { wide: true }),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { wide: true }),
    col('Count', 'string', 'The number of times this event has occurred.', { wide: true }),
    col('Name', 'string', NAME_DESCRIPTION, { wide: true, format: 'name' }),
  ],
  row(o, now) {
    let first = o.firstTimestamp ? since(o.firstTimestamp, now) : since(o.eventTime, now);
    let last = o.lastTimestamp ? since(o.lastTimestamp, now) : first;
    let count = int(o.count);
    if (o.series) {
      last = since(o.series.lastObservedTime, now);
      count = int(o.series.count);
    } else if (count === 0) count = 1;
    if (!o.firstTimestamp && !o.eventTime) first = '<unknown>';
    const inv = (o.involvedObject ?? {}) as Obj;
    const target = inv.name ? `${str(inv.kind).toLowerCase()}/${inv.name}` : str(inv.kind).toLowerCase();
    const component = o.source?.component || o.reportingComponent || '';
    const host = o.source?.host || o.reportingInstance || '';
    const source = host ? `${component}, ${host}` : component;
    return [last, str(o.type), str(o.reason), target, str(inv.fieldPath), source, str(o.message).trim(), first, count, o.metadata.name];
  },
};

const services: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    selectorCol('Route service traffic to pods with label keys and values matching this selector.'),
  ],
  row(o, now) {
    const spec = (o.spec ?? {}) as Obj;
    const internal = (spec.clusterIPs as string[] | undefined)?.[0] ?? '<none>';
    const ports = ((spec.ports ?? []) as Obj[]).map((p) => (int(p.nodePort) > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
    return [o.metadata.name, str(spec.type), internal, serviceExternalIP(o), ports || '<none>', age(o, now), formatLabels(spec.selector)];
  },
};

function serviceExternalIP(o: Obj): string {
  const spec = (o.spec ?? {}) as Obj;
  const external = (spec.externalIPs ?? []) as string[];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(o.status?.loadBalancer?.ingress);
      if (external.length) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
  }
  return '<unknown>';
}

/** IPs or hostnames of load-balancer ingress points, sorted; the API server always prints the wide form. */
function loadBalancerAddresses(ingress: unknown): string {
  const set = new Set<string>();
  for (const i of (Array.isArray(ingress) ? ingress : []) as Obj[]) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

const endpoints: Printer = {
  columns: [NAME_COLUMN, col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, formatEndpoints(o), age(o, now)],
};

function formatEndpoints(o: Obj): string {
  const subsets = (o.subsets ?? []) as Obj[];
  if (!subsets.length) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = (ss.addresses ?? []) as Obj[];
    const ports = (ss.ports ?? []) as Obj[];
    if (!ports.length) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(String(a.ip).includes(':') ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

const configmaps: Printer = {
  columns: [NAME_COLUMN, col('Data', 'string', 'Data contains the configuration data.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, now)],
};

const secrets: Printer = {
  columns: [NAME_COLUMN, col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, str(o.type), Object.keys(o.data ?? {}).length, age(o, now)],
};

const serviceaccounts: Printer = {
  columns: [NAME_COLUMN, col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, ((o.secrets ?? []) as unknown[]).length, age(o, now)],
};

const persistentvolumeclaims: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', { wide: true }),
  ],
  row(o, now) {
    const spec = (o.spec ?? {}) as Obj;
    const phase = o.metadata.deletionTimestamp ? 'Terminating' : str(o.status?.phase);
    let capacity = '';
    let modes = '';
    if (spec.volumeName) {
      modes = accessModes(o.status?.accessModes);
      capacity = str(o.status?.capacity?.storage) || '0';
    }
    const klass = str(o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName);
    return [o.metadata.name, phase, str(spec.volumeName), capacity, modes, klass, spec.volumeAttributesClassName ?? '<unset>', age(o, now), spec.volumeMode ?? '<unset>'];
  },
};

const persistentvolumes: Printer = {
  columns: [
    NAME_COLUMN,
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    AGE_COLUMN,
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { wide: true }),
  ],
  row(o, now) {
    const spec = (o.spec ?? {}) as Obj;
    const claim = spec.claimRef ? `${str(spec.claimRef.namespace)}/${str(spec.claimRef.name)}` : '';
    const phase = o.metadata.deletionTimestamp ? 'Terminating' : str(o.status?.phase);
    const klass = str(o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName);
    return [
      o.metadata.name,
      str(spec.capacity?.storage) || '0',
      accessModes(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      phase,
      claim,
      klass,
      spec.volumeAttributesClassName ?? '<unset>',
      str(o.status?.reason),
      age(o, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
};

const resourcequotas: Printer = {
  columns: [
    NAME_COLUMN,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    AGE_COLUMN,
  ],
  row(o, now) {
    const hard = (o.status?.hard ?? {}) as Record<string, string>;
    const used = (o.status?.used ?? {}) as Record<string, string>;
    const requests: string[] = [];
    const limits: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const text = `${r}: ${used[r] ?? '0'}/${hard[r]}`;
      const pieces = r.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(text);
    }
    return [o.metadata.name, requests.join(', '), limits.join(', '), age(o, now)];
  },
};

// --- apps ---------------------------------------------------------------------------------------------------

const deployments: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    selectorCol('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  row(o, now) {
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    const sel = selectorString(o.spec?.selector);
    return [
      o.metadata.name,
      `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas)}`,
      int(o.status?.updatedReplicas),
      int(o.status?.availableReplicas),
      age(o, now),
      names,
      images,
      sel === undefined ? '<invalid>' : sel,
    ];
  },
};

const replicasets: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently oberved number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    selectorCol('Selector is a label query over pods that should match the replica count.'),
  ],
  row(o, now) {
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    return [o.metadata.name, int(o.spec?.replicas), int(o.status?.replicas), int(o.status?.readyReplicas), age(o, now), names, images, formatLabelSelector(o.spec?.selector)];
  },
};

const statefulsets: Printer = {
  columns: [NAME_COLUMN, col('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS, IMAGES],
  row(o, now) {
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    return [o.metadata.name, `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas)}`, age(o, now), names, images];
  },
};

const daemonsets: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    selectorCol('A label query over pods that are managed by the daemon set.'),
  ],
  row(o, now) {
    const s = (o.status ?? {}) as Obj;
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    return [
      o.metadata.name,
      int(s.desiredNumberScheduled),
      int(s.currentNumberScheduled),
      int(s.numberReady),
      int(s.updatedNumberScheduled),
      int(s.numberAvailable),
      formatLabels(o.spec?.template?.spec?.nodeSelector),
      age(o, now),
      names,
      images,
      formatLabelSelector(o.spec?.selector),
    ];
  },
};

const controllerrevisions: Printer = {
  columns: [NAME_COLUMN, col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'), AGE_COLUMN],
  row(o, now) {
    const ref = ((o.metadata.ownerReferences ?? []) as Obj[]).find((r) => r.controller);
    let controller = '<none>';
    if (ref) {
      const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : '';
      const kind = group ? `${ref.kind}.${group}` : String(ref.kind);
      controller = `${kind.toLowerCase()}/${ref.name}`;
    }
    return [o.metadata.name, controller, int(o.revision), age(o, now)];
  },
};

// --- batch --------------------------------------------------------------------------------------------------

function jobCondition(o: Obj, type: string): boolean {
  const c = ((o.status?.conditions ?? []) as Obj[]).find((x) => x.type === type);
  return c?.status === 'True';
}

const jobs: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    selectorCol('A label query over pods that should match the pod count.'),
  ],
  row(o, now) {
    const spec = (o.spec ?? {}) as Obj;
    const st = (o.status ?? {}) as Obj;
    let completions: string;
    if (typeof spec.completions === 'number') completions = `${int(st.succeeded)}/${spec.completions}`;
    else {
      const parallelism = int(spec.parallelism);
      completions = parallelism > 1 ? `${int(st.succeeded)}/1 of ${parallelism}` : `${int(st.succeeded)}/1`;
    }
    let duration = '';
    const start = parseTime(st.startTime);
    if (start !== undefined) duration = st.completionTime ? durationBetween(st.startTime, st.completionTime) : humanDuration(now - start);
    let status = 'Running';
    if (jobCondition(o, 'Complete')) status = 'Complete';
    else if (jobCondition(o, 'Failed')) status = 'Failed';
    else if (o.metadata.deletionTimestamp) status = 'Terminating';
    else if (jobCondition(o, 'Suspended')) status = 'Suspended';
    else if (jobCondition(o, 'FailureTarget')) status = 'FailureTarget';
    const [names, images] = containerCells(spec.template?.spec?.containers);
    return [o.metadata.name, status, completions, duration, age(o, now), names, images, formatLabelSelector(spec.selector)];
  },
};

const cronjobs: Printer = {
  columns: [
    NAME_COLUMN,
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    selectorCol('A label query over pods that should match the pod count.'),
  ],
  row(o, now) {
    const spec = (o.spec ?? {}) as Obj;
    const last = o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : '<none>';
    const [names, images] = containerCells(spec.jobTemplate?.spec?.template?.spec?.containers);
    return [
      o.metadata.name,
      str(spec.schedule),
      spec.timeZone ?? '<none>',
      printBoolPtr(spec.suspend),
      ((o.status?.active ?? []) as unknown[]).length,
      last,
      age(o, now),
      names,
      images,
      formatLabelSelector(spec.jobTemplate?.spec?.selector),
    ];
  },
};

// --- autoscaling, policy ------------------------------------------------------------------------------------

const horizontalpodautoscalers: Printer = {
  columns: [
    NAME_COLUMN,
    col('Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
    col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count.'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler.'),
    AGE_COLUMN,
  ],
  row(o, now) {
    const spec = (o.spec ?? {}) as Obj;
    const ref = (spec.scaleTargetRef ?? {}) as Obj;
    return [
      o.metadata.name,
      `${str(ref.kind)}/${str(ref.name)}`,
      formatHPAMetrics((spec.metrics ?? []) as Obj[], (o.status?.currentMetrics ?? []) as Obj[]),
      typeof spec.minReplicas === 'number' ? String(spec.minReplicas) : '<unset>',
      int(spec.maxReplicas),
      int(o.status?.currentReplicas),
      age(o, now),
    ];
  },
};

function formatHPAMetrics(specs: Obj[], statuses: Obj[]): string {
  if (!specs.length) return '<none>';
  const list: string[] = [];
  const max = 2;
  specs.forEach((spec, i) => {
    const st = statuses[i];
    switch (spec.type) {
      case 'External': {
        const t = spec.external?.target ?? {};
        if (t.averageValue !== undefined) list.push(`${st?.external?.current?.averageValue ?? '<unknown>'}/${t.averageValue} (avg)`);
        else list.push(`${st?.external ? str(st.external.current?.value) || '0' : '<unknown>'}/${str(t.value) || '0'}`);
        break;
      }
      case 'Pods':
        list.push(`${st?.pods ? str(st.pods.current?.averageValue) || '0' : '<unknown>'}/${str(spec.pods?.target?.averageValue) || '0'}`);
        break;
      case 'Object': {
        const t = spec.object?.target ?? {};
        if (t.averageValue !== undefined) list.push(`${st?.object?.current?.averageValue ?? '<unknown>'}/${t.averageValue} (avg)`);
        else list.push(`${st?.object ? str(st.object.current?.value) || '0' : '<unknown>'}/${str(t.value) || '0'}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const cur = spec.type === 'Resource' ? st?.resource : st?.containerResource;
        const t = src?.target ?? {};
        if (t.averageValue !== undefined) {
          list.push(`${str(src?.name)}: ${cur ? str(cur.current?.averageValue) || '0' : '<unknown>'}/${t.averageValue}`);
        } else {
          const current = cur && typeof cur.current?.averageUtilization === 'number' ? `${cur.current.averageUtilization}%` : '<unknown>';
          const target = typeof t.averageUtilization === 'number' ? `${t.averageUtilization}%` : '<auto>';
          list.push(`${str(src?.name)}: ${current}/${target}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

const poddisruptionbudgets: Printer = {
  columns: [
    NAME_COLUMN,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  row(o, now) {
    const spec = (o.spec ?? {}) as Obj;
    return [
      o.metadata.name,
      spec.minAvailable !== undefined && spec.minAvailable !== null ? intOrString(spec.minAvailable) : 'N/A',
      spec.maxUnavailable !== undefined && spec.maxUnavailable !== null ? intOrString(spec.maxUnavailable) : 'N/A',
      int(o.status?.disruptionsAllowed),
      age(o, now),
    ];
  },
};

// --- networking, discovery, coordination, storage ----------------------------------------------------------

const ingresses: Printer = {
  columns: [
    NAME_COLUMN,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  row(o, now) {
    const spec = (o.spec ?? {}) as Obj;
    const rules = (spec.rules ?? []) as Obj[];
    const hosts: string[] = [];
    let more = false;
    for (const r of rules) {
      if (hosts.length === 3) more = true;
      if (!more && r.host) hosts.push(r.host);
    }
    const hostText = hosts.length === 0 ? '*' : more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
    const ports = ((spec.tls ?? []) as unknown[]).length ? '80, 443' : '80';
    return [o.metadata.name, spec.ingressClassName ?? '<none>', hostText, loadBalancerAddresses(o.status?.loadBalancer?.ingress), ports, age(o, now)];
  },
};

const ingressclasses: Printer = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  row(o, now) {
    const p = o.spec?.parameters as Obj | undefined;
    let params = '<none>';
    if (p) params = `${p.kind}${p.apiGroup ? '.' + p.apiGroup : ''}/${p.name}`;
    return [o.metadata.name, str(o.spec?.controller), params, age(o, now)];
  },
};

const networkpolicies: Printer = {
  columns: [NAME_COLUMN, col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, formatLabelSelector(o.spec?.podSelector ?? {}), age(o, now)],
};

const endpointslices: Printer = {
  columns: [
    NAME_COLUMN,
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    AGE_COLUMN,
  ],
  row(o, now) {
    const ports: string[] = [];
    let morePorts = false;
    let portCount = 0;
    for (const p of (o.ports ?? []) as Obj[]) {
      if (ports.length < 3) ports.push(typeof p.port === 'number' ? String(p.port) : p.name ? String(p.name) : '*');
      else if (ports.length === 3) morePorts = true;
      portCount++;
    }
    const addrs: string[] = [];
    let moreAddrs = false;
    let addrCount = 0;
    for (const e of (o.endpoints ?? []) as Obj[]) {
      for (const a of (e.addresses ?? []) as string[]) {
        if (addrs.length < 3) addrs.push(a);
        else if (addrs.length === 3) moreAddrs = true;
        addrCount++;
      }
    }
    return [o.metadata.name, str(o.addressType), listWithMore(ports, morePorts, portCount, 3), listWithMore(addrs, moreAddrs, addrCount, 3), age(o, now)];
  },
};

const leases: Printer = {
  columns: [NAME_COLUMN, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, str(o.spec?.holderIdentity), age(o, now)],
};

const storageclasses: Printer = {
  columns: [
    NAME_COLUMN,
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    AGE_COLUMN,
  ],
  row(o, now) {
    const ann = (o.metadata.annotations ?? {}) as Record<string, string>;
    const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      isDefault ? `${o.metadata.name} (default)` : o.metadata.name,
      str(o.provisioner),
      o.reclaimPolicy ?? 'Delete',
      o.volumeBindingMode ?? 'Immediate',
      o.allowVolumeExpansion === true,
      age(o, now),
    ];
  },
};

const pods: Printer = {
  columns: POD_COLUMNS,
  row: (o, now) => printPod(o as Pod, now),
  conditions: (o) => podRowConditions(o as Pod),
};

/** The Scale subresource's table (kubectl get --subresource=scale). */
export const SCALE_PRINTER: Printer = {
  columns: [
    col('Name', 'string', NAME_DESCRIPTION),
    col('Desired', 'integer', 'replicas is the desired number of instances for the scaled object.'),
    col('Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.'),
    AGE_COLUMN,
  ],
  row: (o, now) => [o.metadata.name, int(o.spec?.replicas), int(o.status?.replicas), age(o, now)],
};

/** Resources without a printer get the API server's default: NAME and CREATED AT. */
export const DEFAULT_PRINTER: Printer = {
  columns: [NAME_COLUMN, col('Created At', 'date', CREATED_DESCRIPTION)],
  row: (o) => [o.metadata?.name ?? '', createdAt(o.metadata?.creationTimestamp)],
};

function createdAt(ts: unknown): string {
  const t = parseTime(typeof ts === 'string' ? ts : undefined);
  return t === undefined ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Printers by `group/resource`. */
export const PRINTERS: Record<string, Printer> = {
  '/pods': pods,
  '/nodes': nodes,
  '/namespaces': namespaces,
  '/events': events,
  'events.k8s.io/events': events,
  '/services': services,
  '/endpoints': endpoints,
  '/configmaps': configmaps,
  '/secrets': secrets,
  '/serviceaccounts': serviceaccounts,
  '/persistentvolumeclaims': persistentvolumeclaims,
  '/persistentvolumes': persistentvolumes,
  '/resourcequotas': resourcequotas,
  'apps/deployments': deployments,
  'apps/replicasets': replicasets,
  'apps/statefulsets': statefulsets,
  'apps/daemonsets': daemonsets,
  'apps/controllerrevisions': controllerrevisions,
  'batch/jobs': jobs,
  'batch/cronjobs': cronjobs,
  'autoscaling/horizontalpodautoscalers': horizontalpodautoscalers,
  'policy/poddisruptionbudgets': poddisruptionbudgets,
  'networking.k8s.io/ingresses': ingresses,
  'networking.k8s.io/ingressclasses': ingressclasses,
  'networking.k8s.io/networkpolicies': networkpolicies,
  'discovery.k8s.io/endpointslices': endpointslices,
  'coordination.k8s.io/leases': leases,
  'storage.k8s.io/storageclasses': storageclasses,
};
