/**
 * Conversions between what is stored and what a request's group/version sees: autoscaling/v1
 * HorizontalPodAutoscalers (stored as autoscaling/v2), events.k8s.io/v1 Events (stored as core/v1 Events, as
 * the real API server shares their storage), and the autoscaling/v1 Scale of a workload.
 */
import { badRequest, conflict, invalid } from '../../sim/apiserver/errors.ts';
import { qualifiedName, type ResourceInfo } from '../../sim/apiserver/resources.ts';
import type { KObject } from '../../sim/apiserver/types.ts';
import { selectorString } from '../../sim/apiserver/printers/format.ts';

type Obj = Record<string, any>;

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** The apiVersion a request addresses (`autoscaling/v1`), which may differ from the storage version. */
export function requestApiVersion(info: ResourceInfo, version: string): string {
  return info.group ? `${info.group}/${version}` : version;
}

/** A stored object as the request's version shows it. */
export function toExternal(info: ResourceInfo, version: string, obj: KObject): KObject {
  if (info.group === 'autoscaling' && info.resource === 'horizontalpodautoscalers' && version === 'v1') return hpaV2ToV1(obj);
  if (info.group === 'events.k8s.io' && info.resource === 'events') return coreEventToEventsV1(obj);
  return obj;
}

/** A request body in the request's version, as the storage version holds it. */
export function toInternal(info: ResourceInfo, version: string, body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const o = body as Obj;
  if (info.group === 'autoscaling' && info.resource === 'horizontalpodautoscalers' && version === 'v1') {
    if (o.apiVersion !== undefined && o.apiVersion !== 'autoscaling/v1') return body;
    return hpaV1ToV2(o);
  }
  if (info.group === 'events.k8s.io' && info.resource === 'events') {
    if (o.apiVersion !== undefined && o.apiVersion !== 'events.k8s.io/v1') return body;
    return eventsV1ToCoreEvent(o);
  }
  return body;
}

// --- autoscaling/v1 <-> v2 ----------------------------------------------------------------------------------

function cpuUtilization(metrics: unknown, key: 'target' | 'current'): number | undefined {
  for (const m of (Array.isArray(metrics) ? metrics : []) as Obj[]) {
    if (m.type === 'Resource' && m.resource?.name === 'cpu') {
      const v = m.resource?.[key]?.averageUtilization;
      if (typeof v === 'number') return v;
    }
  }
  return undefined;
}

function hpaV2ToV1(o: KObject): KObject {
  const spec = (o.spec ?? {}) as Obj;
  const status = (o.status ?? {}) as Obj;
  const out: Obj = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: clone(o.metadata) };
  const s: Obj = { scaleTargetRef: clone(spec.scaleTargetRef) };
  if (spec.minReplicas !== undefined) s.minReplicas = spec.minReplicas;
  s.maxReplicas = spec.maxReplicas;
  const target = cpuUtilization(spec.metrics, 'target');
  if (target !== undefined) s.targetCPUUtilizationPercentage = target;
  out.spec = s;
  if (o.status !== undefined) {
    const st: Obj = {};
    if (status.observedGeneration !== undefined) st.observedGeneration = status.observedGeneration;
    if (status.lastScaleTime !== undefined) st.lastScaleTime = status.lastScaleTime;
    st.currentReplicas = status.currentReplicas ?? 0;
    st.desiredReplicas = status.desiredReplicas ?? 0;
    const current = cpuUtilization(status.currentMetrics, 'current');
    if (current !== undefined) st.currentCPUUtilizationPercentage = current;
    out.status = st;
  }
  return out as KObject;
}

function hpaV1ToV2(o: Obj): Obj {
  const spec = (o.spec ?? {}) as Obj;
  const out: Obj = { ...o, apiVersion: 'autoscaling/v2', kind: o.kind ?? 'HorizontalPodAutoscaler' };
  const s: Obj = { scaleTargetRef: spec.scaleTargetRef };
  if (spec.minReplicas !== undefined) s.minReplicas = spec.minReplicas;
  s.maxReplicas = spec.maxReplicas;
  if (typeof spec.targetCPUUtilizationPercentage === 'number') {
    s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
  }
  out.spec = s;
  if (o.status && typeof o.status === 'object') {
    const st = o.status as Obj;
    const next: Obj = { currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 };
    if (st.observedGeneration !== undefined) next.observedGeneration = st.observedGeneration;
    if (st.lastScaleTime !== undefined) next.lastScaleTime = st.lastScaleTime;
    if (typeof st.currentCPUUtilizationPercentage === 'number') {
      next.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } }];
    }
    out.status = next;
  }
  return out;
}

