import { dns1035Label, dns1123Label } from '../names.ts';
import type { Strategy } from '../strategy.ts';
import type { KObject } from '../types.ts';
import { podStrategy } from './pods.ts';
import { serviceStrategy } from './services.ts';
import { configMapStrategy } from './configmaps.ts';
import { secretStrategy } from './secrets.ts';
import { pvcStrategy, pvStrategy, storageClassStrategy } from './storage.ts';
import { networkPolicyStrategy } from './networkpolicies.ts';
import { ingressStrategy } from './ingresses.ts';
import { cronJobStrategy, daemonSetStrategy, deploymentStrategy, hpaStrategy, jobStrategy, replicaSetStrategy, statefulSetStrategy } from './workloads.ts';

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
  '/services': serviceStrategy,
  '/configmaps': configMapStrategy,
  '/secrets': secretStrategy,
  '/persistentvolumeclaims': pvcStrategy,
  '/persistentvolumes': pvStrategy,
  'storage.k8s.io/storageclasses': storageClassStrategy,
  '/resourcequotas': { hasStatus: true },
  'apps/deployments': deploymentStrategy,
  'apps/replicasets': replicaSetStrategy,
  'apps/statefulsets': statefulSetStrategy,
  'apps/daemonsets': daemonSetStrategy,
  'batch/jobs': jobStrategy,
  'batch/cronjobs': cronJobStrategy,
  'autoscaling/horizontalpodautoscalers': hpaStrategy,
  'policy/poddisruptionbudgets': withStatus,
  'networking.k8s.io/ingresses': ingressStrategy,
  'networking.k8s.io/networkpolicies': networkPolicyStrategy,
};

export const DEFAULT_STRATEGY: Strategy = {};
