// The built-in scenario library, started in the sim: every scenario parses, starts broken (its checks fail
// with reasons a learner can read), its intended fix (applied through the API, as kubectl would) passes every
// check once the virtual clock moves on, and each listed mistake leaves the named checks failing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateChecks, scenarioStatus } from '../../sim/scenarios/checks.ts';
import { builtinScenarios, builtinScenarioText, scenarioCatalog } from '../../sim/scenarios/library.ts';
import { LIBRARY_FILES } from '../../sim/scenarios/library/index.ts';
import { applyStep } from '../../sim/scenarios/solution.ts';
import { createScenarioCluster } from '../../sim/scenarios/start.ts';
import type { CheckResult, Scenario } from '../../sim/scenarios/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { START } from './helpers.ts';

const LIBRARY_DIR = join(import.meta.dirname, '../../sim/scenarios/library');

function show(results: CheckResult[]): string {
  return results.map((r) => `${r.passed ? 'PASS' : 'FAIL'} ${r.id}: ${r.summary} — ${r.why}`).join('\n');
}

function start(s: Scenario) {
  return createScenarioCluster(s, { startTime: START }).cluster;
}

describe('the library', () => {
  it('index.ts holds exactly the .yaml files (run build-index.mjs after editing one)', () => {
    const files = readdirSync(LIBRARY_DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect(LIBRARY_FILES.map((f) => f.file)).toEqual(files);
    for (const f of LIBRARY_FILES) expect(f.text, f.file).toBe(readFileSync(join(LIBRARY_DIR, f.file), 'utf8'));
  });

  it('has at least 15 scenarios with unique names, ordered easy to hard, each with a task, hints, checks and a fix', () => {
    const all = builtinScenarios();
    expect(all.length).toBeGreaterThanOrEqual(15);
    expect(new Set(all.map((s) => s.name)).size).toBe(all.length);
    const rank = { easy: 0, medium: 1, hard: 2 };
    const levels = all.map((s) => rank[s.level]);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    expect(scenarioCatalog().map((l) => [l.name, l.level, l.checks])).toEqual(all.map((s) => [s.name, s.level, s.checks.length]));
    expect(builtinScenarioText('oomkilled')).toContain('name: oomkilled\n');
    for (const s of all) {
      expect(s.task.length, s.name).toBeGreaterThan(80);
      expect(s.hints.length, s.name).toBeGreaterThanOrEqual(2);
      expect(s.solution?.steps.length, s.name).toBeGreaterThan(0);
      expect(s.solution?.mistakes.length, s.name).toBeGreaterThan(0);
    }
  });
});

describe.each(builtinScenarios().map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
  it('starts broken: every check fails and says why (guards, what the fix must keep, pass)', () => {
    const cluster = start(scenario);
    const results = evaluateChecks(cluster, scenario.checks);
    expect(results.some((r) => !r.guard)).toBe(true);
    for (const r of results) {
      expect(r.passed, show(results)).toBe(!!r.guard);
      expect(r.why.length, r.id).toBeGreaterThan(20);
    }
    // Evaluating is pure: the same results again, and the cluster's future is unchanged.
    const snap = JSON.stringify(cluster.snapshot());
    expect(evaluateChecks(cluster, scenario.checks)).toEqual(results);
    expect(JSON.stringify(cluster.snapshot())).toBe(snap);
  });

  it('the intended fix passes every check', () => {
    const cluster = start(scenario);
    for (const step of scenario.solution!.steps) applyStep(cluster, step);
    const snap = JSON.stringify(cluster.snapshot());
    const status = scenarioStatus(cluster)!;
    expect(status.solved, show(status.checks)).toBe(true);
    expect(status.passed).toBe(scenario.checks.length);
    for (const r of status.checks) expect(r.why.length, r.id).toBeGreaterThan(20);
    // Requests the HTTP checks send spread over endpoints with the random source: it is put back.
    expect(JSON.stringify(cluster.snapshot())).toBe(snap);
  });

  it.each(scenario.solution!.mistakes.map((m) => [m.text, m] as const))('a wrong fix leaves its checks failing: %s', (_t, mistake) => {
    const cluster = start(scenario);
    for (const step of mistake.steps) applyStep(cluster, step);
    const results = evaluateChecks(cluster, scenario.checks);
    for (const id of mistake.failing) {
      const r = results.find((x) => x.id === id)!;
      expect(r.passed, show(results)).toBe(false);
    }
  });
});

describe('scenario state in the cluster records', () => {
  it('a restored snapshot carries the scenario, its checks and the availability watch, with the same future', () => {
    const scenario = builtinScenarios().find((s) => s.name === 'rollout-stuck')!;
    const a = start(scenario);
    const b = restoreCluster(Cluster.restore(a.snapshot()));
    expect(scenarioStatus(b)).toEqual(scenarioStatus(a));
    // The "delete the pods" mistake: both clusters saw the downtime, after the restore too.
    for (const step of scenario.solution!.mistakes[1].steps) {
      applyStep(a, step);
      applyStep(b, step);
    }
    const sa = scenarioStatus(a)!;
    expect(scenarioStatus(b)).toEqual(sa);
    expect(sa.checks.find((c) => c.id === 'rolled-out')).toMatchObject({ passed: false, why: expect.stringMatching(/it had downtime: only 0 replicas were available 2m ago, fewer than the 3 it must always keep\.$/) });
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
  });

  it('a cluster not started from a scenario has no scenario status', () => {
    expect(scenarioStatus(restoreCluster(Cluster.restore(start(builtinScenarios()[0]).snapshot())))).toBeDefined();
    const plain = restoreCluster(Cluster.restore({ format: 'kuberoom.cluster/v1', records: { meta: { rng: [1, 2, 3, 4], now: START } } }));
    expect(scenarioStatus(plain)).toBeUndefined();
  });
});
