/**
 * Services: defaulting, validation, ClusterIP and NodePort allocation as kube-apiserver's service registry
 * does it (pkg/registry/core/service and pkg/apis/core/validation), with the same field paths and messages.
 */
import { StatusError, type FieldError } from '../errors.ts';
import { dns1035Label, dns1123Label, dns1123Subdomain, validateLabels } from '../names.ts';
import type { Strategy, StrategyContext } from '../strategy.ts';
import type { KObject } from '../types.ts';
import { ServiceAllocator } from '../../network/allocator.ts';
import { isIPv4 } from '../../network/ip.ts';
import { assertShape, SERVICE_SHAPE } from '../../network/shape.ts';

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  type?: string;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  externalName?: string;
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  allocateLoadBalancerNodePorts?: boolean;
  publishNotReadyAddresses?: boolean;
  healthCheckNodePort?: number;
  [k: string]: unknown;
}

export interface Service extends KObject {
  spec: ServiceSpec;
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string; ipMode?: string }[] }; conditions?: unknown[] };
}

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const PORT_RANGE = 'must be between 1 and 65535, inclusive';

export function isHeadless(s: Service): boolean {
  return s.spec?.clusterIP === 'None';
}

function needsClusterIP(spec: ServiceSpec): boolean {
  return spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
}

