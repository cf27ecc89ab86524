import { describe, expect, it } from 'vitest';
import { podStatusReason, podSummary, toTable, columnsFor } from '../../sim/apiserver/printers/index.ts';
import { findResource, type ResourceInfo } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const R = (group: string, resource: string): ResourceInfo => findResource(group, resource)!;

function pod(status: Pod['status'], extra: { spec?: Partial<Pod['spec']>; meta?: Partial<Pod['metadata']> } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(300), ...extra.meta },
    spec: { containers: [{ name: 'web', image: 'nginx' }], nodeName: 'node-1', ...extra.spec },
    status,
  };
}

const running = (name = 'web', restartCount = 0, ready = true) => ({
  name,
  ready,
  restartCount,
  image: 'nginx',
  imageID: '',
  started: true,
  state: { running: { startedAt: ago(100) } },
  lastState: {},
});
const waiting = (reason: string, name = 'web', restartCount = 0, lastFinished?: number) => ({
  name,
  ready: false,
  restartCount,
  image: 'nginx',
  imageID: '',
  state: { waiting: { reason } },
  lastState: lastFinished === undefined ? {} : { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(lastFinished) } },
});
const terminated = (exitCode: number, reason?: string, name = 'web', signal?: number) => ({
  name,
  ready: false,
  restartCount: 0,
  image: 'nginx',
  imageID: '',
  state: { terminated: { exitCode, ...(reason ? { reason } : {}), ...(signal ? { signal } : {}) } },
  lastState: {},
});

function row(p: Pod) {
  const t = toTable(R('', 'pods'), [p], NOW);
  return t.rows[0].cells;
}

