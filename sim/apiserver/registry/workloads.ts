/** Defaulting and validation of the apps, batch and autoscaling kinds, as their registry strategies do it. */
import type { FieldError } from '../errors.ts';
import { selectorFromSpec, matchesLabels, type LabelSelectorSpec } from '../selectors.ts';
import type { Strategy, StrategyContext } from '../strategy.ts';
import type { KObject, Pod } from '../types.ts';
import { podStrategy, validatePodSpec } from './pods.ts';
import { cronError } from '../../controllers/cron.ts';

type Obj = Record<string, any>;

function specOf(o: KObject): Obj {
  return (o.spec ?? {}) as Obj;
}

/** Defaults a pod template as the API server defaults a pod (SetDefaults_PodSpec and friends). */
export function defaultTemplate(template: Obj | undefined, ctx: StrategyContext): void {
  if (!template || typeof template !== 'object') return;
  template.metadata ??= {};
  if (template.metadata && typeof template.metadata === 'object' && !('creationTimestamp' in template.metadata)) template.metadata.creationTimestamp = null;
  if (template.spec && typeof template.spec === 'object') podStrategy.defaults!({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: template.spec }, ctx);
}

function isIntOrPercent(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^(\d+%|\d+)$/.test(v));
}

function percentOver100(v: unknown): boolean {
  return typeof v === 'string' && v.endsWith('%') && Number(v.slice(0, -1)) > 100;
}

function isZero(v: unknown): boolean {
  return v === 0 || v === '0' || v === '0%';
}

function nonNegative(errs: FieldError[], v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be an integer' });
  else if (v < 0) errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be greater than or equal to 0' });
}

/** selector + template as every workload kind validates them; `restartPolicies` the template may use. */
function validateSelectorAndTemplate(o: KObject, errs: FieldError[], restartPolicies: string[], selectorRequired = true): void {
  const spec = specOf(o);
  const sel = spec.selector as LabelSelectorSpec | undefined;
  if (sel === undefined || sel === null) {
    if (selectorRequired) errs.push({ type: 'FieldValueRequired', field: 'spec.selector' });
  } else if (!sel.matchLabels && !(sel.matchExpressions ?? []).length) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.selector', value: sel, detail: `empty selector is invalid for ${o.kind === 'Deployment' ? 'deployment' : o.kind === 'ReplicaSet' ? 'replicaset' : o.kind.toLowerCase()}` });
  }
  const tpl = spec.template as Obj | undefined;
  if (!tpl || typeof tpl !== 'object') {
    errs.push({ type: 'FieldValueRequired', field: 'spec.template' });
    return;
  }
  if (sel && (sel.matchLabels || (sel.matchExpressions ?? []).length)) {
    let matches = false;
    try {
      matches = matchesLabels(selectorFromSpec(sel), tpl.metadata?.labels ?? {});
    } catch (e) {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.selector', value: sel, detail: (e as Error).message });
      matches = true;
    }
    if (!matches) errs.push({ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', value: tpl.metadata?.labels ?? {}, detail: '`selector` does not match template `labels`' });
  }
  errs.push(...validatePodSpec({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: tpl.spec } as Pod, 'spec.template.spec'));
  const rp = tpl.spec?.restartPolicy;
  if (rp && !restartPolicies.includes(rp) && ['Always', 'OnFailure', 'Never'].includes(rp)) {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', value: rp, supported: restartPolicies });
  }
  if (tpl.spec?.activeDeadlineSeconds !== undefined && restartPolicies.length === 1 && restartPolicies[0] === 'Always') {
    errs.push({ type: 'FieldValueForbidden', field: 'spec.template.spec.activeDeadlineSeconds', detail: 'activeDeadlineSeconds in ReplicaSet is not Supported' });
  }
}

function selectorImmutable(o: KObject, old: KObject, errs: FieldError[]): void {
  const a = JSON.stringify(specOf(o).selector ?? null);
  const b = JSON.stringify(specOf(old).selector ?? null);
  if (a !== b) errs.push({ type: 'FieldValueInvalid', field: 'spec.selector', value: specOf(o).selector, detail: 'field is immutable' });
}

// --- Deployment -------------------------------------------------------------------------------------------

function defaultDeployment(o: KObject, ctx: StrategyContext): void {
  const spec = o.spec as Obj | undefined;
  if (!spec || typeof spec !== 'object') return;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec.template, ctx);
}

