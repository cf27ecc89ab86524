// The image-pull-fail and image-pull-slow faults and their heal, image-pull-ok.
import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../sim/apiserver/resources.ts';
import type { ContainerStatus, KObject } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { applyFault, faultState } from '../../sim/nodes/faults.ts';
import { createPod, getPod, newCluster, pod } from './helpers.ts';

const NGINX_TIMEOUT =
  'failed to pull and unpack image "docker.io/library/nginx:1.27": failed to resolve reference "docker.io/library/nginx:1.27": failed to do request: Head "https://registry-1.docker.io/v2/library/nginx/manifests/1.27": dial tcp: lookup registry-1.docker.io: i/o timeout';

function status(c: Cluster, name: string): ContainerStatus {
  return getPod(c, name)!.status!.containerStatuses![0];
}

function messages(c: Cluster, name: string, reason: string): string[] {
  return (c.store.list(EVENTS) as (KObject & { involvedObject: { name: string }; reason: string; message: string })[])
    .filter((e) => e.involvedObject.name === name && e.reason === reason)
    .map((e) => e.message);
}

const on = (node: string) => ({ nodeName: node });

describe('image-pull-fail', () => {
  it('a new pull fails after the lookup times out: ErrImagePull, then ImagePullBackOff with the containerd error', () => {
    const c = newCluster('pullfail');
    applyFault(c, { fault: 'image-pull-fail' });
    createPod(c, pod('web', 'nginx:1.27', on('node-2')));
    c.advance(9_000);
    expect(status(c, 'web').state.waiting?.reason).toBe('ContainerCreating');
    c.advance(2_000);
    expect(messages(c, 'web', 'Failed')).toEqual([`Failed to pull image "nginx:1.27": ${NGINX_TIMEOUT}`, 'Error: ErrImagePull', 'Error: ImagePullBackOff']);
    expect(messages(c, 'web', 'BackOff')).toEqual(['Back-off pulling image "nginx:1.27"']);
    expect(status(c, 'web').state.waiting).toEqual({ reason: 'ImagePullBackOff', message: `Back-off pulling image "nginx:1.27": ErrImagePull: ${NGINX_TIMEOUT}` });
    expect(getPod(c, 'web')!.status!.phase).toBe('Pending');
  });

  it('an image already on the node still starts (IfNotPresent); on another node the pull fails', () => {
    const c = newCluster('present');
    createPod(c, pod('first', 'nginx:1.27', on('node-2')));
    c.advance(10_000);
    applyFault(c, { fault: 'image-pull-fail', registry: 'docker.io' });
    createPod(c, pod('second', 'nginx:1.27', on('node-2')));
    createPod(c, pod('third', 'nginx:1.27', on('node-3')));
    c.advance(15_000);
    expect(status(c, 'second').state.running).toBeDefined();
    expect(messages(c, 'second', 'Pulled')).toEqual(['Container image "nginx:1.27" already present on machine']);
    expect(status(c, 'third').state.waiting?.reason).toBe('ImagePullBackOff');
  });

  it('only the named registry fails: gcr.io is blocked, docker.io still pulls', () => {
    const c = newCluster('registry');
    applyFault(c, { fault: 'image-pull-fail', registry: 'gcr.io' });
    createPod(c, pod('hello', 'gcr.io/google-samples/hello-app:1.0', on('node-2')));
    createPod(c, pod('web', 'nginx:1.27', on('node-2')));
    c.advance(11_000);
    expect(status(c, 'web').state.running).toBeDefined();
    expect(status(c, 'hello').state.waiting?.message).toBe(
      'Back-off pulling image "gcr.io/google-samples/hello-app:1.0": ErrImagePull: failed to pull and unpack image "gcr.io/google-samples/hello-app:1.0": failed to resolve reference "gcr.io/google-samples/hello-app:1.0": failed to do request: Head "https://gcr.io/v2/google-samples/hello-app/manifests/1.0": dial tcp: lookup gcr.io: i/o timeout',
    );
    applyFault(c, { fault: 'image-pull-fail', registry: 'registry-1.docker.io' });
    expect(faultState(c).faults).toEqual([{ fault: 'image-pull-fail', registries: ['docker.io', 'gcr.io'], since: '2026-01-01T00:00:00Z' }]);
    expect(() => applyFault(c, { fault: 'image-pull-fail', registry: 'not a host' })).toThrow('invalid registry "not a host"');
  });

  it('image-pull-ok heals: the next retry after the back-off pulls and the pod runs', () => {
    const c = newCluster('heal');
    applyFault(c, { fault: 'image-pull-fail' });
    createPod(c, pod('web', 'nginx:1.27', on('node-2')));
    c.advance(11_000);
    expect(status(c, 'web').state.waiting?.reason).toBe('ImagePullBackOff');
    applyFault(c, { fault: 'image-pull-ok' });
    expect(faultState(c).faults).toEqual([]);
    c.advance(15_000);
    expect(status(c, 'web').state.running).toBeDefined();
    expect(messages(c, 'web', 'Pulled')[0]).toMatch(/^Successfully pulled image "nginx:1.27" in /);
  });

  it('the same future after snapshot and restore while pulls fail; heal-all heals it', () => {
    const a = newCluster('snap');
    applyFault(a, { fault: 'image-pull-fail' });
    createPod(a, pod('web', 'nginx:1.27', on('node-2')));
    a.advance(25_000);
    const b = restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(a.snapshot()))));
    for (const c of [a, b]) {
      createPod(c, pod('later', 'redis:7', on('node-3')));
      c.advance(40_000);
      expect(status(c, 'later').state.waiting?.reason).toBe('ImagePullBackOff');
      applyFault(c, { fault: 'heal-all' });
      c.advance(120_000);
    }
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(status(b, 'web').state.running).toBeDefined();
    expect(status(b, 'later').state.running).toBeDefined();
  });
});

describe('image-pull-slow', () => {
  const pulledIn = (c: Cluster, name: string) => Number(/ in ([\d.]+)s /.exec(messages(c, name, 'Pulled')[0])![1]);

  it('pulls take factor times longer; image-pull-ok brings the usual speed back', () => {
    const fast = newCluster('slow');
    createPod(fast, pod('web', 'postgres:17', on('node-2')));
    fast.advance(60_000);
    const slow = newCluster('slow');
    applyFault(slow, { fault: 'image-pull-slow', factor: 10 });
    expect(faultState(slow).faults).toEqual([{ fault: 'image-pull-slow', factor: 10, since: '2026-01-01T00:00:00Z' }]);
    createPod(slow, pod('web', 'postgres:17', on('node-2')));
    slow.advance(10_000);
    expect(status(slow, 'web').state.waiting?.reason).toBe('ContainerCreating');
    slow.advance(60_000);
    expect(status(slow, 'web').state.running).toBeDefined();
    expect(pulledIn(slow, 'web')).toBeCloseTo(pulledIn(fast, 'web') * 10, 1);
    applyFault(slow, { fault: 'image-pull-ok' });
    createPod(slow, pod('again', 'postgres:17', on('node-3')));
    slow.advance(60_000);
    expect(pulledIn(slow, 'again')).toBeLessThan(pulledIn(slow, 'web') / 5);
    expect(() => applyFault(slow, { fault: 'image-pull-slow', factor: 0 })).toThrow('factor must be a number from 1 to 100');
  });
});
