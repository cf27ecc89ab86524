/**
 * Ingresses: the DefaultIngressClass admission plugin (an Ingress that names no class gets the cluster's
 * default IngressClass) and networking/validation's rules for the spec, with its messages.
 */
import type { FieldError } from '../errors.ts';
import { dns1035Label, dns1123Subdomain } from '../names.ts';
import { findResource } from '../resources.ts';
import type { Strategy } from '../strategy.ts';
import type { KObject } from '../types.ts';
import { portNameErrors } from './services.ts';
import { assertShape, type Shape } from '../../network/shape.ts';

const INGRESS_CLASSES = findResource('networking.k8s.io', 'ingressclasses')!;
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** The class annotation that came before spec.ingressClassName. */
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];
const WILDCARD_SUBDOMAIN = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

interface Backend {
  service?: { name?: string; port?: { name?: string; number?: number } };
  resource?: { apiGroup?: string; kind?: string; name?: string };
}
interface HttpPath {
  path?: string;
  pathType?: string;
  backend?: Backend;
}
interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: Backend;
  rules?: { host?: string; http?: { paths?: HttpPath[] } }[];
  tls?: { hosts?: string[]; secretName?: string }[];
}

const str: Shape = 'string';
const backendShape: Shape = {
  struct: 'IngressBackend',
  fields: {
    service: { struct: 'IngressServiceBackend', fields: { name: str, port: { struct: 'ServiceBackendPort', fields: { name: str, number: 'int32' } } } },
    resource: { struct: 'TypedLocalObjectReference', fields: { apiGroup: str, kind: str, name: str } },
  },
};
const INGRESS_SHAPE: Record<string, Shape> = {
  spec: {
    struct: 'IngressSpec',
    fields: {
      ingressClassName: str,
      defaultBackend: backendShape,
      rules: {
        list: {
          struct: 'IngressRule',
          fields: {
            host: str,
            http: { struct: 'HTTPIngressRuleValue', fields: { paths: { list: { struct: 'HTTPIngressPath', fields: { path: str, pathType: str, backend: backendShape } }, go: '[]v1.HTTPIngressPath' } } },
          },
        },
        go: '[]v1.IngressRule',
      },
      tls: { list: { struct: 'IngressTLS', fields: { hosts: { list: str, go: '[]string' }, secretName: str } }, go: '[]v1.IngressTLS' },
    },
  },
};

function isDefaultClass(c: KObject): boolean {
  return c.metadata.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true';
}

function validateBackend(b: Backend, field: string, errs: FieldError[]): void {
  if (b.resource && b.service) {
    errs.push({ type: 'FieldValueInvalid', field, value: '', detail: 'cannot set both resource and service backends' });
    return;
  }
  if (b.resource) {
    const r = b.resource;
    if (!r.kind) errs.push({ type: 'FieldValueRequired', field: `${field}.resource.kind`, detail: 'kind is required' });
    if (!r.name) errs.push({ type: 'FieldValueRequired', field: `${field}.resource.name`, detail: 'name is required' });
    return;
  }
  if (!b.service) {
    errs.push({ type: 'FieldValueInvalid', field, value: '', detail: 'resource or service backend is required' });
    return;
  }
  const s = b.service;
  if (!s.name) errs.push({ type: 'FieldValueRequired', field: `${field}.service.name` });
  else for (const m of dns1035Label(s.name)) errs.push({ type: 'FieldValueInvalid', field: `${field}.service.name`, value: s.name, detail: m });
  const name = s.port?.name ?? '';
  const num = s.port?.number ?? 0;
  if (name && num) errs.push({ type: 'FieldValueInvalid', field, value: '', detail: 'cannot set both port name & port number' });
  else if (name) for (const m of portNameErrors(name)) errs.push({ type: 'FieldValueInvalid', field: `${field}.service.port.name`, value: name, detail: m });
  else if (num) {
    if (num < 1 || num > 65535) errs.push({ type: 'FieldValueInvalid', field: `${field}.service.port.number`, value: num, detail: 'must be between 1 and 65535, inclusive' });
  } else errs.push({ type: 'FieldValueRequired', field, detail: 'port name or number is required' });
}