function validateDeployment(o: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o);
  nonNegative(errs, spec.replicas, 'spec.replicas');
  nonNegative(errs, spec.minReadySeconds, 'spec.minReadySeconds');
  nonNegative(errs, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  validateSelectorAndTemplate(o, errs, ['Always']);
  const st = (spec.strategy ?? {}) as Obj;
  if (st.type !== 'Recreate' && st.type !== 'RollingUpdate') {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.strategy.type', value: st.type, supported: ['Recreate', 'RollingUpdate'] });
  } else if (st.type === 'Recreate' && st.rollingUpdate) {
    errs.push({ type: 'FieldValueForbidden', field: 'spec.strategy.rollingUpdate', detail: "may not be specified when strategy `type` is 'Recreate'" });
  } else if (st.type === 'RollingUpdate') {
    const ru = (st.rollingUpdate ?? {}) as Obj;
    for (const k of ['maxUnavailable', 'maxSurge']) {
      if (!isIntOrPercent(ru[k])) errs.push({ type: 'FieldValueInvalid', field: `spec.strategy.rollingUpdate.${k}`, value: ru[k], detail: 'must be an integer or percentage (e.g \'5%\')' });
      else if (typeof ru[k] === 'number' && ru[k] < 0) errs.push({ type: 'FieldValueInvalid', field: `spec.strategy.rollingUpdate.${k}`, value: ru[k], detail: 'must be greater than or equal to 0' });
    }
    if (percentOver100(ru.maxUnavailable)) errs.push({ type: 'FieldValueInvalid', field: 'spec.strategy.rollingUpdate.maxUnavailable', value: ru.maxUnavailable, detail: 'must not be greater than 100%' });
    if (isZero(ru.maxSurge) && isZero(ru.maxUnavailable)) {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.strategy.rollingUpdate.maxUnavailable', value: ru.maxUnavailable, detail: 'may not be 0 when `maxSurge` is 0' });
    }
  }
  if (spec.progressDeadlineSeconds !== undefined) {
    nonNegative(errs, spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds');
    if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.progressDeadlineSeconds', value: spec.progressDeadlineSeconds, detail: 'must be greater than minReadySeconds' });
    }
  }
  return errs;
}

export const deploymentStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults: defaultDeployment,
  validate: validateDeployment,
  validateUpdate(o, old) {
    const errs = validateDeployment(o);
    selectorImmutable(o, old, errs);
    return errs;
  },
};

// --- ReplicaSet -------------------------------------------------------------------------------------------

function defaultReplicaSet(o: KObject, ctx: StrategyContext): void {
  const spec = o.spec as Obj | undefined;
  if (!spec || typeof spec !== 'object') return;
  spec.replicas ??= 1;
  defaultTemplate(spec.template, ctx);
}

function validateReplicaSet(o: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o);
  nonNegative(errs, spec.replicas, 'spec.replicas');
  nonNegative(errs, spec.minReadySeconds, 'spec.minReadySeconds');
  validateSelectorAndTemplate(o, errs, ['Always']);
  return errs;
}

export const replicaSetStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,
  validateUpdate(o, old) {
    const errs = validateReplicaSet(o);
    selectorImmutable(o, old, errs);
    return errs;
  },
};

// --- Job ----------------------------------------------------------------------------------------------------

function defaultJobSpec(spec: Obj, ctx: StrategyContext): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  if (spec.backoffLimitPerIndex === undefined) spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= undefined;
  if (spec.manualSelector === undefined) delete spec.manualSelector;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  defaultTemplate(spec.template, ctx);
}

function validateJobSpec(o: KObject, spec: Obj, prefix: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished']) nonNegative(errs, spec[f], `${prefix}.${f}`);
  if (typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds <= 0) {
    errs.push({ type: 'FieldValueInvalid', field: `${prefix}.activeDeadlineSeconds`, value: spec.activeDeadlineSeconds, detail: 'must be greater than 0' });
  }
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode)) {
    errs.push({ type: 'FieldValueNotSupported', field: `${prefix}.completionMode`, value: spec.completionMode, supported: ['NonIndexed', 'Indexed'] });
  }
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push({ type: 'FieldValueRequired', field: `${prefix}.completions`, detail: 'when completion mode is Indexed' });
  }
  const tpl = spec.template as Obj | undefined;
  if (!tpl || typeof tpl !== 'object') {
    errs.push({ type: 'FieldValueRequired', field: `${prefix}.template` });
    return errs;
  }
  errs.push(...validatePodSpec({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: tpl.spec } as Pod, `${prefix}.template.spec`));
  const rp = tpl.spec?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') {
    errs.push({ type: 'FieldValueNotSupported', field: `${prefix}.template.spec.restartPolicy`, value: rp, supported: ['OnFailure', 'Never'] });
  }
  void o;
  return errs;
}