describe('pod STATUS, READY and RESTARTS (kubectl get pods)', () => {
  it('a pod waiting for the scheduler is Pending, 0/1 ready, no node in the wide columns', () => {
    const p = pod({ phase: 'Pending' }, { spec: { nodeName: undefined } });
    expect(row(p)).toEqual(['web', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
  });

  it('shows the waiting reason of a container being created or failing to pull', () => {
    expect(podStatusReason(pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] }), NOW)).toBe('ContainerCreating');
    expect(podStatusReason(pod({ phase: 'Pending', containerStatuses: [waiting('ImagePullBackOff')] }), NOW)).toBe('ImagePullBackOff');
    expect(podStatusReason(pod({ phase: 'Pending', containerStatuses: [waiting('CreateContainerConfigError')] }), NOW)).toBe('CreateContainerConfigError');
  });

  it('a running, ready pod is Running 1/1 with its IP and node', () => {
    const p = pod({ phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], containerStatuses: [running()], conditions: [{ type: 'Ready', status: 'True' }] });
    expect(row(p)).toEqual(['web', '1/1', 'Running', '0', '5m', '10.244.0.5', 'node-1', '<none>', '<none>']);
  });

  it('CrashLoopBackOff shows restarts with the time of the last one', () => {
    const p = pod({ phase: 'Running', containerStatuses: [waiting('CrashLoopBackOff', 'web', 3, 125)] });
    const s = podSummary(p, NOW);
    expect(s.status).toBe('CrashLoopBackOff');
    expect(s.restartsText).toBe('3 (2m5s ago)');
    expect(s.ready).toBe('0/1');
  });

  it('finished containers: Completed, Error, OOMKilled, ExitCode:N and Signal:N', () => {
    expect(podStatusReason(pod({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] }), NOW)).toBe('Completed');
    expect(podStatusReason(pod({ phase: 'Failed', containerStatuses: [terminated(1, 'Error')] }), NOW)).toBe('Error');
    expect(podStatusReason(pod({ phase: 'Running', containerStatuses: [terminated(137, 'OOMKilled')] }), NOW)).toBe('OOMKilled');
    expect(podStatusReason(pod({ phase: 'Failed', containerStatuses: [terminated(137)] }), NOW)).toBe('ExitCode:137');
    expect(podStatusReason(pod({ phase: 'Failed', containerStatuses: [terminated(137, undefined, 'web', 9)] }), NOW)).toBe('Signal:9');
  });

  it('a pod status reason (Evicted) wins when no container says otherwise', () => {
    expect(podStatusReason(pod({ phase: 'Failed', reason: 'Evicted' }), NOW)).toBe('Evicted');
  });

  it('init containers: Init:N/M, Init:<reason>, Init:Error and PodInitializing', () => {
    const spec = { initContainers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] };
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [running('a'), waiting('PodInitializing', 'b')] }, { spec }), NOW)).toBe('Init:0/2');
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [terminated(0, 'Completed', 'a'), running('b')] }, { spec }), NOW)).toBe('Init:1/2');
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [waiting('CrashLoopBackOff', 'a', 2)] }, { spec }), NOW)).toBe('Init:CrashLoopBackOff');
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [terminated(1, 'Error', 'a')] }, { spec }), NOW)).toBe('Init:Error');
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [terminated(2, undefined, 'a')] }, { spec }), NOW)).toBe('Init:ExitCode:2');
    const done = pod(
      {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [terminated(0, 'Completed', 'a'), terminated(0, 'Completed', 'b')],
        containerStatuses: [waiting('PodInitializing')],
      },
      { spec },
    );
    expect(podStatusReason(done, NOW)).toBe('PodInitializing');
  });

  it('a restartable init container (sidecar) counts as a container once started', () => {
    const spec = { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] };
    const p = pod(
      { phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }], initContainerStatuses: [running('proxy')], containerStatuses: [running()] },
      { spec },
    );
    expect(podSummary(p, NOW).ready).toBe('2/2');
    expect(podStatusReason(p, NOW)).toBe('Running');
  });

  it('Completed with a container still running reads Running (Ready) or NotReady', () => {
    const spec = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] };
    const statuses = [terminated(0, 'Completed', 'a'), running('b')];
    expect(podStatusReason(pod({ phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'True' }] }, { spec }), NOW)).toBe('Running');
    expect(podStatusReason(pod({ phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'False' }] }, { spec }), NOW)).toBe('NotReady');
  });

  it('Terminating while being deleted, Unknown on a lost node, unless already finished', () => {
    const meta = { deletionTimestamp: ago(1) };
    expect(podStatusReason(pod({ phase: 'Running', containerStatuses: [running()] }, { meta }), NOW)).toBe('Terminating');
    expect(podStatusReason(pod({ phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }, { meta }), NOW)).toBe('Unknown');
    expect(podStatusReason(pod({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] }, { meta }), NOW)).toBe('Completed');
  });

  it('SchedulingGated from the PodScheduled condition', () => {
    const p = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }, { spec: { nodeName: undefined } });
    expect(podStatusReason(p, NOW)).toBe('SchedulingGated');
  });

  it('finished pods carry the Completed row condition; readiness gates are counted', () => {
    const t = toTable(R('', 'pods'), [pod({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] })], NOW);
    expect(t.rows[0].conditions).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    const gated = pod({ phase: 'Running', conditions: [{ type: 'example.com/ready', status: 'True' }] }, { spec: { readinessGates: [{ conditionType: 'example.com/ready' }, { conditionType: 'other' }] } });
    expect(row(gated)[8]).toBe('1/2');
  });
});

