/**
 * What the merge algorithms need to know about the built-in types: which lists merge item by item and by which
 * key, which are sets, which are replaced whole, and which maps are atomic. It is the information the Go types
 * carry in their `patchStrategy`/`patchMergeKey` tags (strategic merge patch) and `+listType`/`+listMapKey`/
 * `+mapType` markers (server-side apply), written down for the kinds this API server serves.
 *
 * A field the schema does not describe is treated as the API machinery treats a "deduced" type: maps merge
 * key by key, lists are replaced whole.
 */

export type Field =
  | { kind: 'struct'; type: string; /** non-pointer struct: present even in an empty object */ always?: boolean }
  | {
      kind: 'list';
      /** element struct type (lists of objects) */
      elem?: string;
      /** strategic merge patch: `patchStrategy:"merge"` and its `patchMergeKey` (none for primitive sets) */
      smpMerge?: boolean;
      mergeKey?: string;
      /** server-side apply: `+listType` and `+listMapKey`s */
      listType: 'atomic' | 'set' | 'map';
      keys?: string[];
      /** a required (non-omitempty) list: present, as null, even in an empty object */
      always?: boolean;
    }
  | { kind: 'map'; /** value struct type, if the values are objects */ elem?: string; atomic?: boolean }
  | { kind: 'atomic' };

export interface TypeDef {
  fields: Record<string, Field>;
  /** `+structType=atomic`: server-side apply owns and replaces it whole (strategic merge patch still merges it) */
  atomic?: boolean;
}

const struct = (type: string, always = false): Field => ({ kind: 'struct', type, always });
/** A list merged by key in both SMP (first key) and SSA (all keys). */
const mapList = (elem: string | undefined, ...keys: string[]): Field => ({ kind: 'list', elem, smpMerge: true, mergeKey: keys[0], listType: 'map', keys });
/** A list SSA merges by key but strategic merge patch replaces (no patchStrategy tag). */
const ssaMapList = (elem: string | undefined, ...keys: string[]): Field => ({ kind: 'list', elem, listType: 'map', keys });
const atomicList = (elem?: string): Field => ({ kind: 'list', elem, listType: 'atomic' });
/** A list of strings with `patchStrategy:"merge"`: union on patch, a set for SSA. */
const mergeSet: Field = { kind: 'list', smpMerge: true, listType: 'set' };
const map = (elem?: string): Field => ({ kind: 'map', elem });
const atomicMap: Field = { kind: 'map', atomic: true };
const atomic: Field = { kind: 'atomic' };
/** Conditions keyed by type (`patchMergeKey:"type"`, `+listType=map`, `+listMapKey=type`). */
const conditions = mapList(undefined, 'type');