export const jobStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults(o, ctx) {
    const spec = o.spec as Obj | undefined;
    if (spec && typeof spec === 'object') defaultJobSpec(spec, ctx);
  },
  prepareForCreate(o) {
    // The generated selector: the job's uid, and the labels its pods carry.
    const spec = o.spec as Obj;
    if (spec.manualSelector) return;
    const uid = o.metadata.uid!;
    const name = o.metadata.name!;
    spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    const tpl = (spec.template ??= {});
    tpl.metadata ??= {};
    tpl.metadata.labels = { ...(tpl.metadata.labels ?? {}), 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
    o.metadata.labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name, ...(o.metadata.labels ?? {}) };
  },
  validate(o) {
    const spec = specOf(o);
    const errs = validateJobSpec(o, spec, 'spec');
    if (spec.manualSelector) validateSelectorAndTemplate(o, errs, ['OnFailure', 'Never']);
    return errs;
  },
  validateUpdate(o, old) {
    const spec = specOf(o);
    const errs = validateJobSpec(o, spec, 'spec');
    selectorImmutable(o, old, errs);
    const strip = (t: unknown) => JSON.stringify(t ?? null);
    if (strip(spec.template) !== strip(specOf(old).template) && !specOf(old).suspend) {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.template', value: spec.template, detail: 'field is immutable' });
    }
    if (spec.completions !== specOf(old).completions && spec.completionMode !== 'Indexed') {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.completions', value: spec.completions, detail: 'field is immutable' });
    }
    return errs;
  },
};

// --- CronJob ------------------------------------------------------------------------------------------------

export const cronJobStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults(o, ctx) {
    const spec = o.spec as Obj | undefined;
    if (!spec || typeof spec !== 'object') return;
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    const jt = spec.jobTemplate;
    if (jt && typeof jt === 'object' && jt.spec && typeof jt.spec === 'object') defaultTemplate(jt.spec.template, ctx);
  },
  validate: validateCronJob,
  validateUpdate: (o) => validateCronJob(o),
  validateName(name) {
    const errs: string[] = [];
    if (name.length > 52) errs.push('must be no more than 52 characters');
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name)) {
      errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }
    return errs;
  },
};

function validateCronJob(o: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o);
  const sched = spec.schedule;
  if (!sched) errs.push({ type: 'FieldValueRequired', field: 'spec.schedule' });
  else if (typeof sched !== 'string') errs.push({ type: 'FieldValueInvalid', field: 'spec.schedule', value: sched, detail: 'must be a string' });
  else if (/(^|\s)(CRON_)?TZ=/.test(sched)) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.schedule', value: sched, detail: 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead' });
  } else {
    const err = cronError(sched);
    if (err) errs.push({ type: 'FieldValueInvalid', field: 'spec.schedule', value: sched, detail: err });
  }
  if (spec.timeZone !== undefined && spec.timeZone !== null && !['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT'].includes(spec.timeZone)) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.timeZone', value: spec.timeZone, detail: `unknown time zone ${spec.timeZone} (this sandbox keeps CronJobs in UTC)` });
  }
  if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.concurrencyPolicy', value: spec.concurrencyPolicy, supported: ['Allow', 'Forbid', 'Replace'] });
  }
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) nonNegative(errs, spec[f], `spec.${f}`);
  const jt = spec.jobTemplate as Obj | undefined;
  if (!jt || typeof jt !== 'object' || !jt.spec) errs.push({ type: 'FieldValueRequired', field: 'spec.jobTemplate' });
  else {
    const js = jt.spec as Obj;
    errs.push(...validateJobSpec(o, js, 'spec.jobTemplate.spec'));
  }
  return errs;
}


