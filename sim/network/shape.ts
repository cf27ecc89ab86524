/**
 * JSON shape checks for the objects this part of the sim registers, with the API server's 400 for a body
 * that does not decode into the Go types (`Service in version "v1" cannot be handled as a Service: json:
 * cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort`).
 * null is accepted anywhere (Go decodes it as the zero value).
 */
import { badRequest } from '../apiserver/errors.ts';

export type Shape =
  | 'string'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'intstr'
  | 'any'
  | { list: Shape; go: string }
  | { map: Shape; go: string }
  | { struct: string; fields: Record<string, Shape> };

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function goName(s: Shape): string {
  if (typeof s === 'string') return s === 'intstr' ? 'intstr.IntOrString' : s;
  if ('list' in s || 'map' in s) return s.go;
  return `v1.${s.struct}`;
}

function check(v: unknown, s: Shape, path: string, struct: string): string | undefined {
  if (v === null || v === undefined || s === 'any') return undefined;
  const fail = (what = jsonType(v)) => `json: cannot unmarshal ${what} into Go struct field ${struct}.${path} of type ${goName(s)}`;
  if (s === 'string') return typeof v === 'string' ? undefined : fail();
  if (s === 'bool') return typeof v === 'boolean' ? undefined : fail();
  if (s === 'int32' || s === 'int64') {
    if (typeof v !== 'number') return fail();
    if (!Number.isInteger(v)) return fail(`number ${v}`);
    return undefined;
  }
  if (s === 'intstr') return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? undefined : fail();
  if ('list' in s) {
    if (!Array.isArray(v)) return fail();
    for (const item of v) {
      const e = check(item, s.list, path, struct);
      if (e) return e;
    }
    return undefined;
  }
  if ('map' in s) {
    if (typeof v !== 'object' || Array.isArray(v)) return fail();
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      const e = check(item, s.map, `${path}`, struct);
      if (e) return e;
      void k;
    }
    return undefined;
  }
  if (typeof v !== 'object' || Array.isArray(v)) return fail();
  for (const [k, fs] of Object.entries(s.fields)) {
    const e = check((v as Record<string, unknown>)[k], fs, `${path}.${k}`, s.struct);
    if (e) return e;
  }
  return undefined;
}

/** Throws the API server's 400 when a top-level field of `obj` does not have its shape. */
export function assertShape(obj: Record<string, unknown>, kind: string, apiVersion: string, fields: Record<string, Shape>): void {
  for (const [k, s] of Object.entries(fields)) {
    const e = check(obj[k], s, k, kind);
    if (e) throw badRequest(`${kind} in version "${apiVersion.split('/').pop()}" cannot be handled as a ${kind}: ${e}`);
  }
}

const str: Shape = 'string';
const strList = (go = '[]string'): Shape => ({ list: str, go });
const strMap: Shape = { map: str, go: 'map[string]string' };
const selector: Shape = { struct: 'LabelSelector', fields: { matchLabels: strMap, matchExpressions: { list: { struct: 'LabelSelectorRequirement', fields: { key: str, operator: str, values: strList() } }, go: '[]v1.LabelSelectorRequirement' } } };

export const SERVICE_SHAPE: Record<string, Shape> = {
  spec: {
    struct: 'ServiceSpec',
    fields: {
      type: str,
      selector: strMap,
      ports: { list: { struct: 'ServicePort', fields: { name: str, protocol: str, appProtocol: str, port: 'int32', targetPort: 'intstr', nodePort: 'int32' } }, go: '[]v1.ServicePort' },
      clusterIP: str,
      clusterIPs: strList(),
      externalIPs: strList(),
      externalName: str,
      sessionAffinity: str,
      sessionAffinityConfig: { struct: 'SessionAffinityConfig', fields: { clientIP: { struct: 'ClientIPConfig', fields: { timeoutSeconds: 'int32' } } } },
      ipFamilies: strList('[]v1.IPFamily'),
      ipFamilyPolicy: str,
      internalTrafficPolicy: str,
      externalTrafficPolicy: str,
      allocateLoadBalancerNodePorts: 'bool',
      publishNotReadyAddresses: 'bool',
      healthCheckNodePort: 'int32',
      loadBalancerIP: str,
      loadBalancerClass: str,
      loadBalancerSourceRanges: strList(),
    },
  },
};

const resources: Shape = { struct: 'VolumeResourceRequirements', fields: { requests: { map: 'any', go: 'v1.ResourceList' }, limits: { map: 'any', go: 'v1.ResourceList' } } };

export const PVC_SHAPE: Record<string, Shape> = {
  spec: { struct: 'PersistentVolumeClaimSpec', fields: { accessModes: strList('[]v1.PersistentVolumeAccessMode'), resources, storageClassName: str, volumeName: str, volumeMode: str, selector, volumeAttributesClassName: str } },
};

export const PV_SHAPE: Record<string, Shape> = {
  spec: {
    struct: 'PersistentVolumeSpec',
    fields: {
      accessModes: strList('[]v1.PersistentVolumeAccessMode'),
      capacity: { map: 'any', go: 'v1.ResourceList' },
      persistentVolumeReclaimPolicy: str,
      storageClassName: str,
      volumeMode: str,
      hostPath: { struct: 'HostPathVolumeSource', fields: { path: str, type: str } },
      claimRef: { struct: 'ObjectReference', fields: { kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str } },
      mountOptions: strList(),
    },
  },
};

export const STORAGE_CLASS_SHAPE: Record<string, Shape> = {
  provisioner: str,
  parameters: strMap,
  reclaimPolicy: str,
  volumeBindingMode: str,
  allowVolumeExpansion: 'bool',
  mountOptions: strList(),
};

const peer: Shape = { struct: 'NetworkPolicyPeer', fields: { podSelector: selector, namespaceSelector: selector, ipBlock: { struct: 'IPBlock', fields: { cidr: str, except: strList() } } } };
const ports: Shape = { list: { struct: 'NetworkPolicyPort', fields: { protocol: str, port: 'intstr', endPort: 'int32' } }, go: '[]v1.NetworkPolicyPort' };

export const NETWORK_POLICY_SHAPE: Record<string, Shape> = {
  spec: {
    struct: 'NetworkPolicySpec',
    fields: {
      podSelector: selector,
      policyTypes: strList('[]v1.PolicyType'),
      ingress: { list: { struct: 'NetworkPolicyIngressRule', fields: { ports, from: { list: peer, go: '[]v1.NetworkPolicyPeer' } } }, go: '[]v1.NetworkPolicyIngressRule' },
      egress: { list: { struct: 'NetworkPolicyEgressRule', fields: { ports, to: { list: peer, go: '[]v1.NetworkPolicyPeer' } } }, go: '[]v1.NetworkPolicyEgressRule' },
    },
  },
};

export const CONFIG_MAP_SHAPE: Record<string, Shape> = { data: strMap, binaryData: { map: str, go: 'map[string][]uint8' }, immutable: 'bool' };
export const SECRET_SHAPE: Record<string, Shape> = { data: { map: str, go: 'map[string][]uint8' }, stringData: strMap, type: str, immutable: 'bool' };
