// Scenario files are validated on load: every problem names the file's line and says what is wrong.
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../sim/scenarios/parse.ts';
import { createScenarioCluster, startScenario } from '../../sim/scenarios/start.ts';
import { kubectlStep } from '../../sim/scenarios/solution.ts';
import { newCluster, START } from './helpers.ts';

const GOOD = `name: tiny
title: A tiny scenario
level: easy
topics: [pods]
cluster:
  nodes: 1
  manifests: |
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      selector:
        app: web
      ports:
      - port: 80
task: Make the Service web answer.
checks:
  - title: web has 3 ready endpoints
    endpoints: {service: web, namespace: shop, ready: 3}
`;

function errorsOf(text: string, file = 'scenario.yaml'): string[] {
  try {
    parseScenario(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).message.split('\n');
  }
  throw new Error('expected the scenario to be refused');
}

describe('parsing a scenario file', () => {
  it('reads a valid file with defaults and the manifests with their lines', () => {
    const s = parseScenario(GOOD);
    expect(s).toMatchObject({ name: 'tiny', level: 'easy', hints: [], cluster: { nodes: 1, warmupSeconds: 0, faults: [], clock: { paused: false, speed: 1 } } });
    expect(s.checks).toEqual([{ id: 'web-has-3-ready-endpoints', title: 'web has 3 ready endpoints', kind: 'endpoints', params: { service: 'web', namespace: 'shop', ready: 3 } }]);
    expect(s.manifests.map((m) => [m.line, m.object.kind])).toEqual([[8, 'Namespace'], [13, 'Service']]);
  });

  it('names the line and the field of a wrong type, e.g. a word where a number goes', () => {
    const bad = GOOD.replace('ready: 3}', 'ready: "three"}').replace('checks:\n', 'checks:\n  - title: first\n    node: {node: node-1}\n');
    expect(errorsOf(bad)).toEqual(['scenario.yaml:28: checks[1].endpoints.ready: expected a number, got "three"']);
  });

  it('reports every problem at once, in line order', () => {
    const bad = GOOD.replace('level: easy', 'level: trivial').replace('nodes: 1', 'nodes: 0').replace('task: Make the Service web answer.\n', '').replace('ready: 3}', 'ready: 3, colour: blue}');
    expect(errorsOf(bad, 'broken.yaml')).toEqual([
      'broken.yaml:1: task: required (a string)',
      'broken.yaml:3: level: expected one of "easy", "medium", "hard", got "trivial"',
      'broken.yaml:6: cluster.nodes: must be at least 1, got 0',
      'broken.yaml:25: checks[0].endpoints: unknown field "colour"',
    ]);
  });

  it('refuses a check without a kind, with two kinds, or with an unknown kind', () => {
    const bad = GOOD.replace(
      'checks:\n',
      'checks:\n  - title: nothing to look at\n  - title: two things\n    node: {}\n    pvc: {claim: data}\n  - title: a typo\n    endpoint: {service: web}\n',
    );
    const errs = errorsOf(bad);
    expect(errs[0]).toBe('scenario.yaml:25: checks[0]: needs a kind: one of endpoints, rollout, pods, scheduled, http, dns, pvc, statefulSet, cronJob, hpa, node, field');
    expect(errs[1]).toBe('scenario.yaml:26: checks[1]: has 2 kinds (node, pvc): one check, one kind');
    expect(errs[2]).toMatch(/^scenario.yaml:30: checks\[2\].endpoint: unknown check kind "endpoint": must be one of endpoints, /);
  });

  it('reports broken YAML with its line', () => {
    expect(errorsOf('name: x\ntitle: [unclosed\nlevel: easy\n')[0]).toMatch(/^scenario.yaml:\d: /);
    expect(errorsOf('- just\n- a list\n')).toEqual(['scenario.yaml:1: a scenario file must be a YAML map (name:, title:, level:, task:, checks: ...)']);
  });

  it('reports a manifest without a kind, of an unknown kind, or not YAML, at its document line', () => {
    const bad = GOOD.replace('    kind: Service\n', '    kind: Servise\n').replace('    kind: Namespace\n', '');
    expect(errorsOf(bad)).toEqual([
      'scenario.yaml:8: cluster.manifests[0]: kind not set',
      'scenario.yaml:12: cluster.manifests[1]: no matches for kind "Servise" in version "v1"',
    ]);
  });

  it('checks fault names and the checks mistakes name', () => {
    const bad = GOOD.replace('  nodes: 1\n', '  nodes: 1\n  faults:\n    - fault: node-explodes\n      node: node-1\n    - fault: node-down\n').replace(
      'checks:',
      'solution:\n  steps: [{wait: 5}]\n  mistakes:\n    - text: nope\n      steps: [{wait: 5}]\n      failing: [no-such-check]\nchecks:',
    );
    expect(errorsOf(bad)).toEqual([
      'scenario.yaml:8: cluster.faults[0].fault: unknown fault "node-explodes": must be one of node-down, node-partition, node-not-ready, node-up, add-node, remove-node, kill-container, kill-pod, image-pull-fail, image-pull-slow, image-pull-ok, dns-break, dns-ok, heal-all',
      'scenario.yaml:10: cluster.faults[1]: fault node-down needs a node, e.g. node: node-2',
      'scenario.yaml:33: solution.mistakes[0].failing[0]: no check has id "no-such-check" (ids: web-has-3-ready-endpoints)',
    ]);
  });

  it('reports a manifest the API refuses when the scenario starts, with the document line and the API message', () => {
    const bad = GOOD.replace('      - port: 80\n', '      - port: 99999\n');
    const s = parseScenario(bad, 'svc.yaml');
    expect(() => startScenario(newCluster(), s)).toThrow(
      'svc.yaml:13: cluster.manifests[1] (Service web): Service "web" is invalid: [spec.ports[0].port: Invalid value: 99999: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 99999: must be between 1 and 65535, inclusive]',
    );
  });
});

