/**
 * Loading a scenario into a cluster, as a user would build it: node patches and manifests through the API
 * (create, or replace when the object exists, like `kubectl apply`), faults through the same entry point as
 * `POST /api/faults`, then the warm-up run on the virtual clock. The scenario's checks are kept in the
 * cluster's records, so a host (or a fork, or a restored checkpoint) can evaluate them later.
 */
import { createCluster, type NewClusterOptions } from '../bootstrap.ts';
import { findByKind, NODES } from '../apiserver/resources.ts';
import { StatusError } from '../apiserver/errors.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { DEPLOYMENTS } from '../controllers/deployment.ts';
import { addNode, nextNodeName } from '../nodes/node.ts';
import { applyFault, FaultError } from '../nodes/faults.ts';
import { ensureMonitor, SCENARIO_TABLE, watchAvailability } from './monitor.ts';
import { ScenarioError } from './parse.ts';
import type { Check, Scenario } from './types.ts';

/** What the cluster remembers of the scenario it was started from (records table `scenario:meta`, key `current`). */
export interface ScenarioRecord {
  name: string;
  title: string;
  level: Scenario['level'];
  topics: string[];
  task: string;
  hints: string[];
  checks: Check[];
  /** virtual ms when the learner arrived (after the warm-up) */
  startedAt: number;
}

export interface StartedScenario {
  record: ScenarioRecord;
  /** how the host should run the clock from now on */
  clock: { paused: boolean; speed: number };
}

/** Creates an object, or replaces it when it exists (what `kubectl apply` amounts to for a fresh object). */
export function applyObject(cluster: Cluster, obj: Record<string, any>): KObject {
  const info = findByKind(obj.apiVersion, obj.kind);
  if (!info) throw new StatusError(404, 'NotFound', `no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
  const namespace = info.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
  const existing = cluster.store.get(info, namespace, obj.metadata.name);
  if (!existing) return cluster.api.create(info, namespace, obj);
  const body = JSON.parse(JSON.stringify(obj));
  body.metadata = { ...body.metadata, resourceVersion: existing.metadata.resourceVersion };
  if (info.kind === 'Node' || existing.status) body.status ??= existing.status;
  return cluster.api.update(info, namespace, obj.metadata.name, body);
}

/** Starts a scenario in a cluster (usually fresh): nodes, manifests, faults, warm-up. Throws ScenarioError. */
export function startScenario(cluster: Cluster, scenario: Scenario): StartedScenario {
  ensureMonitor(cluster);
  const spec = scenario.cluster;
  while (cluster.store.count(NODES) < spec.nodes) addNode(cluster, nextNodeName(cluster));
  cluster.settle();
  for (const [i, np] of spec.nodePatches.entries()) {
    try {
      cluster.api.patch(NODES, undefined, np.node, 'merge', np.patch);
    } catch (e) {
      throw new ScenarioError(scenario.file, [{ line: 0, path: `cluster.nodePatches[${i}]`, message: e instanceof Error ? e.message : String(e) }]);
    }
  }
  for (const m of scenario.manifests) {
    try {
      applyObject(cluster, m.object);
    } catch (e) {
      const what = `${m.object.kind} ${m.object.metadata?.name}`;
      throw new ScenarioError(scenario.file, [{ line: m.line, path: `cluster.manifests[${m.index}] (${what})`, message: e instanceof Error ? e.message : String(e) }]);
    }
    cluster.settle();
  }
  const start = cluster.now();
  const faults = spec.faults.map((f, i) => ({ ...f, i })).sort((a, b) => a.afterSeconds - b.afterSeconds || a.i - b.i);
  for (const f of faults) {
    cluster.advanceTo(start + f.afterSeconds * 1000);
    try {
      const { i: _index, afterSeconds: _after, ...request } = f;
      applyFault(cluster, request);
    } catch (e) {
      if (!(e instanceof FaultError)) throw e;
      throw new ScenarioError(scenario.file, [{ line: 0, path: `cluster.faults[${f.i}]`, message: e.message }]);
    }
  }
  cluster.advanceTo(Math.max(cluster.now(), start + spec.warmupSeconds * 1000));
  const record: ScenarioRecord = {
    name: scenario.name,
    title: scenario.title,
    level: scenario.level,
    topics: scenario.topics,
    task: scenario.task,
    hints: scenario.hints,
    checks: scenario.checks,
    startedAt: cluster.now(),
  };
  cluster.records.set(SCENARIO_TABLE, 'current', record);
  // "No downtime" checks watch availability from the moment the learner arrives.
  for (const c of scenario.checks) {
    if (c.kind !== 'rollout' || c.params.minAvailable === undefined) continue;
    const d = cluster.store.get(DEPLOYMENTS, c.params.namespace, c.params.deployment);
    watchAvailability(cluster, c.params.namespace, c.params.deployment, c.params.minAvailable, Number((d?.status as any)?.availableReplicas ?? 0));
  }
  return { record, clock: { ...spec.clock } };
}

/** The scenario a cluster was started from, if any. */
export function scenarioOf(cluster: Cluster): ScenarioRecord | undefined {
  return cluster.records.get<ScenarioRecord>(SCENARIO_TABLE, 'current');
}

/** A new cluster with a scenario started in it (its nodes, its seed unless one is given). */
export function createScenarioCluster(scenario: Scenario, opts: Partial<NewClusterOptions> & { startTime: number }): { cluster: Cluster; started: StartedScenario } {
  const cluster = createCluster({ seed: opts.seed ?? scenario.cluster.seed ?? scenario.name, startTime: opts.startTime, nodes: scenario.cluster.nodes });
  const started = startScenario(cluster, scenario);
  return { cluster, started };
}