function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** A port name as IsValidPortName checks it. */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** `Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: ...` with Go's rendering of the value. */
function invalidRaw(name: string, causes: { field: string; message: string; reason?: string }[]): StatusError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  return new StatusError(422, 'Invalid', `Service "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`, {
    name,
    kind: 'Service',
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

function goStrings(list: string[]): string {
  return `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;
}

function defaults(obj: KObject): void {
  assertShape(obj, 'Service', 'v1', SERVICE_SHAPE);
  const svc = obj as Service;
  if (!svc.spec || typeof svc.spec !== 'object') svc.spec = {};
  const spec = svc.spec;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!p || typeof p !== 'object') continue;
      p.protocol ??= 'TCP';
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
  }
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
  if (spec.clusterIPs?.length && !spec.clusterIP) spec.clusterIP = spec.clusterIPs[0];
}

function validate(obj: KObject): FieldError[] {
  const svc = obj as Service;
  const spec = svc.spec;
  const errs: FieldError[] = [];
  if (!TYPES.includes(String(spec.type))) {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.type', value: spec.type, supported: TYPES });
    return errs;
  }
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.push({ type: 'FieldValueRequired', field: 'spec.externalName' });
    else for (const e of dns1123Subdomain(spec.externalName.replace(/\.$/, ''))) errs.push({ type: 'FieldValueInvalid', field: 'spec.externalName', value: spec.externalName, detail: e });
  }
  const ports = spec.ports ?? [];
  if (!Array.isArray(ports)) return [{ type: 'FieldValueTypeInvalid', field: 'spec.ports', value: ports, detail: 'must be a list' }];
  if (ports.length === 0 && spec.clusterIP !== 'None' && spec.type !== 'ExternalName') errs.push({ type: 'FieldValueRequired', field: 'spec.ports' });
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (!p || typeof p !== 'object') {
      errs.push({ type: 'FieldValueTypeInvalid', field: f, value: p, detail: 'must be an object' });
      return;
    }
    if (ports.length > 1 && !p.name) errs.push({ type: 'FieldValueRequired', field: `${f}.name` });
    if (p.name) {
      for (const e of dns1123Label(p.name)) errs.push({ type: 'FieldValueInvalid', field: `${f}.name`, value: p.name, detail: e });
      if (names.has(p.name)) errs.push({ type: 'FieldValueDuplicate', field: `${f}.name`, value: p.name });
      names.add(p.name);
    }
    if (typeof p.port !== 'number' || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errs.push({ type: 'FieldValueInvalid', field: `${f}.port`, value: p.port, detail: PORT_RANGE });
    if (!PROTOCOLS.includes(String(p.protocol))) errs.push({ type: 'FieldValueNotSupported', field: `${f}.protocol`, value: p.protocol, supported: PROTOCOLS });
    if (typeof p.targetPort === 'number') {
      if (!Number.isInteger(p.targetPort) || p.targetPort < 1 || p.targetPort > 65535) errs.push({ type: 'FieldValueInvalid', field: `${f}.targetPort`, value: p.targetPort, detail: PORT_RANGE });
    } else if (typeof p.targetPort === 'string') {
      for (const e of portNameErrors(p.targetPort)) errs.push({ type: 'FieldValueInvalid', field: `${f}.targetPort`, value: p.targetPort, detail: e });
    }
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') {
        errs.push({ type: 'FieldValueForbidden', field: `${f}.nodePort`, detail: `may not be used when \`type\` is '${spec.type}'` });
      } else if (typeof p.nodePort !== 'number' || p.nodePort < 1 || p.nodePort > 65535) {
        errs.push({ type: 'FieldValueInvalid', field: `${f}.nodePort`, value: p.nodePort, detail: PORT_RANGE });
      }
    }
  });
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!AFFINITIES.includes(String(spec.sessionAffinity))) errs.push({ type: 'FieldValueNotSupported', field: 'spec.sessionAffinity', value: spec.sessionAffinity, supported: AFFINITIES });
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && (typeof timeout !== 'number' || timeout <= 0 || timeout > 86400)) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', value: timeout, detail: 'must be greater than 0 and less than 86400' });
  }
  if (spec.internalTrafficPolicy !== undefined && !TRAFFIC_POLICIES.includes(String(spec.internalTrafficPolicy))) {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.internalTrafficPolicy', value: spec.internalTrafficPolicy, supported: TRAFFIC_POLICIES });
  }
  if (spec.externalTrafficPolicy !== undefined) {
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.externalTrafficPolicy', value: spec.externalTrafficPolicy, detail: 'may only be set for externally-accessible services' });
    } else if (!TRAFFIC_POLICIES.includes(String(spec.externalTrafficPolicy))) {
      errs.push({ type: 'FieldValueNotSupported', field: 'spec.externalTrafficPolicy', value: spec.externalTrafficPolicy, supported: TRAFFIC_POLICIES });
    }
  }
  for (const [i, ip] of (spec.clusterIPs ?? []).entries()) {
    if (ip === 'None' || ip === '') {
      if (ip === 'None' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) {
        errs.push({ type: 'FieldValueInvalid', field: `spec.clusterIPs[${i}]`, value: ip, detail: `may not be set to 'None' for ${spec.type} services` });
      }
      continue;
    }
    if (!isIPv4(ip)) errs.push({ type: 'FieldValueInvalid', field: `spec.clusterIPs[${i}]`, value: ip, detail: 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' });
  }
  for (const [i, ip] of (spec.externalIPs ?? []).entries()) {
    if (!isIPv4(ip)) errs.push({ type: 'FieldValueInvalid', field: `spec.externalIPs[${i}]`, value: ip, detail: 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' });
  }
  return errs;
}

/** Allocates what the Service needs and lacks (ClusterIP, NodePorts); a conflict is the API server's 422. */
function allocate(svc: Service, ctx: StrategyContext, old?: Service): void {
  if (!ctx.store) return;
  const alloc = new ServiceAllocator(ctx.store);
  const owner = `${svc.metadata.namespace}/${svc.metadata.name}`;
  const spec = svc.spec;
  if (needsClusterIP(spec)) {
    const wanted = spec.clusterIPs?.[0] || spec.clusterIP;
    if (wanted && !(old && old.spec.clusterIPs?.[0] === wanted)) {
      const msg = alloc.claimIP(wanted, owner);
      if (msg) throw invalidRaw(svc.metadata.name!, [{ field: 'spec.clusterIPs', message: `Invalid value: ${goStrings([wanted])}: ${msg}` }]);
    } else if (!wanted) {
      const ip = alloc.allocateIP(owner, ctx.rng);
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  } else if (spec.clusterIP === 'None') {
    spec.clusterIPs = ['None'];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (needsNodePorts(spec)) {
    const taken = new Set<number>();
    const oldPorts = old?.spec.ports ?? [];
    const causes: { field: string; message: string }[] = [];
    (spec.ports ?? []).forEach((p, i) => {
      if (!p.nodePort) {
        // An update that drops a nodePort keeps the one allocated before (as the registry patches allocated values).
        const prev = oldPorts.find((o) => o.port === p.port && o.protocol === p.protocol && o.nodePort)?.nodePort;
        if (prev && !taken.has(prev)) p.nodePort = prev;
      }
      if (p.nodePort) {
        if (taken.has(p.nodePort) && !spec.ports!.some((q, j) => j < i && q.nodePort === p.nodePort && q.protocol !== p.protocol)) {
          causes.push({ field: `spec.ports[${i}].nodePort`, message: `Duplicate value: ${p.nodePort}` });
          return;
        }
        if (!oldPorts.some((o) => o.nodePort === p.nodePort)) {
          const msg = alloc.claimNodePort(p.nodePort, owner);
          if (msg) causes.push({ field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: ${msg}` });
        }
        taken.add(p.nodePort);
        return;
      }
      const port = alloc.allocateNodePort(owner, ctx.rng, taken);
      if (port === undefined) causes.push({ field: `spec.ports[${i}].nodePort`, message: `Internal error: failed to allocate a nodePort: range is full` });
      else {
        p.nodePort = port;
        taken.add(port);
      }
    });
    if (causes.length) throw invalidRaw(svc.metadata.name!, causes);
  } else {
    for (const p of spec.ports ?? []) if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') delete p.nodePort;
  }
  // A LoadBalancer with externalTrafficPolicy Local gets a health-check port for the cloud's load balancer.
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local') {
    if (!spec.healthCheckNodePort) spec.healthCheckNodePort = old?.spec.healthCheckNodePort ?? undefined;
    if (!spec.healthCheckNodePort) {
      const taken = new Set((spec.ports ?? []).map((p) => p.nodePort ?? 0));
      const hc = alloc.allocateNodePort(owner, ctx.rng, taken);
      if (hc !== undefined) spec.healthCheckNodePort = hc;
    } else if (old?.spec.healthCheckNodePort !== spec.healthCheckNodePort) {
      const msg = alloc.claimNodePort(spec.healthCheckNodePort, owner);
      if (msg) throw invalidRaw(svc.metadata.name!, [{ field: 'spec.healthCheckNodePort', message: `Invalid value: ${spec.healthCheckNodePort}: ${msg}` }]);
    }
  } else delete spec.healthCheckNodePort;
  if (spec.type === 'ExternalName') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
  }
}

export const serviceStrategy: Strategy = {
  hasStatus: true,
  validateName: dns1035Label,
  defaults,
  prepareForCreate(obj, ctx) {
    obj.status = { loadBalancer: {} };
    allocate(obj as Service, ctx);
  },
  validate(obj) {
    return validate(obj);
  },
  validateUpdate(obj, old, ctx) {
    const svc = obj as Service;
    const prev = old as Service;
    const spec = svc.spec;
    // A replace without the allocated ClusterIP keeps it (the registry patches allocated values in).
    if (needsClusterIP(spec) && needsClusterIP(prev.spec) && !spec.clusterIP && prev.spec.clusterIP) {
      spec.clusterIP = prev.spec.clusterIP;
      spec.clusterIPs = prev.spec.clusterIPs;
      spec.ipFamilies ??= prev.spec.ipFamilies;
      spec.ipFamilyPolicy ??= prev.spec.ipFamilyPolicy;
    }
    const errs = validate(obj);
    if (errs.length) return errs;
    const changingToOrFromExternalName = spec.type !== prev.spec.type && (spec.type === 'ExternalName' || prev.spec.type === 'ExternalName');
    if (!changingToOrFromExternalName && prev.spec.clusterIPs?.length && JSON.stringify(spec.clusterIPs ?? []) !== JSON.stringify(prev.spec.clusterIPs)) {
      throw invalidRaw(svc.metadata.name!, [{ field: 'spec.clusterIPs[0]', message: `Invalid value: ${goStrings(spec.clusterIPs ?? [])}: may not change once set` }]);
    }
    allocate(svc, ctx, prev);
    return [];
  },
};
