import { dns1035Label, dns1123Label } from '../names.ts';
import type { Strategy } from '../strategy.ts';
import type { KObject } from '../types.ts';
import { podStrategy } from './pods.ts';

const namespaceStrategy: Strategy = {
  hasStatus: true,
  validateName: dns1123Label,
  prepareForCreate(obj) {
    (obj as KObject & { spec?: { finalizers?: string[] } }).spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  },
  defaults(obj) {
    const labels = (obj.metadata.labels ??= {});
    labels['kubernetes.io/metadata.name'] = obj.metadata.name!;
  },
};

const nodeStrategy: Strategy = { hasStatus: true };

const withStatus: Strategy = { hasStatus: true, tracksGeneration: true };

/** Strategies by `group/resource`; resources not listed use the plain default strategy. */
export const STRATEGIES: Record<string, Strategy> = {
  '/pods': podStrategy,
  '/namespaces': namespaceStrategy,
  '/nodes': nodeStrategy,
  '/services': { hasStatus: true, validateName: dns1035Label },
  '/persistentvolumeclaims': { hasStatus: true },
  '/persistentvolumes': { hasStatus: true },
  '/resourcequotas': { hasStatus: true },
  'apps/deployments': withStatus,
  'apps/replicasets': withStatus,
  'apps/statefulsets': withStatus,
  'apps/daemonsets': withStatus,
  'batch/jobs': withStatus,
  'batch/cronjobs': withStatus,
  'autoscaling/horizontalpodautoscalers': withStatus,
  'policy/poddisruptionbudgets': withStatus,
  'networking.k8s.io/ingresses': { hasStatus: true, tracksGeneration: true },
  'networking.k8s.io/networkpolicies': { tracksGeneration: true },
};

export const DEFAULT_STRATEGY: Strategy = {};