describe('table columns', () => {
  const names = (group: string, resource: string) => columnsFor(R(group, resource)).map((c) => (c.priority ? `${c.name}*` : c.name));

  it('pods and nodes have kubectl 1.32 columns (wide ones marked *)', () => {
    expect(names('', 'pods')).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']);
    expect(names('', 'nodes')).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
    expect(columnsFor(R('', 'pods'))[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
  });

  it('events, services, workloads', () => {
    expect(names('', 'events')).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
    expect(names('', 'services')).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
    expect(names('apps', 'deployments')).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(names('apps', 'replicasets')).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(names('apps', 'statefulsets')).toEqual(['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
    expect(names('apps', 'daemonsets')).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(names('batch', 'jobs')).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(names('batch', 'cronjobs')).toEqual(['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(names('autoscaling', 'horizontalpodautoscalers')).toEqual(['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    expect(names('policy', 'poddisruptionbudgets')).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
  });

  it('storage, networking and the rest', () => {
    expect(names('', 'persistentvolumeclaims')).toEqual(['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode*']);
    expect(names('', 'persistentvolumes')).toEqual([
      'Name',
      'Capacity',
      'Access Modes',
      'Reclaim Policy',
      'Status',
      'Claim',
      'StorageClass',
      'VolumeAttributesClass',
      'Reason',
      'Age',
      'VolumeMode*',
    ]);
    expect(names('storage.k8s.io', 'storageclasses')).toEqual(['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
    expect(names('networking.k8s.io', 'ingresses')).toEqual(['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
    expect(names('networking.k8s.io', 'ingressclasses')).toEqual(['Name', 'Controller', 'Parameters', 'Age']);
    expect(names('networking.k8s.io', 'networkpolicies')).toEqual(['Name', 'Pod-Selector', 'Age']);
    expect(names('discovery.k8s.io', 'endpointslices')).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    expect(names('', 'endpoints')).toEqual(['Name', 'Endpoints', 'Age']);
    expect(names('', 'configmaps')).toEqual(['Name', 'Data', 'Age']);
    expect(names('', 'secrets')).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(names('', 'serviceaccounts')).toEqual(['Name', 'Secrets', 'Age']);
    expect(names('', 'namespaces')).toEqual(['Name', 'Status', 'Age']);
    expect(names('', 'resourcequotas')).toEqual(['Name', 'Request', 'Limit', 'Age']);
    expect(names('coordination.k8s.io', 'leases')).toEqual(['Name', 'Holder', 'Age']);
    expect(names('apps', 'controllerrevisions')).toEqual(['Name', 'Controller', 'Revision', 'Age']);
  });

  it('resources without a printer get the default NAME / CREATED AT table', () => {
    expect(names('', 'limitranges')).toEqual(['Name', 'Created At']);
    const t = toTable(R('', 'limitranges'), [{ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', creationTimestamp: '2026-01-01T00:00:00Z' } }], NOW);
    expect(t.rows[0].cells).toEqual(['limits', '2026-01-01T00:00:00Z']);
  });
});

function cells(group: string, resource: string, obj: Omit<KObject, 'metadata'> & { metadata?: Partial<KObject['metadata']> }): unknown[] {
  const o = { ...obj, metadata: { name: 'x', namespace: 'default', creationTimestamp: ago(600), ...obj.metadata } } as KObject;
  return toTable(R(group, resource), [o], NOW).rows[0].cells;
}

describe('table cells', () => {
  it('nodes: Ready / NotReady / Unknown, SchedulingDisabled, roles', () => {
    const node = (conditions: unknown[], extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) =>
      cells('', 'nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-1', labels },
        spec: extra,
        status: {
          conditions,
          addresses: [{ type: 'InternalIP', address: '10.0.0.2' }],
          nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Ubuntu 24.04.1 LTS', kernelVersion: '6.8.0', containerRuntimeVersion: 'containerd://1.7.24' },
        },
      });
    expect(node([{ type: 'Ready', status: 'True' }])).toEqual(['node-1', 'Ready', '<none>', '10m', 'v1.32.0', '10.0.0.2', '<none>', 'Ubuntu 24.04.1 LTS', '6.8.0', 'containerd://1.7.24']);
    expect(node([{ type: 'Ready', status: 'Unknown' }])[1]).toBe('NotReady');
    expect(node([])[1]).toBe('Unknown');
    expect(node([{ type: 'Ready', status: 'True' }], { unschedulable: true })[1]).toBe('Ready,SchedulingDisabled');
    expect(node([{ type: 'Ready', status: 'True' }], {}, { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'ingress' })[2]).toBe('control-plane,ingress');
  });

  it('events: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (and the wide columns)', () => {
    const c = cells('', 'events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.1' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
      reason: 'Scheduled',
      message: 'Successfully assigned default/web to node-1 ',
      type: 'Normal',
      source: { component: 'default-scheduler' },
      firstTimestamp: ago(90),
      lastTimestamp: ago(30),
      count: 2,
    });
    expect(c).toEqual(['30s', 'Normal', 'Scheduled', 'pod/web', '', 'default-scheduler', 'Successfully assigned default/web to node-1', '90s', 2, 'web.1']);
  });

  it('deployments, replicasets, statefulsets, daemonsets', () => {
    const template = { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };
    expect(
      cells('apps', 'deployments', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
        status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
      }),
    ).toEqual(['x', '2/3', 3, 2, '10m', 'web,log', 'nginx:1.27,busybox', 'app=web']);
    expect(
      cells('apps', 'replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, template },
        status: { replicas: 3, readyReplicas: 1 },
      }),
    ).toEqual(['x', 3, 3, 1, '10m', 'web,log', 'nginx:1.27,busybox', 'app=web,tier in (a,b)']);
    expect(cells('apps', 'statefulsets', { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { replicas: 2, template }, status: { readyReplicas: 2 } })).toEqual([
      'x',
      '2/2',
      '10m',
      'web,log',
      'nginx:1.27,busybox',
    ]);
    expect(
      cells('apps', 'daemonsets', {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
        status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
      }),
    ).toEqual(['x', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '10m', 'web,log', 'nginx:1.27,busybox', 'app=agent']);
  });

  it('services: cluster IP, external IP and ports', () => {
    const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => cells('', 'services', { apiVersion: 'v1', kind: 'Service', spec, status });
    expect(svc({ type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } })).toEqual(['x', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '10m', 'app=web']);
    expect(svc({ type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] })[4]).toBe('80:30080/TCP,53/UDP');
    expect(svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], ports: [] })[3]).toBe('<pending>');
    expect(svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'] }, { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } })[3]).toBe('203.0.113.7');
    expect(svc({ type: 'ClusterIP', clusterIPs: ['None'] })[4]).toBe('<none>');
    expect(svc({ type: 'ExternalName', externalName: 'example.com' })[2]).toBe('<none>');
  });

  it('jobs and cronjobs', () => {
    const job = (spec: Record<string, unknown>, status: Record<string, unknown>, meta = {}) => cells('batch', 'jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } }, ...spec }, status });
    expect(job({ completions: 1 }, { succeeded: 1, startTime: ago(500), completionTime: ago(470), conditions: [{ type: 'Complete', status: 'True' }] })).toEqual(['x', 'Complete', '1/1', '30s', '10m', 'pi', 'perl', '<none>']);
    expect(job({ completions: 3 }, { succeeded: 1, startTime: ago(200) }).slice(1, 4)).toEqual(['Running', '1/3', '3m20s']);
    expect(job({ parallelism: 2 }, { conditions: [{ type: 'Failed', status: 'True' }] }).slice(1, 4)).toEqual(['Failed', '0/1 of 2', '']);
    expect(job({ completions: 1 }, {}, { deletionTimestamp: ago(1) })[1]).toBe('Terminating');
    expect(
      cells('batch', 'cronjobs', {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } },
        status: { active: [{ name: 'x-1' }], lastScheduleTime: ago(60) },
      }),
    ).toEqual(['x', '*/5 * * * *', '<none>', 'False', 1, '60s', '10m', 'c', 'busybox', '<none>']);
  });

  it('HPA targets, PDB budgets', () => {
    expect(
      cells('autoscaling', 'horizontalpodautoscalers', {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        spec: {
          scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
          minReplicas: 1,
          maxReplicas: 10,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
        },
        status: { currentReplicas: 2 },
      }),
    ).toEqual(['x', 'Deployment/web', 'cpu: <unknown>/80%', '1', 10, 2, '10m']);
    expect(
      cells('autoscaling', 'horizontalpodautoscalers', {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
        status: { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }] },
      })[2],
    ).toBe('cpu: 12%/50%');
    expect(cells('policy', 'poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } })).toEqual(['x', '2', 'N/A', 1, '10m']);
    expect(cells('policy', 'poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', spec: { maxUnavailable: '25%' }, status: {} })).toEqual(['x', 'N/A', '25%', 0, '10m']);
  });

  it('config, storage and networking objects', () => {
    expect(cells('', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })).toEqual(['x', 3, '10m']);
    expect(cells('', 'secrets', { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data: { password: 'cw==' } })).toEqual(['x', 'Opaque', 1, '10m']);
    expect(
      cells('', 'persistentvolumeclaims', {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        spec: { volumeName: 'pv-1', storageClassName: 'standard', accessModes: ['ReadWriteOnce'] },
        status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] },
      }),
    ).toEqual(['x', 'Bound', 'pv-1', '1Gi', 'RWO,ROX', 'standard', '<unset>', '10m', '<unset>']);
    expect(
      cells('storage.k8s.io', 'storageclasses', {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'rancher.io/local-path',
        volumeBindingMode: 'WaitForFirstConsumer',
      }),
    ).toEqual(['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '10m']);
    expect(
      cells('', 'endpoints', {
        apiVersion: 'v1',
        kind: 'Endpoints',
        subsets: [{ addresses: [{ ip: '10.244.0.5' }, { ip: '10.244.1.5' }, { ip: '10.244.2.5' }, { ip: '10.244.2.6' }], ports: [{ port: 80 }] }],
      }),
    ).toEqual(['x', '10.244.0.5:80,10.244.1.5:80,10.244.2.5:80 + 1 more...', '10m']);
    expect(cells('', 'endpoints', { apiVersion: 'v1', kind: 'Endpoints' })[1]).toBe('<none>');
    expect(
      cells('discovery.k8s.io', 'endpointslices', {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        addressType: 'IPv4',
        ports: [{ port: 80, name: 'http' }],
        endpoints: [{ addresses: ['10.244.0.5'] }],
      }),
    ).toEqual(['x', 'IPv4', '80', '10.244.0.5', '10m']);
    expect(cells('discovery.k8s.io', 'endpointslices', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4' }).slice(2, 4)).toEqual(['<unset>', '<unset>']);
    expect(
      cells('networking.k8s.io', 'ingresses', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }], tls: [{ hosts: ['a.example.com'] }] },
      }),
    ).toEqual(['x', 'nginx', 'a.example.com,b.example.com', '', '80, 443', '10m']);
    expect(cells('networking.k8s.io', 'networkpolicies', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {} } })).toEqual(['x', '<none>', '10m']);
    expect(
      cells('', 'resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', status: { hard: { pods: '10', 'limits.cpu': '4', 'requests.cpu': '2' }, used: { pods: '1', 'requests.cpu': '250m' } } }),
    ).toEqual(['x', 'pods: 1/10, requests.cpu: 250m/2', 'limits.cpu: 0/4', '10m']);
    expect(
      cells('apps', 'controllerrevisions', {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] },
        revision: 2,
      }),
    ).toEqual(['x', 'daemonset.apps/agent', 2, '10m']);
  });

  it('a Table carries list metadata and PartialObjectMetadata rows', () => {
    const t = toTable(R('', 'configmaps'), [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default', resourceVersion: '7' } }], NOW, {
      listMeta: { resourceVersion: '9', continue: 'abc', remainingItemCount: 3 },
    });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '9', continue: 'abc', remainingItemCount: 3 });
    expect(t.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'a', namespace: 'default', resourceVersion: '7' } });
    expect(toTable(R('', 'configmaps'), [], NOW, { noHeaders: true }).columnDefinitions).toBeNull();
  });
});