export const TYPES: Record<string, TypeDef> = {
  ObjectMeta: {
    fields: {
      labels: map(),
      annotations: map(),
      finalizers: mergeSet,
      ownerReferences: mapList(undefined, 'uid'),
      managedFields: atomicList(),
    },
  },
  LabelSelector: { fields: { matchLabels: map(), matchExpressions: atomicList() }, atomic: true },
  PodTemplateSpec: { fields: { metadata: struct('ObjectMeta', true), spec: struct('PodSpec', true) } },
  PodSpec: {
    fields: {
      volumes: mapList('Volume', 'name'),
      initContainers: mapList('Container', 'name'),
      containers: { ...mapList('Container', 'name'), always: true } as Field,
      ephemeralContainers: mapList('Container', 'name'),
      imagePullSecrets: mapList(undefined, 'name'),
      hostAliases: mapList('HostAlias', 'ip'),
      tolerations: atomicList(),
      readinessGates: atomicList(),
      topologySpreadConstraints: mapList('TopologySpreadConstraint', 'topologyKey', 'whenUnsatisfiable'),
      schedulingGates: mapList(undefined, 'name'),
      resourceClaims: mapList(undefined, 'name'),
      nodeSelector: atomicMap,
      affinity: struct('Affinity'),
      securityContext: struct('PodSecurityContext'),
      dnsConfig: struct('PodDNSConfig'),
      overhead: map(),
    },
  },
  Volume: { fields: { projected: struct('ProjectedVolumeSource'), configMap: struct('KeyToPathSource'), secret: struct('KeyToPathSource') } },
  ProjectedVolumeSource: { fields: { sources: atomicList() } },
  KeyToPathSource: { fields: { items: atomicList() } },
  HostAlias: { fields: { hostnames: atomicList() } },
  TopologySpreadConstraint: { fields: { labelSelector: struct('LabelSelector'), matchLabelKeys: atomicList() } },
  Affinity: { fields: { nodeAffinity: struct('NodeAffinity'), podAffinity: struct('PodAffinity'), podAntiAffinity: struct('PodAffinity') } },
  NodeAffinity: {
    fields: {
      requiredDuringSchedulingIgnoredDuringExecution: struct('NodeSelector'),
      preferredDuringSchedulingIgnoredDuringExecution: atomicList(),
    },
  },
  NodeSelector: { fields: { nodeSelectorTerms: atomicList() } },
  PodAffinity: { fields: { requiredDuringSchedulingIgnoredDuringExecution: atomicList(), preferredDuringSchedulingIgnoredDuringExecution: atomicList() } },
  PodSecurityContext: { fields: { supplementalGroups: atomicList(), sysctls: atomicList() } },
  PodDNSConfig: { fields: { nameservers: atomicList(), searches: atomicList(), options: atomicList() } },
  Container: {
    fields: {
      command: atomicList(),
      args: atomicList(),
      ports: mapList(undefined, 'containerPort', 'protocol'),
      env: mapList('EnvVar', 'name'),
      envFrom: atomicList(),
      volumeMounts: mapList(undefined, 'mountPath'),
      volumeDevices: mapList(undefined, 'devicePath'),
      resizePolicy: atomicList(),
      resources: struct('ResourceRequirements'),
      securityContext: struct('SecurityContext'),
      livenessProbe: struct('Probe'),
      readinessProbe: struct('Probe'),
      startupProbe: struct('Probe'),
      lifecycle: struct('Lifecycle'),
    },
  },
  EnvVar: { fields: { valueFrom: struct('EnvVarSource') } },
  EnvVarSource: { fields: {} },
  ResourceRequirements: { fields: { limits: map(), requests: map(), claims: ssaMapList(undefined, 'name') } },
  SecurityContext: { fields: { capabilities: struct('Capabilities') } },
  Capabilities: { fields: { add: atomicList(), drop: atomicList() } },
  Probe: { fields: { exec: struct('ExecAction'), httpGet: struct('HTTPGetAction') } },
  ExecAction: { fields: { command: atomicList() } },
  HTTPGetAction: { fields: { httpHeaders: atomicList() } },
  Lifecycle: { fields: { postStart: struct('LifecycleHandler'), preStop: struct('LifecycleHandler') } },
  LifecycleHandler: { fields: { exec: struct('ExecAction'), httpGet: struct('HTTPGetAction') } },
  PodStatus: {
    fields: {
      conditions,
      podIPs: mapList(undefined, 'ip'),
      hostIPs: mapList(undefined, 'ip'),
      initContainerStatuses: atomicList(),
      containerStatuses: atomicList(),
      ephemeralContainerStatuses: atomicList(),
      resourceClaimStatuses: mapList(undefined, 'name'),
    },
  },

  // core/v1 kinds
  Pod: { fields: { metadata: struct('ObjectMeta', true), spec: struct('PodSpec', true), status: struct('PodStatus', true) } },
  Service: { fields: { metadata: struct('ObjectMeta', true), spec: struct('ServiceSpec', true), status: struct('ServiceStatus', true) } },
  ServiceSpec: {
    fields: {
      ports: mapList(undefined, 'port', 'protocol'),
      selector: atomicMap,
      clusterIPs: atomicList(),
      externalIPs: atomicList(),
      ipFamilies: atomicList(),
      loadBalancerSourceRanges: atomicList(),
    },
  },
  ServiceStatus: { fields: { conditions, loadBalancer: struct('LoadBalancerStatus') } },
  LoadBalancerStatus: { fields: { ingress: atomicList() } },
  Endpoints: { fields: { metadata: struct('ObjectMeta', true), subsets: atomicList() } },
  ConfigMap: { fields: { metadata: struct('ObjectMeta', true), data: map(), binaryData: map() } },
  Secret: { fields: { metadata: struct('ObjectMeta', true), data: map(), stringData: map() } },
  ServiceAccount: { fields: { metadata: struct('ObjectMeta', true), secrets: mapList(undefined, 'name'), imagePullSecrets: atomicList() } },
  Event: { fields: { metadata: struct('ObjectMeta', true), involvedObject: struct('ObjectReference', true), source: struct('EventSource', true) } },
  ObjectReference: { fields: {}, atomic: true },
  EventSource: { fields: {} },
  Namespace: { fields: { metadata: struct('ObjectMeta', true), spec: struct('NamespaceSpec', true), status: struct('NamespaceStatus', true) } },
  NamespaceSpec: { fields: { finalizers: atomicList() } },
  NamespaceStatus: { fields: { conditions } },
  Node: { fields: { metadata: struct('ObjectMeta', true), spec: struct('NodeSpec', true), status: struct('NodeStatus', true) } },
  NodeSpec: { fields: { taints: atomicList(), podCIDRs: mergeSet } },
  NodeStatus: {
    fields: {
      conditions,
      addresses: mapList(undefined, 'type'),
      capacity: map(),
      allocatable: map(),
      images: atomicList(),
      volumesInUse: atomicList(),
      volumesAttached: atomicList(),
    },
  },
  PersistentVolumeClaim: {
    fields: { metadata: struct('ObjectMeta', true), spec: struct('PersistentVolumeClaimSpec', true), status: struct('PersistentVolumeClaimStatus', true) },
  },
  PersistentVolumeClaimSpec: { fields: { accessModes: atomicList(), resources: struct('ResourceRequirements'), selector: struct('LabelSelector') } },
  PersistentVolumeClaimStatus: { fields: { conditions, accessModes: atomicList(), capacity: map() } },
  PersistentVolume: { fields: { metadata: struct('ObjectMeta', true), spec: struct('PersistentVolumeSpec', true), status: struct('PersistentVolumeStatus', true) } },
  PersistentVolumeSpec: { fields: { accessModes: atomicList(), mountOptions: atomicList(), capacity: map() } },
  PersistentVolumeStatus: { fields: {} },
  ResourceQuota: { fields: { metadata: struct('ObjectMeta', true), spec: struct('ResourceQuotaSpec', true), status: struct('ResourceQuotaStatus', true) } },
  ResourceQuotaSpec: { fields: { hard: map(), scopes: atomicList() } },
  ResourceQuotaStatus: { fields: { hard: map(), used: map() } },
  LimitRange: { fields: { metadata: struct('ObjectMeta', true), spec: struct('LimitRangeSpec', true) } },
  LimitRangeSpec: { fields: { limits: atomicList() } },

  // apps/v1
  Deployment: { fields: { metadata: struct('ObjectMeta', true), spec: struct('DeploymentSpec', true), status: struct('DeploymentStatus', true) } },
  DeploymentSpec: { fields: { selector: struct('LabelSelector'), template: struct('PodTemplateSpec', true), strategy: struct('DeploymentStrategy', true) } },
  DeploymentStrategy: { fields: { rollingUpdate: struct('RollingUpdate') } },
  RollingUpdate: { fields: {} },
  DeploymentStatus: { fields: { conditions } },
  ReplicaSet: { fields: { metadata: struct('ObjectMeta', true), spec: struct('ReplicaSetSpec', true), status: struct('ReplicaSetStatus', true) } },
  ReplicaSetSpec: { fields: { selector: struct('LabelSelector'), template: struct('PodTemplateSpec', true) } },
  ReplicaSetStatus: { fields: { conditions } },
  StatefulSet: { fields: { metadata: struct('ObjectMeta', true), spec: struct('StatefulSetSpec', true), status: struct('StatefulSetStatus', true) } },
  StatefulSetSpec: {
    fields: { selector: struct('LabelSelector'), template: struct('PodTemplateSpec', true), volumeClaimTemplates: atomicList(), updateStrategy: struct('StatefulSetUpdateStrategy', true) },
  },
  StatefulSetUpdateStrategy: { fields: { rollingUpdate: struct('RollingUpdate') } },
  StatefulSetStatus: { fields: { conditions } },
  DaemonSet: { fields: { metadata: struct('ObjectMeta', true), spec: struct('DaemonSetSpec', true), status: struct('DaemonSetStatus', true) } },
  DaemonSetSpec: { fields: { selector: struct('LabelSelector'), template: struct('PodTemplateSpec', true), updateStrategy: struct('DeploymentStrategy', true) } },
  DaemonSetStatus: { fields: { conditions } },
  ControllerRevision: { fields: { metadata: struct('ObjectMeta', true), data: atomic } },

  // batch/v1
  Job: { fields: { metadata: struct('ObjectMeta', true), spec: struct('JobSpec', true), status: struct('JobStatus', true) } },
  JobSpec: { fields: { selector: struct('LabelSelector'), template: struct('PodTemplateSpec', true), podFailurePolicy: struct('PodFailurePolicy') } },
  PodFailurePolicy: { fields: { rules: atomicList() } },
  // JobStatus.conditions: patchStrategy merge by type, but +listType=atomic.
  JobStatus: { fields: { conditions: { kind: 'list', smpMerge: true, mergeKey: 'type', listType: 'atomic' } } },
  CronJob: { fields: { metadata: struct('ObjectMeta', true), spec: struct('CronJobSpec', true), status: struct('CronJobStatus', true) } },
  CronJobSpec: { fields: { jobTemplate: struct('JobTemplateSpec', true) } },
  JobTemplateSpec: { fields: { metadata: struct('ObjectMeta', true), spec: struct('JobSpec', true) } },
  CronJobStatus: { fields: { active: atomicList() } },

  // autoscaling/v2
  HorizontalPodAutoscaler: {
    fields: { metadata: struct('ObjectMeta', true), spec: struct('HorizontalPodAutoscalerSpec', true), status: struct('HorizontalPodAutoscalerStatus', true) },
  },
  HorizontalPodAutoscalerSpec: { fields: { metrics: atomicList(), behavior: struct('HPABehavior') } },
  HPABehavior: { fields: { scaleUp: struct('HPAScalingRules'), scaleDown: struct('HPAScalingRules') } },
  HPAScalingRules: { fields: { policies: atomicList() } },
  HorizontalPodAutoscalerStatus: { fields: { conditions, currentMetrics: atomicList() } },

  // policy/v1
  PodDisruptionBudget: {
    fields: { metadata: struct('ObjectMeta', true), spec: struct('PodDisruptionBudgetSpec', true), status: struct('PodDisruptionBudgetStatus', true) },
  },
  PodDisruptionBudgetSpec: { fields: { selector: struct('LabelSelector') } },
  PodDisruptionBudgetStatus: { fields: { conditions, disruptedPods: map() } },

  // networking.k8s.io/v1
  Ingress: { fields: { metadata: struct('ObjectMeta', true), spec: struct('IngressSpec', true), status: struct('IngressStatus', true) } },
  IngressSpec: { fields: { rules: atomicList(), tls: atomicList() } },
  IngressStatus: { fields: { loadBalancer: struct('LoadBalancerStatus', true) } },
  IngressClass: { fields: { metadata: struct('ObjectMeta', true) } },
  NetworkPolicy: { fields: { metadata: struct('ObjectMeta', true), spec: struct('NetworkPolicySpec', true) } },
  NetworkPolicySpec: { fields: { podSelector: struct('LabelSelector', true), ingress: atomicList(), egress: atomicList(), policyTypes: atomicList() } },

  // discovery, coordination, storage
  EndpointSlice: { fields: { metadata: struct('ObjectMeta', true), endpoints: atomicList(), ports: atomicList() } },
  Lease: { fields: { metadata: struct('ObjectMeta', true) } },
  StorageClass: { fields: { metadata: struct('ObjectMeta', true), parameters: map(), mountOptions: atomicList(), allowedTopologies: atomicList() } },

  // subresource bodies
  Scale: { fields: { metadata: struct('ObjectMeta', true) } },
};

/** The root type of a kind (the kinds share names with their Go types). */
export function rootType(kind: string | undefined): string | undefined {
  return kind && TYPES[kind] ? kind : undefined;
}

/** The schema of a field of `type`, if known. */
export function fieldOf(type: string | undefined, name: string): Field | undefined {
  if (!type) return undefined;
  return TYPES[type]?.fields[name];
}

/** The type of the values under a field: a struct's type, a list's element type or a map's value type. */
export function childType(field: Field | undefined): string | undefined {
  if (!field) return undefined;
  if (field.kind === 'struct') return field.type;
  if (field.kind === 'list' || field.kind === 'map') return field.elem;
  return undefined;
}
