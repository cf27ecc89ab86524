import { PODS } from '../../sim/apiserver/resources.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import { createCluster } from '../../sim/bootstrap.ts';
import type { Cluster, Component } from '../../sim/cluster.ts';
import { applyFault } from '../../sim/nodes/faults.ts';
import type { Row } from './run.ts';

const START = Date.parse('2026-01-01T00:00:00Z');

/** Wraps the scheduler's runQueue to time it alone (the kubelet's work on the bound pods is left out). */
function timeScheduler(c: Cluster): { ms: number } {
  const acc = { ms: 0 };
  const sched = (c as unknown as { components: Component[] }).components.find((x) => x.name === 'default-scheduler')!;
  const run = sched.runQueue!.bind(sched);
  sched.runQueue = () => {
    const t = performance.now();
    const r = run();
    acc.ms += performance.now() - t;
    return r;
  };
  return acc;
}

function webPod(i: number, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }], ...spec },
  };
}

/** Scheduling throughput on 500 nodes, and how cheap 500 idle nodes are to simulate. */
export async function run(): Promise<Row[]> {
  const rows: Row[] = [];

  // 1. Scheduling throughput: 2,000 pods, one at a time as they arrive, on 500 nodes.
  {
    const c = createCluster({ seed: 'bench-nodes', startTime: START, nodes: 500 });
    const sched = timeScheduler(c);
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      c.api.create(PODS, 'default', webPod(i));
      c.settle();
    }
    const wall = performance.now() - t0;
    const bound = (c.store.list(PODS) as Pod[]).filter((p) => p.spec.nodeName).length;
    if (bound !== n) throw new Error(`only ${bound} of ${n} pods were scheduled`);
    rows.push({ name: 'scheduling throughput, 500 nodes (scheduler alone)', value: (n / sched.ms) * 1000, unit: 'pods/s', note: `${n} pods, default profile` });
    rows.push({ name: 'create + schedule + kubelet start, 500 nodes', value: (n / wall) * 1000, unit: 'pods/s', note: 'API create, scheduling and the kubelet start bookkeeping' });
  }

  // 2. The same with required pod anti-affinity and a hard topology spread (the indexed plugins).
  {
    const c = createCluster({ seed: 'bench-nodes-aff', startTime: START, nodes: 500 });
    const sched = timeScheduler(c);
    const n = 500;
    for (let i = 0; i < n; i++) {
      c.api.create(
        PODS,
        'default',
        webPod(i, {
          affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
        }),
      );
      c.settle();
    }
    const bound = (c.store.list(PODS) as Pod[]).filter((p) => p.spec.nodeName).length;
    if (bound !== n) throw new Error(`only ${bound} of ${n} anti-affinity pods were scheduled`);
    rows.push({ name: 'scheduling throughput, anti-affinity + spread, 500 nodes', value: (n / sched.ms) * 1000, unit: 'pods/s', note: 'one pod per node, zones balanced' });
  }

  // 3. 500 idle nodes: how many virtual seconds a wall second simulates, ticking every 10 s as a room would.
  {
    const c = createCluster({ seed: 'bench-idle', startTime: START, nodes: 500 });
    const rv = c.store.currentRV();
    const virtualMs = 24 * 3600_000;
    const t0 = performance.now();
    for (let t = 10_000; t <= virtualMs; t += 10_000) c.advanceTo(START + t);
    const wall = performance.now() - t0;
    rows.push({ name: 'virtual time with 500 idle nodes (10 s ticks)', value: virtualMs / Math.max(wall, 0.001), unit: 'virtual s / wall s', note: `${c.store.currentRV() - rv} writes in a virtual day (Leases renewed on read)` });
  }

  // 4. A node down in a 500-node cluster with 1,000 pods: from the fault to every eviction.
  {
    const c = createCluster({ seed: 'bench-down', startTime: START, nodes: 500 });
    for (let i = 0; i < 1000; i++) c.api.create(PODS, 'default', webPod(i));
    c.settle();
    c.advance(60_000);
    const t0 = performance.now();
    applyFault(c, { fault: 'node-down', node: 'node-7' });
    applyFault(c, { fault: 'node-down', node: 'node-8' });
    c.advance(400_000);
    const wall = performance.now() - t0;
    rows.push({ name: '2 nodes down, 1,000 pods, 400 virtual s to evictions', value: wall, unit: 'ms wall', note: '500 nodes' });
  }
  return rows;
}