describe('starting a scenario', () => {
  it('adds the nodes it asks for, patches them, runs the warm-up, and records the scenario in the cluster', () => {
    const s = parseScenario(
      GOOD.replace('  nodes: 1\n', '  nodes: 4\n  warmupSeconds: 90\n  nodePatches:\n    - node: node-4\n      patch: {metadata: {labels: {disk: ssd}}}\n'),
    );
    const cluster = newCluster('t', 2);
    const { record } = startScenario(cluster, s);
    expect(cluster.store.list({ group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false } as any).map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3', 'node-4']);
    expect(record.startedAt).toBe(START + 90_000);
    expect(cluster.now()).toBe(START + 90_000);
    expect(cluster.records.get('scenario:meta', 'current')).toEqual(record);
  });

  it('is deterministic: the same scenario gives the same cluster', () => {
    const s = parseScenario(GOOD);
    const a = createScenarioCluster(s, { startTime: START }).cluster.snapshot();
    const b = createScenarioCluster(s, { startTime: START }).cluster.snapshot();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('solution steps as kubectl commands', () => {
  it('turns patches, deletes and applies into what a learner types', () => {
    expect(kubectlStep({ patch: { kind: 'Deployment', namespace: 'shop', name: 'web', type: 'strategic', patch: { spec: { replicas: 2 } } } })).toEqual({
      kubectl: ['patch', 'deployment.apps', 'web', '-n', 'shop', '--type', 'strategic', '-p', '{"spec":{"replicas":2}}'],
    });
    expect(kubectlStep({ patch: { kind: 'Node', name: 'node-2', type: 'merge', patch: { spec: { unschedulable: true } } } })).toEqual({
      kubectl: ['patch', 'node', 'node-2', '--type', 'merge', '-p', '{"spec":{"unschedulable":true}}'],
    });
    expect(kubectlStep({ delete: { kind: 'Pod', namespace: 'shop', fieldSelector: 'spec.nodeName=node-2' } })).toEqual({
      kubectl: ['delete', 'pod', '--field-selector', 'spec.nodeName=node-2', '-n', 'shop', '--wait=false'],
    });
    expect(kubectlStep({ apply: 'kind: X\n' })).toEqual({ kubectl: ['apply', '-f', '-'], stdin: 'kind: X\n' });
    expect(kubectlStep({ wait: 30 })).toEqual({ wait: 30 });
  });
});
