// Volumes in the simulated containers: configMap/secret files, their refresh, emptyDir, downwardAPI, projected
// tokens and claims whose PV keeps data across pods.
import { describe, expect, it } from 'vitest';
import { EVENTS, findResource, PODS } from '../../sim/apiserver/resources.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { ExecSession, resolveExec } from '../../sim/kubelet/exec.ts';
import { createPod, getPod, newCluster } from './helpers.ts';

const CONFIGMAPS = findResource('', 'configmaps')!;
const SECRETS = findResource('', 'secrets')!;
const PVCS = findResource('', 'persistentvolumeclaims')!;

function exec(c: Cluster, pod: string, argv: string[], container?: string) {
  const r = resolveExec(c, 'default', pod, container);
  if ('code' in r) throw new Error(r.message);
  let out = '';
  let err = '';
  const s = new ExecSession(c, r.rt, r.container, argv, {}, (t) => (out += t), (t) => (err += t));
  const code = s.start() ?? s.endInput();
  return { out, err, code };
}

function eventsOf(c: Cluster, name: string): string[] {
  return c.store
    .list(EVENTS, 'default')
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}

function configMap(c: Cluster, name: string, data: Record<string, string>): void {
  c.api.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  c.settle();
}

function box(name: string, spec: Record<string, unknown>, mounts: Record<string, unknown>[], env: Record<string, unknown>[] = []): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web', tier: 'front' }, annotations: { owner: 'team-a' } },
    spec: { containers: [{ name: 'box', image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: mounts, env }], ...spec },
  } as unknown as Pod;
}

