import { findResource } from '../apiserver/resources.ts';
import type { ObjectStore } from '../apiserver/store.ts';
import type { Container, KObject, Pod } from '../apiserver/types.ts';
import { decodeBase64 } from '../util/base64.ts';
import { bytes, milliCpu } from '../util/quantity.ts';

const CONFIGMAPS = findResource('', 'configmaps')!;
const SECRETS = findResource('', 'secrets')!;

/** A container's environment could not be built: the kubelet's CreateContainerConfigError message. */
export class EnvError extends Error {}

interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: KeyRef;
    secretKeyRef?: KeyRef;
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string; divisor?: string; containerName?: string };
  };
}

interface EnvFrom {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

/** `$(VAR)` references in env values, as the kubelet expands them (`$$` escapes). */
function expandRefs(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name) => {
    if (m === '$$') return '$';
    return name in env ? env[name] : m;
  });
}

/** The service-link variables of the `kubernetes` Service, which every pod gets. */
const KUBERNETES_ENV: Record<string, string> = {
  KUBERNETES_SERVICE_HOST: '10.96.0.1',
  KUBERNETES_SERVICE_PORT: '443',
  KUBERNETES_SERVICE_PORT_HTTPS: '443',
  KUBERNETES_PORT: 'tcp://10.96.0.1:443',
  KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
  KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
  KUBERNETES_PORT_443_TCP_PORT: '443',
  KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
};

function data(obj: KObject, secret: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((obj.data as Record<string, string>) ?? {})) out[k] = secret ? decodeBase64(v) : v;
  if (!secret) for (const [k, v] of Object.entries((obj.binaryData as Record<string, string>) ?? {})) out[k] = decodeBase64(v);
  return out;
}

function fieldValue(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return (pod.metadata[m[1] as 'labels'] ?? {})[m[2]] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return (pod.spec.serviceAccountName as string) ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    case 'status.hostIPs': return (pod.status?.hostIPs ?? []).map((x) => x.ip).join(',');
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.podIPs': return (pod.status?.podIPs ?? []).map((x) => x.ip).join(',');
  }
  return '';
}

function resourceValue(pod: Pod, container: Container, ref: { resource: string; divisor?: string; containerName?: string }, nodeAlloc: Record<string, string>): string {
  const c = ref.containerName ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === ref.containerName) ?? container : container;
  const [kind, res] = ref.resource.split('.');
  const q = (kind === 'limits' ? c.resources?.limits : c.resources?.requests)?.[res] ?? (kind === 'limits' ? nodeAlloc[res] : undefined);
  if (res === 'cpu') {
    const m = q ? milliCpu(q) : 0;
    const div = ref.divisor ? milliCpu(ref.divisor) : 1000;
    return String(Math.ceil(m / div));
  }
  const b = q ? bytes(q) : 0;
  const div = ref.divisor ? bytes(ref.divisor) : 1;
  return String(Math.ceil(b / div));
}

/**
 * The environment a container starts with, as the kubelet builds it: the image's PATH, HOSTNAME, the
 * service-link variables, envFrom, then env (with `$(VAR)` expansion). Throws EnvError with the kubelet's
 * message when a ConfigMap, Secret or key it needs is missing.
 */
export function containerEnv(store: ObjectStore, pod: Pod, container: Container, nodeAlloc: Record<string, string> = {}): Record<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: pod.metadata.name ?? '',
  };
  Object.assign(env, KUBERNETES_ENV);
  const getObj = (secret: boolean, name: string) => store.get(secret ? SECRETS : CONFIGMAPS, ns, name);
  for (const from of ((container as { envFrom?: EnvFrom[] }).envFrom ?? []) as EnvFrom[]) {
    const secret = !!from.secretRef;
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const obj = getObj(secret, ref.name ?? '');
    if (!obj) {
      if (ref.optional) continue;
      throw new EnvError(`${secret ? 'secret' : 'configmap'} "${ref.name ?? ''}" not found`);
    }
    for (const [k, v] of Object.entries(data(obj, secret))) env[(from.prefix ?? '') + k] = v;
  }
  for (const e of (container.env ?? []) as EnvVar[]) {
    if (e.valueFrom) {
      const vf = e.valueFrom;
      if (vf.configMapKeyRef || vf.secretKeyRef) {
        const secret = !!vf.secretKeyRef;
        const ref = (vf.secretKeyRef ?? vf.configMapKeyRef)!;
        const obj = getObj(secret, ref.name ?? '');
        if (!obj) {
          if (ref.optional) continue;
          throw new EnvError(`${secret ? 'secret' : 'configmap'} "${ref.name ?? ''}" not found`);
        }
        const d = data(obj, secret);
        if (!(ref.key in d)) {
          if (ref.optional) continue;
          throw new EnvError(`couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name ?? ''}`);
        }
        env[e.name] = d[ref.key];
      } else if (vf.fieldRef) env[e.name] = fieldValue(pod, vf.fieldRef.fieldPath);
      else if (vf.resourceFieldRef) env[e.name] = resourceValue(pod, container, vf.resourceFieldRef, nodeAlloc);
    } else env[e.name] = expandRefs(e.value ?? '', env);
  }
  env.HOME ??= '/root';
  return env;
}
