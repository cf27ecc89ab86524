/**
 * Saving a sandbox as a scenario file (issue 8): the objects a learner made (what they applied, without what the
 * cluster added: status, uids, defaults set by controllers, objects owned by controllers, the system's own
 * objects) become `cluster.manifests`; the nodes become a count and merge patches (labels, taints, cordons that
 * differ from a fresh node); the task, hints and checks come from the author. The output is deterministic
 * (objects in install order, then by namespace and name) and, started again, rebuilds the same objects.
 */
import { stringify } from 'yaml';
import { createCluster } from '../bootstrap.ts';
import { apiVersionOf, NODES, RESOURCES, type ResourceInfo } from '../apiserver/resources.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';

/** What the author writes in the form. `checks` are in the file's form: `{title, id?, guard?, <kind>: {...}}`. */
export interface SaveScenarioInput {
  name: string;
  title: string;
  level: string;
  topics?: string[];
  summary?: string;
  task: string;
  hints?: string[];
  checks: Record<string, unknown>[];
  warmupSeconds?: number;
}

export interface ClusterSpec {
  nodes: number;
  nodePatches: { node: string; patch: Record<string, unknown> }[];
  /** the user's objects, cleaned, in install order */
  objects: Record<string, any>[];
}

const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
/** Kinds the cluster makes by itself (or that describe what happened rather than what was asked). */
const SKIPPED_KINDS = new Set(['Node', 'Event', 'Endpoints', 'EndpointSlice', 'ControllerRevision', 'Lease']);
/** The order `kubectl apply -f` of a directory wants them in (as Helm installs): what others refer to first. */
const INSTALL_ORDER = [
  'Namespace', 'PriorityClass', 'StorageClass', 'IngressClass', 'ResourceQuota', 'LimitRange', 'ServiceAccount', 'Secret', 'ConfigMap',
  'PersistentVolume', 'PersistentVolumeClaim', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'Pod', 'ReplicaSet', 'Deployment',
  'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler', 'Ingress',
];
const DROPPED_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision', 'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas', 'pv.kubernetes.io/bind-completed', 'pv.kubernetes.io/bound-by-controller',
  'pv.kubernetes.io/provisioned-by', 'volume.beta.kubernetes.io/storage-provisioner', 'volume.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/selected-node', 'batch.kubernetes.io/job-tracking', 'kubectl.kubernetes.io/restartedAt_',
];
const JOB_LABELS = ['batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'controller-uid', 'job-name'];

function rank(kind: string): number {
  const i = INSTALL_ORDER.indexOf(kind);
  return i < 0 ? INSTALL_ORDER.length : i;
}

function key(info: ResourceInfo, o: KObject): string {
  return `${apiVersionOf(info)}/${info.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function emptyObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** Is this object one the learner (or the scenario) made, rather than the cluster? */
function isUserObject(info: ResourceInfo, o: KObject, builtin: Set<string>): boolean {
  if (SKIPPED_KINDS.has(info.kind)) return false;
  const ns = o.metadata.namespace;
  if (ns && SYSTEM_NAMESPACES.has(ns)) return false;
  if (info.kind === 'Namespace' && (SYSTEM_NAMESPACES.has(o.metadata.name ?? '') || o.metadata.name === 'default')) return false;
  if (builtin.has(key(info, o))) return false;
  if ((o.metadata.ownerReferences ?? []).some((r: any) => r.controller)) return false;
  if (info.kind === 'ServiceAccount' && o.metadata.name === 'default') return false;
  if (info.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') return false;
  if (info.kind === 'Secret' && (o as any).type === 'kubernetes.io/service-account-token') return false;
  // Volumes a provisioner made for a claim come back when the claim is created again.
  if (info.kind === 'PersistentVolume' && o.metadata.annotations?.['pv.kubernetes.io/provisioned-by']) return false;
  return true;
}

/** Claims a StatefulSet makes for its replicas (`<template>-<set>-<ordinal>`): they come back with it. */
function statefulSetClaims(cluster: Cluster): Set<string> {
  const out = new Set<string>();
  const sets = RESOURCES.find((r) => r.kind === 'StatefulSet')!;
  for (const s of cluster.store.list(sets)) {
    for (const t of (s as any).spec?.volumeClaimTemplates ?? []) out.add(`${s.metadata.namespace}/${t.metadata?.name}-${s.metadata.name}-`);
  }
  return out;
}

/** The object as its author would write it: no status, no server-set identity, no controller annotations. */
export function cleanObject(info: ResourceInfo, obj: KObject): Record<string, any> {
  const o = JSON.parse(JSON.stringify(obj)) as Record<string, any>;
  delete o.status;
  const m = o.metadata;
  for (const f of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers']) delete m[f];
  if (!info.namespaced) delete m.namespace;
  if (m.annotations) {
    for (const a of DROPPED_ANNOTATIONS) delete m.annotations[a];
    if (emptyObject(m.annotations)) delete m.annotations;
  }
  const spec = o.spec;
  switch (info.kind) {
    case 'Namespace':
      delete o.spec;
      if (m.labels?.['kubernetes.io/metadata.name'] === m.name) delete m.labels['kubernetes.io/metadata.name'];
      break;
    case 'Service':
      if (spec && spec.clusterIP !== 'None') delete spec.clusterIP;
      delete spec?.clusterIPs;
      if (spec) {
        delete spec.ipFamilies;
        delete spec.ipFamilyPolicy;
        delete spec.internalTrafficPolicy;
        if (spec.sessionAffinity === 'None') delete spec.sessionAffinity;
      }
      break;
    case 'Pod':
      stripTokenVolume(spec);
      break;
    case 'Job':
      if (spec && !spec.manualSelector) {
        delete spec.selector;
        for (const l of JOB_LABELS) {
          delete spec.template?.metadata?.labels?.[l];
          delete m.labels?.[l];
        }
      }
      break;
    case 'PersistentVolume':
      if (spec?.claimRef) {
        delete spec.claimRef.uid;
        delete spec.claimRef.resourceVersion;
      }
      break;
  }
  if (m.labels && emptyObject(m.labels)) delete m.labels;
  dropNullTimestamps(o);
  dropDefaults(info.kind, o);
  return o;
}

/** Removes keys whose value equals the default the API server fills in (compared as JSON). */
function dropEqual(obj: any, defaults: Record<string, unknown>): void {
  if (!obj || typeof obj !== 'object') return;
  for (const [k, v] of Object.entries(defaults)) if (k in obj && JSON.stringify(obj[k]) === JSON.stringify(v)) delete obj[k];
}

const POD_DEFAULTS = {
  terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {},
  enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, restartPolicy: 'Always',
};
const CONTAINER_DEFAULTS = { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} };
const DEFAULT_TOLERATIONS = JSON.stringify([
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
]);

/** The pull policy the API server gives a container without one: Always for `:latest` (or no tag), else IfNotPresent. */
function defaultPullPolicy(image: string): string {
  const last = image.split('/').pop() ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function dropPodDefaults(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  dropEqual(spec, POD_DEFAULTS);
  if (spec.serviceAccount === (spec.serviceAccountName ?? 'default')) delete spec.serviceAccount;
  if (spec.serviceAccountName === 'default') delete spec.serviceAccountName;
  if (JSON.stringify(spec.tolerations) === DEFAULT_TOLERATIONS) delete spec.tolerations;
  for (const list of ['containers', 'initContainers']) {
    for (const c of spec[list] ?? []) {
      dropEqual(c, CONTAINER_DEFAULTS);
      if (typeof c.image === 'string' && c.imagePullPolicy === defaultPullPolicy(c.image)) delete c.imagePullPolicy;
      for (const p of c.ports ?? []) if (p.protocol === 'TCP') delete p.protocol;
    }
  }
}

/** Server-set defaults an author would not write (the round trip puts them back the same). */
function dropDefaults(kind: string, o: any): void {
  const spec = o.spec;
  if (!spec) return;
  switch (kind) {
    case 'Pod':
      dropPodDefaults(spec);
      break;
    case 'Deployment':
      dropEqual(spec, { revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } } });
      dropPodDefaults(spec.template?.spec);
      break;
    case 'StatefulSet':
      dropEqual(spec, {
        podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      });
      for (const t of spec.volumeClaimTemplates ?? []) {
        delete t.status;
        dropEqual(t.spec, { volumeMode: 'Filesystem' });
      }
      dropEqual(spec, { revisionHistoryLimit: 10 });
      dropPodDefaults(spec.template?.spec);
      break;
    case 'ReplicaSet':
    case 'DaemonSet':
      dropEqual(spec, { revisionHistoryLimit: 10 });
      dropPodDefaults(spec.template?.spec);
      break;
    case 'PersistentVolume':
    case 'PersistentVolumeClaim':
      dropEqual(spec, { volumeMode: 'Filesystem' });
      break;
    case 'Job':
      dropEqual(spec, { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' });
      dropPodDefaults(spec.template?.spec);
      break;
    case 'CronJob':
      dropEqual(spec, { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
      dropPodDefaults(spec.jobTemplate?.spec?.template?.spec);
      break;
    case 'Service':
      if (spec.type === 'ClusterIP') delete spec.type;
      for (const p of spec.ports ?? []) {
        if (p.protocol === 'TCP') delete p.protocol;
        if (p.targetPort === p.port) delete p.targetPort;
      }
      break;
  }
}

/** Pod templates carry `metadata: {creationTimestamp: null}` as the API returns them; nobody writes that. */
function dropNullTimestamps(v: any): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) return v.forEach(dropNullTimestamps);
  for (const [k, x] of Object.entries(v)) {
    if (k === 'metadata' && x && typeof x === 'object') {
      const md = x as Record<string, any>;
      if (md.creationTimestamp === null) delete md.creationTimestamp;
      if (emptyObject(md.labels)) delete md.labels;
      if (emptyObject(md)) delete v[k];
    }
    dropNullTimestamps(v[k]);
  }
}

/** The ServiceAccount admission plugin's `kube-api-access-*` volume comes back when the pod is created again. */
function stripTokenVolume(spec: any): void {
  if (!spec?.volumes) return;
  const names = new Set<string>(spec.volumes.filter((v: any) => /^kube-api-access-/.test(v.name) && v.projected).map((v: any) => v.name));
  if (!names.size) return;
  spec.volumes = spec.volumes.filter((v: any) => !names.has(v.name));
  if (!spec.volumes.length) delete spec.volumes;
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of spec[list] ?? []) {
      if (!c.volumeMounts) continue;
      c.volumeMounts = c.volumeMounts.filter((vm: any) => !names.has(vm.name));
      if (!c.volumeMounts.length) delete c.volumeMounts;
    }
  }
}

function sortedRecord(r: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r ?? {}).sort()) out[k] = r![k];
  return out;
}

/** Taints the node lifecycle sets by itself (not-ready, unreachable, cordoned): not the author's. */
function authoredTaints(node: KObject): any[] {
  return ((node as any).spec?.taints ?? []).filter((t: any) => !String(t.key).startsWith('node.kubernetes.io/')).map((t: any) => {
    const { timeAdded: _t, ...rest } = t;
    return rest;
  });
}

/** The nodes' labels, taints and cordons that differ from a fresh cluster's, as merge patches. */
function nodePatches(cluster: Cluster, fresh: Cluster): ClusterSpec['nodePatches'] {
  const out: ClusterSpec['nodePatches'] = [];
  for (const node of cluster.store.list(NODES)) {
    const name = node.metadata.name ?? '';
    const base = fresh.store.get(NODES, undefined, name);
    if (!base) continue;
    const patch: Record<string, any> = {};
    const labels = sortedRecord(node.metadata.labels);
    const baseLabels = sortedRecord(base.metadata.labels);
    const labelPatch: Record<string, string | null> = {};
    for (const k of Object.keys(labels)) if (baseLabels[k] !== labels[k]) labelPatch[k] = labels[k];
    for (const k of Object.keys(baseLabels)) if (!(k in labels)) labelPatch[k] = null;
    if (Object.keys(labelPatch).length) patch.metadata = { labels: sortedRecord(labelPatch as any) };
    const spec: Record<string, any> = {};
    const taints = authoredTaints(node);
    if (JSON.stringify(taints) !== JSON.stringify(authoredTaints(base))) spec.taints = taints;
    if (!!(node as any).spec?.unschedulable !== !!(base as any).spec?.unschedulable) spec.unschedulable = !!(node as any).spec?.unschedulable;
    if (Object.keys(spec).length) patch.spec = spec;
    if (Object.keys(patch).length) out.push({ node: name, patch });
  }
  return out;
}

/** The cluster as a scenario would build it: node count and patches, and the user's objects in install order. */
export function clusterSpec(cluster: Cluster): ClusterSpec {
  const nodes = Math.max(1, cluster.store.count(NODES));
  // A fresh cluster with as many nodes: what it holds is the system's, not the learner's.
  const fresh = createCluster({ seed: 'save-reference', startTime: cluster.now(), nodes });
  const builtin = new Set<string>();
  for (const info of RESOURCES) for (const o of fresh.store.list(info)) builtin.add(key(info, o));
  const objects: { rank: number; ns: string; name: string; kind: string; obj: Record<string, any> }[] = [];
  const seen = new Set<string>();
  const claimPrefixes = statefulSetClaims(cluster);
  for (const info of RESOURCES) {
    for (const o of cluster.store.list(info)) {
      const k = key(info, o);
      if (seen.has(k)) continue; // Events are served by two groups from one table
      seen.add(k);
      if (o.metadata.deletionTimestamp || !isUserObject(info, o, builtin)) continue;
      if (info.kind === 'PersistentVolumeClaim' && [...claimPrefixes].some((p) => `${o.metadata.namespace}/${o.metadata.name}`.startsWith(p) && /^\d+$/.test(`${o.metadata.namespace}/${o.metadata.name}`.slice(p.length)))) continue;
      objects.push({ rank: rank(info.kind), ns: o.metadata.namespace ?? '', name: o.metadata.name ?? '', kind: info.kind, obj: cleanObject(info, o) });
    }
  }
  // A claim bound to a volume that is not saved (a provisioned one) binds again when it is created.
  const volumes = new Set(objects.filter((o) => o.kind === 'PersistentVolume').map((o) => o.name));
  for (const o of objects) {
    if (o.kind === 'PersistentVolumeClaim' && o.obj.spec?.volumeName && !volumes.has(o.obj.spec.volumeName)) delete o.obj.spec.volumeName;
  }
  objects.sort((a, b) => a.rank - b.rank || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { nodes, nodePatches: nodePatches(cluster, fresh), objects: objects.map((o) => o.obj) };
}

/** Multi-document YAML of objects, as `kubectl get -o yaml` writes each. */
export function manifestsYaml(objects: Record<string, any>[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** The scenario file for a cluster and the author's task, hints and checks (validate it with parseScenario). */
export function saveScenario(cluster: Cluster, input: SaveScenarioInput): string {
  const spec = clusterSpec(cluster);
  const file: Record<string, unknown> = { name: input.name, title: input.title, level: input.level };
  if (input.topics?.length) file.topics = input.topics;
  if (input.summary) file.summary = input.summary;
  const c: Record<string, unknown> = { nodes: spec.nodes };
  if (spec.nodePatches.length) c.nodePatches = spec.nodePatches;
  if (spec.objects.length) c.manifests = manifestsYaml(spec.objects);
  c.warmupSeconds = input.warmupSeconds ?? 30;
  file.cluster = c;
  file.task = input.task.endsWith('\n') || !input.task ? input.task : input.task + '\n';
  file.hints = input.hints ?? [];
  file.checks = input.checks;
  return stringify(file, { lineWidth: 0, blockQuote: 'literal' });
}