function validatePath(p: HttpPath, field: string, errs: FieldError[]): void {
  if (p.pathType === undefined || p.pathType === null) {
    errs.push({ type: 'FieldValueRequired', field: `${field}.pathType`, detail: 'pathType must be specified' });
    return;
  }
  const path = p.path ?? '';
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!path.startsWith('/')) errs.push({ type: 'FieldValueInvalid', field: `${field}.path`, value: path, detail: 'must be an absolute path' });
    if (path) {
      for (const seq of INVALID_SEQUENCES) if (path.includes(seq)) errs.push({ type: 'FieldValueInvalid', field: `${field}.path`, value: path, detail: `must not contain '${seq}'` });
      for (const suf of INVALID_SUFFIXES) if (path.endsWith(suf)) errs.push({ type: 'FieldValueInvalid', field: `${field}.path`, value: path, detail: `cannot end with '${suf}'` });
    }
  } else if (p.pathType === 'ImplementationSpecific') {
    if (path && !path.startsWith('/')) errs.push({ type: 'FieldValueInvalid', field: `${field}.path`, value: path, detail: 'must be an absolute path' });
  } else errs.push({ type: 'FieldValueNotSupported', field: `${field}.pathType`, value: p.pathType, supported: PATH_TYPES });
  validateBackend(p.backend ?? {}, `${field}.backend`, errs);
}

function validateHost(host: string, field: string, errs: FieldError[]): void {
  if (IPV4.test(host) || host.includes(':')) errs.push({ type: 'FieldValueInvalid', field, value: host, detail: 'must be a DNS name, not an IP address' });
  if (host.includes('*')) {
    if (!WILDCARD_SUBDOMAIN.test(host) || host.length > 253) {
      errs.push({
        type: 'FieldValueInvalid',
        field,
        value: host,
        detail:
          "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      });
    }
  } else for (const m of dns1123Subdomain(host)) errs.push({ type: 'FieldValueInvalid', field, value: host, detail: m });
}

function validate(obj: KObject): FieldError[] {
  const spec = (obj.spec ?? {}) as IngressSpec;
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) errs.push({ type: 'FieldValueInvalid', field: 'spec', goValue: spec.rules ? `[]networking.IngressRule{}` : '[]networking.IngressRule(nil)', detail: 'either `defaultBackend` or `rules` must be specified' });
  if (spec.defaultBackend) validateBackend(spec.defaultBackend, 'spec.defaultBackend', errs);
  rules.forEach((r, i) => {
    if (r.host) validateHost(r.host, `spec.rules[${i}].host`, errs);
    if (r.http) {
      const paths = r.http.paths ?? [];
      if (paths.length === 0) errs.push({ type: 'FieldValueRequired', field: `spec.rules[${i}].http.paths` });
      paths.forEach((p, j) => validatePath(p ?? {}, `spec.rules[${i}].http.paths[${j}]`, errs));
    }
  });
  (spec.tls ?? []).forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => validateHost(h, `spec.tls[${i}].hosts[${j}]`, errs));
    if (t.secretName) for (const m of dns1123Subdomain(t.secretName)) errs.push({ type: 'FieldValueInvalid', field: `spec.tls[${i}].secretName`, value: t.secretName, detail: m });
  });
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    for (const m of dns1123Subdomain(spec.ingressClassName)) errs.push({ type: 'FieldValueInvalid', field: 'spec.ingressClassName', value: spec.ingressClassName, detail: m });
  }
  return errs;
}

export const ingressStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults(obj) {
    assertShape(obj, 'Ingress', 'networking.k8s.io/v1', INGRESS_SHAPE);
  },
  prepareForCreate(obj, ctx) {
    const spec = ((obj.spec ??= {}) as IngressSpec);
    const annotation = obj.metadata.annotations?.[CLASS_ANNOTATION];
    // DefaultIngressClass admission: no class and no class annotation → the default class (the newest, if several).
    if ((spec.ingressClassName === undefined || spec.ingressClassName === null) && annotation === undefined && ctx.store) {
      const defaults = ctx.store.list(INGRESS_CLASSES).filter(isDefaultClass);
      defaults.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
      const newest = defaults[defaults.length - 1];
      if (newest) spec.ingressClassName = newest.metadata.name;
    }
    obj.status = {};
  },
  validate(obj) {
    const errs = validate(obj);
    const spec = (obj.spec ?? {}) as IngressSpec;
    const annotation = obj.metadata.annotations?.[CLASS_ANNOTATION];
    if (annotation !== undefined && spec.ingressClassName && annotation !== spec.ingressClassName) {
      errs.push({ type: 'FieldValueInvalid', field: `annotations.${CLASS_ANNOTATION}`, value: annotation, detail: 'must match `ingressClassName` when both are specified' });
    }
    return errs;
  },
  validateUpdate(obj) {
    return validate(obj);
  },
};