// --- events.k8s.io/v1 <-> core/v1 ---------------------------------------------------------------------------

function coreEventToEventsV1(o: KObject): KObject {
  const out: Obj = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: clone(o.metadata),
    eventTime: o.eventTime ?? null,
  };
  if (o.series) out.series = clone(o.series);
  const source = (o.source ?? {}) as Obj;
  if (o.reportingComponent || source.component) out.reportingController = o.reportingComponent || source.component;
  if (o.reportingInstance || source.host) out.reportingInstance = o.reportingInstance || source.host;
  if (o.action) out.action = o.action;
  if (o.reason) out.reason = o.reason;
  out.regarding = clone(o.involvedObject ?? {});
  if (o.related) out.related = clone(o.related);
  if (o.message) out.note = o.message;
  if (o.type) out.type = o.type;
  if (source.component || source.host) out.deprecatedSource = clone(source);
  if (o.firstTimestamp) out.deprecatedFirstTimestamp = o.firstTimestamp;
  if (o.lastTimestamp) out.deprecatedLastTimestamp = o.lastTimestamp;
  if (o.count) out.deprecatedCount = o.count;
  return out as KObject;
}

function eventsV1ToCoreEvent(o: Obj): Obj {
  const out: Obj = { apiVersion: 'v1', kind: 'Event', metadata: o.metadata };
  out.involvedObject = o.regarding ?? {};
  if (o.reason !== undefined) out.reason = o.reason;
  if (o.note !== undefined) out.message = o.note;
  out.source = o.deprecatedSource ?? {};
  if (o.deprecatedFirstTimestamp !== undefined) out.firstTimestamp = o.deprecatedFirstTimestamp;
  if (o.deprecatedLastTimestamp !== undefined) out.lastTimestamp = o.deprecatedLastTimestamp;
  if (o.deprecatedCount !== undefined) out.count = o.deprecatedCount;
  if (o.type !== undefined) out.type = o.type;
  out.eventTime = o.eventTime ?? null;
  if (o.series !== undefined) out.series = o.series;
  if (o.action !== undefined) out.action = o.action;
  if (o.related !== undefined) out.related = o.related;
  out.reportingComponent = o.reportingController ?? '';
  out.reportingInstance = o.reportingInstance ?? '';
  return out;
}

// --- scale subresource --------------------------------------------------------------------------------------

/** The autoscaling/v1 Scale of a Deployment, ReplicaSet or StatefulSet. */
export function scaleOf(obj: KObject): KObject {
  const spec = (obj.spec ?? {}) as Obj;
  const status = (obj.status ?? {}) as Obj;
  const m = obj.metadata;
  const metadata: Obj = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  const selector = selectorString(spec.selector);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, ...(selector ? { selector } : {}) },
  } as KObject;
}

/** Validates a Scale written by a client and returns the replicas it asks for. */
export function replicasFromScale(info: ResourceInfo, live: KObject, body: unknown): number {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
  const scale = body as Obj;
  if (scale.kind !== undefined && scale.kind !== 'Scale') throw badRequest(`the kind in the data (${scale.kind}) does not match the expected kind (Scale)`);
  if (scale.apiVersion !== undefined && scale.apiVersion !== 'autoscaling/v1') {
    throw badRequest(`the API version in the data (${scale.apiVersion}) does not match the expected API version (autoscaling/v1)`);
  }
  const name = live.metadata.name!;
  if (scale.metadata?.name !== undefined && scale.metadata.name !== name) {
    throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
  }
  const replicas = scale.spec?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw invalid('Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be an integer' }], 'autoscaling');
  }
  if (replicas < 0) {
    throw invalid('Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }], 'autoscaling');
  }
  // The Scale is validated first; its resourceVersion then guards the write like the workload's own.
  if (scale.metadata?.resourceVersion && scale.metadata.resourceVersion !== live.metadata.resourceVersion) {
    throw conflict(qualifiedName(info), name, 'the object has been modified; please apply your changes to the latest version and try again', info.group);
  }
  return replicas;
}

