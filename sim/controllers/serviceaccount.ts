/**
 * The ServiceAccount controller and the root CA publisher of kube-controller-manager: every active
 * namespace has a `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap (the cluster CA bundle pods
 * mount with their token); both come back if deleted, and neither is made in a namespace being deleted.
 */
import { StatusError } from '../apiserver/errors.ts';
import { findResource, NAMESPACES } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';

export const SERVICE_ACCOUNTS = findResource('', 'serviceaccounts')!;
export const CONFIG_MAPS = findResource('', 'configmaps')!;
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** The simulated cluster CA (a fixed, obviously fake PEM: nothing verifies it inside the sim). */
export const CLUSTER_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIDBTCCAe2gAwIBAgIIKuberoomMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNVBAMT
Cmt1YmVybmV0ZXMwHhcNMjYwMTAxMDAwMDAwWhcNMzYwMTAxMDAwMDAwWjAVMRMw
EQYDVQQDEwprdWJlcm5ldGVzMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC
AQEAsimulatedkuberoomclusterCAnotarealkeyAAAAAAAAAAAAAAAAAAAAAAAA
-----END CERTIFICATE-----
`;

export class ServiceAccountController implements Component {
  readonly name = 'serviceaccount-controller';
  private queue = new Set<string>();
  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  restore(): void {
    for (const ns of this.cluster.store.list(NAMESPACES)) this.queue.add(ns.metadata.name!);
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === NAMESPACES && ev.type === 'ADDED') this.queue.add(ev.object.metadata.name!);
    else if (ev.info === SERVICE_ACCOUNTS && ev.object.metadata.name === 'default' && ev.type === 'DELETED') this.queue.add(ev.object.metadata.namespace!);
    else if (ev.info === CONFIG_MAPS && ev.object.metadata.name === ROOT_CA_CONFIGMAP) this.queue.add(ev.object.metadata.namespace!);
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const names = [...this.queue];
    this.queue.clear();
    for (const n of names) this.sync(n);
    return true;
  }

  private sync(namespace: string): void {
    const { store, api } = this.cluster;
    const ns = store.get(NAMESPACES, undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    try {
      if (!store.get(SERVICE_ACCOUNTS, namespace, 'default')) {
        api.create(SERVICE_ACCOUNTS, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
      }
      const cm = store.get(CONFIG_MAPS, namespace, ROOT_CA_CONFIGMAP);
      const data = { 'ca.crt': CLUSTER_CA_PEM };
      if (!cm) {
        api.create(CONFIG_MAPS, namespace, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
          data,
        });
      } else if (JSON.stringify(cm.data) !== JSON.stringify(data) && !cm.metadata.deletionTimestamp) {
        api.update(CONFIG_MAPS, namespace, ROOT_CA_CONFIGMAP, { ...cm, data } as KObject);
      }
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }
}