describe('configMap and secret volumes', () => {
  it('mounts every key as a file, or the items at their paths, and subPath as one file', () => {
    const c = newCluster();
    configMap(c, 'app', { 'app.conf': 'mode=blue\n', level: 'info' });
    c.api.create(SECRETS, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { password: 'czNjcjN0' } });
    createPod(c, box('p', {
      volumes: [
        { name: 'config', configMap: { name: 'app' } },
        { name: 'picked', configMap: { name: 'app', items: [{ key: 'level', path: 'nested/log-level' }] } },
        { name: 'creds', secret: { secretName: 'creds' } },
      ],
    }, [
      { name: 'config', mountPath: '/etc/config' },
      { name: 'picked', mountPath: '/etc/picked' },
      { name: 'creds', mountPath: '/etc/creds', readOnly: true },
      { name: 'config', mountPath: '/app/app.conf', subPath: 'app.conf' },
    ]));
    c.advance(10_000);
    expect(getPod(c, 'p')!.status!.phase).toBe('Running');
    expect(exec(c, 'p', ['ls', '/etc/config']).out).toBe('app.conf\nlevel\n');
    expect(exec(c, 'p', ['cat', '/etc/config/app.conf']).out).toBe('mode=blue\n');
    expect(exec(c, 'p', ['cat', '/etc/picked/nested/log-level']).out).toBe('info');
    expect(exec(c, 'p', ['cat', '/etc/creds/password']).out).toBe('s3cr3t');
    expect(exec(c, 'p', ['cat', '/app/app.conf']).out).toBe('mode=blue\n');
    expect(exec(c, 'p', ['ls', '/etc']).out.split('\n')).toEqual(expect.arrayContaining(['config', 'creds', 'picked', 'hostname']));
    // Projected files are read-only.
    const w = exec(c, 'p', ['sh', '-c', 'echo x > /etc/config/level']);
    expect(w.err).toContain("can't create /etc/config/level");
    expect(exec(c, 'p', ['cat', '/etc/config/level']).out).toBe('info');
  });

  it('a ConfigMap change reaches the mounted file after the kubelet sync, never the env', () => {
    const c = newCluster();
    configMap(c, 'app', { color: 'blue' });
    createPod(c, box('p', { volumes: [{ name: 'config', configMap: { name: 'app' } }] }, [{ name: 'config', mountPath: '/etc/config' }, { name: 'config', mountPath: '/app/color', subPath: 'color' }], [{ name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'app', key: 'color' } } }]));
    c.advance(10_000);
    expect(exec(c, 'p', ['cat', '/etc/config/color']).out).toBe('blue');
    const cm = c.store.get(CONFIGMAPS, 'default', 'app')!;
    c.api.update(CONFIGMAPS, 'default', 'app', { ...cm, data: { color: 'green' } });
    c.settle();
    // Not at once: the kubelet refreshes projected files at its periodic sync.
    c.advance(5_000);
    expect(exec(c, 'p', ['cat', '/etc/config/color']).out).toBe('blue');
    c.advance(85_000);
    expect(exec(c, 'p', ['cat', '/etc/config/color']).out).toBe('green');
    expect(exec(c, 'p', ['env']).out).toContain('COLOR=blue\n');
    // A subPath mount is a bind mount of the file as it was: it never sees updates.
    expect(exec(c, 'p', ['cat', '/app/color']).out).toBe('blue');
  });

  it('after a snapshot and restore, a ConfigMap change still reaches the mounted file', () => {
    const a = newCluster();
    configMap(a, 'app', { color: 'blue' });
    createPod(a, box('p', { volumes: [{ name: 'config', configMap: { name: 'app' } }] }, [{ name: 'config', mountPath: '/etc/config' }]));
    a.advance(10_000);
    const c = restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(a.snapshot()))));
    const cm = c.store.get(CONFIGMAPS, 'default', 'app')!;
    c.api.update(CONFIGMAPS, 'default', 'app', { ...cm, data: { color: 'green' } });
    c.settle();
    c.advance(90_000);
    expect(exec(c, 'p', ['cat', '/etc/config/color']).out).toBe('green');
  });

  it('a missing ConfigMap leaves the pod ContainerCreating with FailedMount, until it is created', () => {
    const c = newCluster();
    createPod(c, box('p', { volumes: [{ name: 'config', configMap: { name: 'x' } }] }, [{ name: 'config', mountPath: '/etc/config' }]));
    c.advance(30_000);
    const pod = getPod(c, 'p')!;
    expect(pod.status!.phase).toBe('Pending');
    expect(pod.status!.containerStatuses![0].state.waiting!.reason).toBe('ContainerCreating');
    expect(eventsOf(c, 'p')).toContain('Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "x" not found');
    expect(eventsOf(c, 'p').some((e) => e.includes('Started'))).toBe(false);
    configMap(c, 'x', { k: 'v' });
    c.advance(130_000);
    expect(getPod(c, 'p')!.status!.phase).toBe('Running');
    expect(exec(c, 'p', ['cat', '/etc/config/k']).out).toBe('v');
  });

  it('an optional missing ConfigMap mounts an empty directory; a missing item key fails', () => {
    const c = newCluster();
    createPod(c, box('opt', { volumes: [{ name: 'config', configMap: { name: 'x', optional: true } }] }, [{ name: 'config', mountPath: '/etc/config' }]));
    configMap(c, 'app', { a: '1' });
    createPod(c, box('key', { volumes: [{ name: 'config', configMap: { name: 'app', items: [{ key: 'nope', path: 'n' }] } }] }, [{ name: 'config', mountPath: '/etc/config' }]));
    c.advance(10_000);
    expect(getPod(c, 'opt')!.status!.phase).toBe('Running');
    expect(exec(c, 'opt', ['ls', '/etc/config'])).toMatchObject({ out: '', code: 0 });
    expect(getPod(c, 'key')!.status!.phase).toBe('Pending');
    expect(eventsOf(c, 'key')).toContain('Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: nope');
  });
});

describe('emptyDir, downwardAPI and projected volumes', () => {
  it('an emptyDir is shared by the containers of a pod and goes with the pod', () => {
    const c = newCluster();
    const p = box('p', { volumes: [{ name: 'scratch', emptyDir: {} }] }, [{ name: 'scratch', mountPath: '/cache' }]);
    p.spec.containers.push({ name: 'side', image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'scratch', mountPath: '/shared' }] } as never);
    createPod(c, p);
    c.advance(10_000);
    expect(exec(c, 'p', ['sh', '-c', 'echo hi > /cache/note'], 'box').code).toBe(0);
    expect(exec(c, 'p', ['cat', '/shared/note'], 'side').out).toBe('hi\n');
    const uid = getPod(c, 'p')!.metadata.uid!;
    c.api.delete(PODS, 'default', 'p', { gracePeriodSeconds: 0 });
    c.settle();
    c.advance(40_000);
    expect(getPod(c, 'p')).toBeUndefined();
    expect(c.records.get('kubelet:emptydir', `${uid}\u0000scratch`)).toBeUndefined();
  });

  it('downwardAPI writes labels and annotations; a projected token volume has token, ca.crt and namespace', () => {
    const c = newCluster();
    createPod(c, box('p', {
      volumes: [
        { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }] } },
        { name: 'kube-api-access-abcde', projected: { sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ] } },
      ],
    }, [{ name: 'podinfo', mountPath: '/etc/podinfo' }, { name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]));
    c.advance(10_000);
    expect(exec(c, 'p', ['cat', '/etc/podinfo/labels']).out).toBe('app="web"\ntier="front"');
    expect(exec(c, 'p', ['cat', '/etc/podinfo/annotations']).out).toBe('owner="team-a"');
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    expect(exec(c, 'p', ['ls', sa]).out).toBe('ca.crt\nnamespace\ntoken\n');
    expect(exec(c, 'p', ['cat', `${sa}/namespace`]).out).toBe('default');
    expect(exec(c, 'p', ['cat', `${sa}/ca.crt`]).out).toContain('-----BEGIN CERTIFICATE-----');
    // Labels changed on the pod reach the downwardAPI file at the next sync.
    const p = getPod(c, 'p')!;
    c.api.update(PODS, 'default', 'p', { ...p, metadata: { ...p.metadata, labels: { ...p.metadata.labels, tier: 'back' } } });
    c.settle();
    c.advance(90_000);
    expect(exec(c, 'p', ['cat', '/etc/podinfo/labels']).out).toBe('app="web"\ntier="back"');
    const token = exec(c, 'p', ['cat', `${sa}/token`]).out;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe('system:serviceaccount:default:default');
  });
});

