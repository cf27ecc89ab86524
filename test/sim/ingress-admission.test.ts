// Ingress admission and validation: the DefaultIngressClass plugin, and networking/validation's messages for
// the mistakes learners make (no pathType, a relative path, a backend without a port).
import { describe, expect, it } from 'vitest';
import { StatusError } from '../../sim/apiserver/errors.ts';
import { findResource } from '../../sim/apiserver/resources.ts';
import { newCluster } from './helpers.ts';

const INGRESSES = findResource('networking.k8s.io', 'ingresses')!;
const INGRESS_CLASSES = findResource('networking.k8s.io', 'ingressclasses')!;

function ingress(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, ...(annotations ? { annotations } : {}) }, spec };
}

const rule = (path: Record<string, unknown>) => ({ rules: [{ host: 'shop.example.com', http: { paths: [path] } }] });
const web = { service: { name: 'web', port: { number: 80 } } };

function refusal(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected the API to refuse');
}

describe('DefaultIngressClass admission', () => {
  it('an Ingress without a class gets the default class; one with a class or the old annotation keeps it', () => {
    const c = newCluster();
    const plain = c.api.create(INGRESSES, 'default', ingress('plain', rule({ path: '/', pathType: 'Prefix', backend: web })));
    expect((plain.spec as { ingressClassName?: string }).ingressClassName).toBe('nginx');
    const named = c.api.create(INGRESSES, 'default', ingress('named', { ...rule({ path: '/', pathType: 'Prefix', backend: web }), ingressClassName: 'other' }));
    expect((named.spec as { ingressClassName?: string }).ingressClassName).toBe('other');
    const legacy = c.api.create(INGRESSES, 'default', ingress('legacy', rule({ path: '/', pathType: 'Prefix', backend: web }), { 'kubernetes.io/ingress.class': 'nginx' }));
    expect((legacy.spec as { ingressClassName?: string }).ingressClassName).toBeUndefined();
  });

  it('with no default class the Ingress keeps no class; with two the newest wins', () => {
    const c = newCluster();
    const nginx = c.store.get(INGRESS_CLASSES, undefined, 'nginx')!;
    c.api.update(INGRESS_CLASSES, undefined, 'nginx', { ...nginx, metadata: { ...nginx.metadata, annotations: {} } });
    const none = c.api.create(INGRESSES, 'default', ingress('none', rule({ path: '/', pathType: 'Prefix', backend: web })));
    expect((none.spec as { ingressClassName?: string }).ingressClassName).toBeUndefined();
    const plain = c.store.get(INGRESS_CLASSES, undefined, 'nginx')!;
    c.api.update(INGRESS_CLASSES, undefined, 'nginx', { ...plain, metadata: { ...plain.metadata, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } });
    c.advance(60_000);
    c.api.create(INGRESS_CLASSES, undefined, { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'traefik', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'traefik.io/ingress-controller' } });
    const newest = c.api.create(INGRESSES, 'default', ingress('newest', rule({ path: '/', pathType: 'Prefix', backend: web })));
    expect((newest.spec as { ingressClassName?: string }).ingressClassName).toBe('traefik');
  });
});

describe('Ingress validation', () => {
  it('names the missing pathType as the API server does', () => {
    const c = newCluster();
    const err = refusal(() => c.api.create(INGRESSES, 'default', ingress('bad', rule({ path: '/', backend: web }))));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Ingress.networking.k8s.io "bad" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified');
  });

  it('refuses a relative path, an unknown pathType, a missing port and a spec with nothing in it', () => {
    const c = newCluster();
    expect(refusal(() => c.api.create(INGRESSES, 'default', ingress('rel', rule({ path: 'shop', pathType: 'Prefix', backend: web })))).message).toContain(
      'spec.rules[0].http.paths[0].path: Invalid value: "shop": must be an absolute path',
    );
    expect(refusal(() => c.api.create(INGRESSES, 'default', ingress('typ', rule({ path: '/', pathType: 'Regex', backend: web })))).message).toContain(
      'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    );
    expect(refusal(() => c.api.create(INGRESSES, 'default', ingress('port', rule({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web' } } })))).message).toContain(
      'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
    );
    expect(refusal(() => c.api.create(INGRESSES, 'default', ingress('empty', {}))).message).toContain('spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified');
    expect(refusal(() => c.api.create(INGRESSES, 'default', ingress('ip', { rules: [{ host: '10.0.0.1', http: { paths: [{ path: '/', pathType: 'Prefix', backend: web }] } }] }))).message).toContain(
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    );
    expect(c.store.list(INGRESSES, 'default')).toEqual([]);
  });

  it('accepts a wildcard host and a defaultBackend-only Ingress', () => {
    const c = newCluster();
    c.api.create(INGRESSES, 'default', ingress('wild', { rules: [{ host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: web }] } }] }));
    c.api.create(INGRESSES, 'default', ingress('fallback', { defaultBackend: web }));
    expect(c.store.list(INGRESSES, 'default').map((i) => i.metadata.name).sort()).toEqual(['fallback', 'wild']);
  });
});