// --- StatefulSet --------------------------------------------------------------------------------------------

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export const statefulSetStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults(o, ctx) {
    const spec = o.spec as Obj | undefined;
    if (!spec || typeof spec !== 'object') return;
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= { type: 'RollingUpdate' };
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.partition ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= {};
    spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
    spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
    for (const t of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
      if (!t || typeof t !== 'object') continue;
      t.apiVersion ??= 'v1';
      t.kind ??= 'PersistentVolumeClaim';
      t.spec ??= {};
      t.spec.volumeMode ??= 'Filesystem';
      t.status ??= { phase: 'Pending' };
    }
    defaultTemplate(spec.template, ctx);
  },
  validate: validateStatefulSet,
  validateUpdate(o, old) {
    const errs = validateStatefulSet(o);
    const strip = (x: KObject) => {
      const s = { ...specOf(x) };
      for (const k of STS_MUTABLE) delete s[k];
      return JSON.stringify(s);
    };
    if (strip(o) !== strip(old)) {
      errs.push({
        type: 'FieldValueForbidden',
        field: 'spec',
        detail: "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      });
    }
    return errs;
  },
};

function validateStatefulSet(o: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o);
  nonNegative(errs, spec.replicas, 'spec.replicas');
  nonNegative(errs, spec.minReadySeconds, 'spec.minReadySeconds');
  if (!['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.podManagementPolicy', value: spec.podManagementPolicy, supported: ['OrderedReady', 'Parallel'] });
  }
  const ut = spec.updateStrategy ?? {};
  if (!['RollingUpdate', 'OnDelete'].includes(ut.type)) errs.push({ type: 'FieldValueNotSupported', field: 'spec.updateStrategy.type', value: ut.type, supported: ['OnDelete', 'RollingUpdate'] });
  nonNegative(errs, ut.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition');
  validateSelectorAndTemplate(o, errs, ['Always']);
  return errs;
}

// --- DaemonSet ----------------------------------------------------------------------------------------------

export const daemonSetStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults(o, ctx) {
    const spec = o.spec as Obj | undefined;
    if (!spec || typeof spec !== 'object') return;
    spec.updateStrategy ??= { type: 'RollingUpdate' };
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(spec.template, ctx);
  },
  validate: validateDaemonSet,
  validateUpdate(o, old) {
    const errs = validateDaemonSet(o);
    selectorImmutable(o, old, errs);
    return errs;
  },
};

function validateDaemonSet(o: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o);
  nonNegative(errs, spec.minReadySeconds, 'spec.minReadySeconds');
  const ut = spec.updateStrategy ?? {};
  if (!['RollingUpdate', 'OnDelete'].includes(ut.type)) errs.push({ type: 'FieldValueNotSupported', field: 'spec.updateStrategy.type', value: ut.type, supported: ['OnDelete', 'RollingUpdate'] });
  if (ut.type === 'RollingUpdate') {
    const ru = ut.rollingUpdate ?? {};
    if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.updateStrategy.rollingUpdate.maxUnavailable', value: ru.maxUnavailable, detail: 'cannot be 0 when maxSurge is 0' });
    }
  }
  validateSelectorAndTemplate(o, errs, ['Always']);
  return errs;
}

// --- HorizontalPodAutoscaler (autoscaling/v2) ---------------------------------------------------------------

export const hpaStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults(o) {
    const spec = o.spec as Obj | undefined;
    if (!spec || typeof spec !== 'object') return;
    spec.minReplicas ??= 1;
    if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
      spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    }
  },
  validate: validateHpa,
  validateUpdate: (o) => validateHpa(o),
};

function validateHpa(o: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o);
  const ref = (spec.scaleTargetRef ?? {}) as Obj;
  if (!ref.kind) errs.push({ type: 'FieldValueRequired', field: 'spec.scaleTargetRef.kind' });
  if (!ref.name) errs.push({ type: 'FieldValueRequired', field: 'spec.scaleTargetRef.name' });
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.minReplicas', value: spec.minReplicas, detail: 'must be greater than or equal to 1' });
  }
  if (typeof spec.maxReplicas !== 'number') errs.push({ type: 'FieldValueRequired', field: 'spec.maxReplicas' });
  else if (spec.maxReplicas < 1) errs.push({ type: 'FieldValueInvalid', field: 'spec.maxReplicas', value: spec.maxReplicas, detail: 'must be greater than 0' });
  else if (typeof spec.minReplicas === 'number' && spec.maxReplicas < spec.minReplicas) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.maxReplicas', value: spec.maxReplicas, detail: 'must be greater than or equal to `minReplicas`' });
  }
  return errs;
}