describe('persistentVolumeClaim volumes', () => {
  function claim(c: Cluster, name: string): void {
    c.api.create(PVCS, 'default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    c.settle();
    c.advance(5_000);
  }
  const withClaim = (name: string, claimName: string) => box(name, { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] }, [{ name: 'data', mountPath: '/data' }]);

  it('data written by one pod is read back by the next pod on the claim', () => {
    const c = newCluster();
    claim(c, 'data');
    createPod(c, withClaim('writer', 'data'));
    c.advance(10_000);
    expect(exec(c, 'writer', ['sh', '-c', 'echo hello > /data/file']).code).toBe(0);
    expect(exec(c, 'writer', ['sh', '-c', 'mkdir -p /data/logs/app && echo line > /data/logs/app/1.log && mkdir /data/empty']).code).toBe(0);
    expect(exec(c, 'writer', ['ls', '/data']).out).toBe('empty\nfile\nlogs\n');
    c.api.delete(PODS, 'default', 'writer', { gracePeriodSeconds: 0 });
    c.settle();
    c.advance(40_000);
    expect(getPod(c, 'writer')).toBeUndefined();
    createPod(c, withClaim('reader', 'data'));
    c.advance(10_000);
    expect(exec(c, 'reader', ['cat', '/data/file']).out).toBe('hello\n');
    expect(exec(c, 'reader', ['cat', '/data/logs/app/1.log']).out).toBe('line\n');
    expect(exec(c, 'reader', ['ls', '/data/empty'])).toMatchObject({ out: '', code: 0 });
  });

  it('a WaitForFirstConsumer claim binds once the pod is scheduled, and the pod starts without FailedMount', () => {
    const c = newCluster();
    c.api.create(findResource('storage.k8s.io', 'storageclasses')!, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'late' }, provisioner: 'kuberoom.io/hostpath', volumeBindingMode: 'WaitForFirstConsumer' });
    c.api.create(PVCS, 'default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'late' }, spec: { storageClassName: 'late', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    c.settle();
    createPod(c, withClaim('p', 'late'));
    c.advance(15_000);
    expect(getPod(c, 'p')!.status!.phase).toBe('Running');
    expect(eventsOf(c, 'p').some((e) => e.includes('FailedMount'))).toBe(false);
  });

  it('a pod whose claim does not exist is not scheduled; one put on a node by hand does not start', () => {
    const c = newCluster();
    createPod(c, withClaim('p', 'missing'));
    c.advance(10_000);
    expect(getPod(c, 'p')!.status!.phase).toBe('Pending');
    expect(getPod(c, 'p')!.spec.nodeName).toBeUndefined();
    expect(eventsOf(c, 'p').some((e) => e.startsWith('Warning FailedScheduling 0/3 nodes are available: persistentvolumeclaim "missing" not found.'))).toBe(true);
    // spec.nodeName skips the scheduler: the kubelet is the one to complain.
    const direct = withClaim('q', 'missing');
    direct.spec.nodeName = 'node-1';
    createPod(c, direct);
    c.advance(10_000);
    expect(getPod(c, 'q')!.status!.phase).toBe('Pending');
    expect(eventsOf(c, 'q')).toContain('Warning FailedMount Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data], failed to process volumes=[data]: error processing PVC default/missing: failed to fetch PVC from API server: persistentvolumeclaims "missing" not found');
  });
});
