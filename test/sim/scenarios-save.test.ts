// Saving a sandbox as a scenario file (issue 8): the learner's objects (not the cluster's own), the nodes'
// labels, taints and cordons, and the author's task, hints and checks; the file parses, and starting it
// rebuilds the same objects.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findByKind, NODES } from '../../sim/apiserver/resources.ts';
import { builtinScenarios } from '../../sim/scenarios/library.ts';
import { parseScenario } from '../../sim/scenarios/parse.ts';
import { clusterSpec, saveScenario } from '../../sim/scenarios/save.ts';
import { createScenarioCluster, scenarioOf } from '../../sim/scenarios/start.ts';
import { scenarioStatus } from '../../sim/scenarios/checks.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { newCluster, START } from './helpers.ts';

const AUTHOR = {
  name: 'my-scenario',
  title: 'My scenario',
  level: 'medium',
  task: 'Make the **web** Service answer.\n\nDo not delete anything.',
  hints: ['Look at the endpoints: `kubectl get ep`.', 'Compare the selector with the labels'],
  checks: [
    { title: 'web has 2 ready endpoints', endpoints: { service: 'web', namespace: 'default', ready: 2 } },
    { id: 'roll', title: 'web runs nginx:1.27', rollout: { deployment: 'web', image: 'nginx:1.27' } },
  ],
};

function keys(c: Cluster): string[] {
  return clusterSpec(c).objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
}

function restart(text: string): Cluster {
  return createScenarioCluster(parseScenario(text), { startTime: START }).cluster;
}

describe.each(builtinScenarios().map((s) => [s.name, s] as const))('saving %s once started', (_name, scenario) => {
  it('keeps every object of its manifests, and starting the saved file gives the same objects and nodes', () => {
    const cluster = createScenarioCluster(scenario, { startTime: START }).cluster;
    const text = saveScenario(cluster, { ...AUTHOR, checks: [{ title: 'any', node: {} }] });
    const parsed = parseScenario(text);
    const saved = parsed.manifests.map((m) => `${m.object.kind} ${m.object.metadata.namespace ?? ''}/${m.object.metadata.name}`);
    for (const m of scenario.manifests) {
      const info = findByKind(m.object.apiVersion, m.object.kind)!;
      expect(saved, text).toContain(`${m.object.kind} ${info.namespaced ? (m.object.metadata.namespace ?? 'default') : ''}/${m.object.metadata.name}`);
    }
    expect(parsed.cluster.nodes).toBe(cluster.store.count(NODES));
    const again = restart(text);
    expect(clusterSpec(again)).toEqual(clusterSpec(cluster));
    expect(saveScenario(again, { ...AUTHOR, checks: [{ title: 'any', node: {} }] })).toBe(text);
  });
});

describe('a cluster a user built with the API', () => {
  function build(): Cluster {
    const c = newCluster('save', 3);
    const api = (apiVersion: string, kind: string, ns: string | undefined, obj: any) => c.api.create(findByKind(apiVersion, kind)!, ns, { apiVersion, kind, ...obj });
    api('v1', 'Namespace', undefined, { metadata: { name: 'shop' } });
    api('apps/v1', 'Deployment', 'default', {
      metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    });
    api('v1', 'Service', 'default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    api('v1', 'ConfigMap', 'shop', { metadata: { name: 'settings' }, data: { mode: 'fast' } });
    api('v1', 'Pod', 'shop', { metadata: { name: 'debug', labels: { role: 'debug' } }, spec: { containers: [{ name: 'sh', image: 'busybox', command: ['sleep', '3600'] }] } });
    api('batch/v1', 'Job', 'shop', { metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox', command: ['true'] }] } } } });
    c.api.patch(NODES, undefined, 'node-2', 'merge', { metadata: { labels: { disk: 'ssd' } }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
    c.api.patch(NODES, undefined, 'node-3', 'merge', { spec: { unschedulable: true } });
    c.advance(60_000);
    return c;
  }

  it('saves only what the user made, cleaned of what the server added, in install order', () => {
    const c = build();
    expect(keys(c)).toEqual(['Namespace /shop', 'ConfigMap shop/settings', 'Service default/web', 'Pod shop/debug', 'Deployment default/web', 'Job shop/once']);
    const text = saveScenario(c, AUTHOR);
    expect(text).not.toMatch(/resourceVersion|uid:|creationTimestamp|managedFields|status:|last-applied|kube-api-access|clusterIP|controller-uid|kube-root-ca/);
    const docs = parseAllDocuments(parseScenario(text).cluster.manifests).map((d: any) => d.toJS());
    // As the user wrote them: the server's defaults, the Job's generated selector and labels left out.
    expect(docs.find((d: any) => d.kind === 'Deployment')).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    });
    expect(docs.find((d: any) => d.kind === 'Service')).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    expect(docs.find((d: any) => d.kind === 'Job').spec).toEqual({ template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox', command: ['true'] }] } } });
    const s = parseScenario(text);
    expect(s.cluster.nodes).toBe(3);
    expect(s.cluster.nodePatches).toEqual([
      { node: 'node-2', patch: { metadata: { labels: { disk: 'ssd' } }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } } },
      { node: 'node-3', patch: { spec: { unschedulable: true } } },
    ]);
  });

  it('round-trips: the saved file starts a cluster with the same objects, node labels, taints and cordons', () => {
    const c = build();
    const text = saveScenario(c, AUTHOR);
    const again = restart(text);
    expect(clusterSpec(again)).toEqual(clusterSpec(c));
    expect(again.store.get(NODES, undefined, 'node-2')!.metadata.labels?.disk).toBe('ssd');
    expect((again.store.get(NODES, undefined, 'node-3') as any).spec.unschedulable).toBe(true);
    expect(again.store.list(findByKind('v1', 'Pod')!, 'default').filter((p) => p.metadata.name?.startsWith('web-')).length).toBe(2);
  });

  it('keeps the task, hints and checks, which the started scenario evaluates', () => {
    const c = build();
    const again = restart(saveScenario(c, AUTHOR));
    const rec = scenarioOf(again)!;
    expect(rec.name).toBe('my-scenario');
    expect(rec.task).toBe(AUTHOR.task + '\n');
    expect(rec.hints).toEqual(AUTHOR.hints);
    expect(rec.checks.map((x) => [x.id, x.kind])).toEqual([['web-has-2-ready-endpoints', 'endpoints'], ['roll', 'rollout']]);
    const status = scenarioStatus(again);
    expect(status!.checks.map((x) => x.passed)).toEqual([true, true]);
  });

  it('a bad check is reported by the parser with its line', () => {
    const text = saveScenario(build(), { ...AUTHOR, checks: [{ title: 'x', endpoints: { service: 'web', ready: 'three' } }] });
    expect(() => parseScenario(text)).toThrow(/scenario\.yaml:\d+: checks\[0\]\.endpoints\.ready: expected a number, got "three"/);
  });
});
