/**
 * The network objects a new cluster has, as kubeadm leaves them: the `kubernetes` Service (10.96.0.1:443)
 * with the Endpoints and EndpointSlice the API server keeps (the control plane at 10.0.0.2:6443), and the
 * `kube-dns` Service in kube-system at 10.96.0.10 (CoreDNS's ports and labels).
 */
import { findResource } from '../apiserver/resources.ts';
import type { Cluster } from '../cluster.ts';

const SERVICES = findResource('', 'services')!;
const ENDPOINTS = findResource('', 'endpoints')!;
const ENDPOINT_SLICES = findResource('discovery.k8s.io', 'endpointslices')!;

export const KUBERNETES_SERVICE_IP = '10.96.0.1';
export const API_SERVER_IP = '10.0.0.2';
export const API_SERVER_PORT = 6443;

export function createNetworkDefaults(cluster: Cluster): void {
  const { api } = cluster;
  api.create(SERVICES, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: KUBERNETES_SERVICE_IP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: API_SERVER_PORT }], sessionAffinity: 'None', type: 'ClusterIP' },
  });
  api.create(ENDPOINTS, 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: API_SERVER_IP }], ports: [{ name: 'https', port: API_SERVER_PORT, protocol: 'TCP' }] }],
  });
  api.create(ENDPOINT_SLICES, 'default', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [API_SERVER_IP], conditions: { ready: true } }],
    ports: [{ name: 'https', port: API_SERVER_PORT, protocol: 'TCP' }],
  });
  api.create(SERVICES, 'kube-system', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      clusterIP: '10.96.0.10',
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  });
}
