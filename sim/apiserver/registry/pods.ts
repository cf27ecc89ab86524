import type { FieldError } from '../errors.ts';
import { dns1123Label } from '../names.ts';
import type { Strategy, StrategyContext } from '../strategy.ts';
import type { Container, KObject, Pod } from '../types.ts';
import { parseQuantity, QUANTITY_ERROR } from '../../util/quantity.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** `nginx` and `nginx:latest` are pulled Always, anything with another tag or a digest IfNotPresent. */
export function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tagAt = image.lastIndexOf(':');
  if (tagAt <= lastSlash) return 'Always';
  return image.slice(tagAt + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The ServiceAccount admission plugin: unless automountServiceAccountToken is false, every pod gets the
 * projected `kube-api-access-<suffix>` volume (a bound token, the cluster CA and its namespace) mounted
 * read-only at /var/run/secrets/kubernetes.io/serviceaccount in each container.
 */
function mountServiceAccountToken(pod: Pod, ctx: StrategyContext): void {
  const spec = pod.spec;
  if (spec.automountServiceAccountToken === false) return;
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as (Container & { volumeMounts?: { mountPath: string; name: string; readOnly?: boolean }[] })[];
  if (containers.some((c) => c.volumeMounts?.some((m) => m.mountPath === SERVICE_ACCOUNT_DIR))) return;
  const name = `kube-api-access-${ctx.rng.suffix(5)}`;
  const volumes = ((spec.volumes as unknown[] | undefined) ??= []);
  volumes.push({
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  });
  for (const c of containers) (c.volumeMounts ??= []).push({ mountPath: SERVICE_ACCOUNT_DIR, name, readOnly: true });
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  if (c.resources.limits && !c.resources.requests) c.resources.requests = { ...c.resources.limits };
  else if (c.resources.limits && c.resources.requests) {
    for (const [k, v] of Object.entries(c.resources.limits)) c.resources.requests[k] ??= v;
  }
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
}

function qosClass(pod: Pod): string {
  const cs = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined || (req[r] !== undefined && parseQuantity(req[r]) !== parseQuantity(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export const podStrategy: Strategy = {
  hasStatus: true,
  defaults(obj) {
    const pod = obj as Pod;
    const spec = pod.spec;
    if (!spec || typeof spec !== 'object') return;
    spec.restartPolicy ??= 'Always';
    spec.terminationGracePeriodSeconds ??= 30;
    spec.dnsPolicy ??= 'ClusterFirst';
    spec.schedulerName ??= 'default-scheduler';
    spec.securityContext ??= {};
    spec.enableServiceLinks ??= true;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    spec.priority ??= 0;
    spec.serviceAccountName ??= (spec.serviceAccount as string | undefined) ?? 'default';
    spec.serviceAccount ??= spec.serviceAccountName;
    if (Array.isArray(spec.containers)) for (const c of spec.containers) if (c && typeof c === 'object') defaultContainer(c);
    if (Array.isArray(spec.initContainers)) for (const c of spec.initContainers) if (c && typeof c === 'object') defaultContainer(c);
  },
  prepareForCreate(obj, ctx: StrategyContext) {
    const pod = obj as Pod;
    // DefaultTolerationSeconds admission: tolerate not-ready and unreachable nodes for 300 s.
    const tolerations = (pod.spec.tolerations ??= []);
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      if (!tolerations.some((t) => t.key === key || (t.operator === 'Exists' && !t.key))) {
        tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
      }
    }
    mountServiceAccountToken(pod, ctx);
    pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
  },
  validate(obj) {
    return validatePodSpec(obj as Pod);
  },
  validateUpdate(obj, old) {
    const errs = validatePodSpec(obj as Pod);
    if (errs.length) return errs;
    // Pod specs are immutable but for images, activeDeadlineSeconds, added tolerations and a few more.
    const strip = (p: Pod) => {
      const s = JSON.parse(JSON.stringify(p.spec)) as Pod['spec'];
      for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) delete c.image;
      delete s.activeDeadlineSeconds;
      delete s.tolerations;
      delete s.terminationGracePeriodSeconds;
      return JSON.stringify(s);
    };
    const oldPod = old as Pod;
    if (strip(obj as Pod) !== strip(oldPod)) {
      return [
        {
          type: 'FieldValueForbidden',
          field: 'spec',
          detail:
            'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        },
      ];
    }
    return [];
  },
  deleteGracePeriod(obj, requested) {
    const pod = obj as Pod;
    // A pod no kubelet runs (unscheduled) or that already finished goes at once.
    if (!pod.spec.nodeName) return 0;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
    return requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  },
};

function validateContainers(list: unknown, field: string, names: Set<string>, required: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (list === undefined || list === null) {
    if (required) errs.push({ type: 'FieldValueRequired', field });
    return errs;
  }
  if (!Array.isArray(list)) return [{ type: 'FieldValueTypeInvalid', field, value: list, detail: 'must be a list' }];
  if (required && list.length === 0) errs.push({ type: 'FieldValueRequired', field });
  list.forEach((c: Container, i) => {
    const f = `${field}[${i}]`;
    if (!c || typeof c !== 'object') {
      errs.push({ type: 'FieldValueTypeInvalid', field: f, value: c, detail: 'must be an object' });
      return;
    }
    if (!c.name) errs.push({ type: 'FieldValueRequired', field: `${f}.name` });
    else {
      for (const e of dns1123Label(c.name)) errs.push({ type: 'FieldValueInvalid', field: `${f}.name`, value: c.name, detail: e });
      if (names.has(c.name)) errs.push({ type: 'FieldValueDuplicate', field: `${f}.name`, value: c.name });
      names.add(c.name);
    }
    if (!c.image || typeof c.image !== 'string' || !c.image.trim()) errs.push({ type: 'FieldValueRequired', field: `${f}.image` });
    if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) {
      errs.push({ type: 'FieldValueNotSupported', field: `${f}.imagePullPolicy`, value: c.imagePullPolicy, supported: PULL_POLICIES });
    }
    const portNames = new Set<string>();
    (c.ports ?? []).forEach((p, j) => {
      const pf = `${f}.ports[${j}]`;
      if (typeof p.containerPort !== 'number' || p.containerPort < 1 || p.containerPort > 65535 || !Number.isInteger(p.containerPort)) {
        errs.push({ type: 'FieldValueInvalid', field: `${pf}.containerPort`, value: p.containerPort, detail: 'must be between 1 and 65535, inclusive' });
      }
      if (p.hostPort !== undefined && (p.hostPort < 1 || p.hostPort > 65535)) {
        errs.push({ type: 'FieldValueInvalid', field: `${pf}.hostPort`, value: p.hostPort, detail: 'must be between 1 and 65535, inclusive' });
      }
      if (p.protocol && !PROTOCOLS.includes(p.protocol)) errs.push({ type: 'FieldValueNotSupported', field: `${pf}.protocol`, value: p.protocol, supported: PROTOCOLS });
      if (p.name) {
        if (portNames.has(p.name)) errs.push({ type: 'FieldValueDuplicate', field: `${pf}.name`, value: p.name });
        portNames.add(p.name);
      }
    });
    for (const kind of ['requests', 'limits'] as const) {
      for (const [r, q] of Object.entries(c.resources?.[kind] ?? {})) {
        const v = parseQuantity(q);
        if (v === undefined) errs.push({ type: 'FieldValueInvalid', field: `${f}.resources.${kind}[${r}]`, value: q, detail: QUANTITY_ERROR });
        else if (v < 0) errs.push({ type: 'FieldValueInvalid', field: `${f}.resources.${kind}[${r}]`, value: q, detail: 'must be greater than or equal to 0' });
      }
    }
    for (const [r, q] of Object.entries(c.resources?.requests ?? {})) {
      const lim = c.resources?.limits?.[r];
      if (lim !== undefined && (parseQuantity(q) ?? 0) > (parseQuantity(lim) ?? Infinity)) {
        errs.push({ type: 'FieldValueInvalid', field: `${f}.resources.requests`, value: q, detail: `must be less than or equal to ${r} limit of ${lim}` });
      }
    }
  });
  return errs;
}

export function validatePodSpec(pod: Pod, field = 'spec'): FieldError[] {
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object') return [{ type: 'FieldValueRequired', field: `${field}.containers` }];
  const names = new Set<string>();
  const errs = [
    ...validateContainers(spec.containers, `${field}.containers`, names, true),
    ...validateContainers(spec.initContainers, `${field}.initContainers`, names, false),
  ];
  if (spec.restartPolicy && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errs.push({ type: 'FieldValueNotSupported', field: `${field}.restartPolicy`, value: spec.restartPolicy, supported: RESTART_POLICIES });
  }
  if (spec.terminationGracePeriodSeconds !== undefined && (typeof spec.terminationGracePeriodSeconds !== 'number' || spec.terminationGracePeriodSeconds < 0)) {
    errs.push({ type: 'FieldValueInvalid', field: `${field}.terminationGracePeriodSeconds`, value: spec.terminationGracePeriodSeconds, detail: 'must be greater than or equal to 0' });
  }
  return errs;
}

export function isPodObject(o: KObject): o is Pod {
  return o.kind === 'Pod';
}
