// The built-in scenarios on a real server with the real kubectl. Each scenario is started with
// `POST /api/sandboxes {"scenario": "<name>"}` and its clock paused; the intended fix (and each listed mistake) is
// typed with kubectl, the clock is stepped with `POST /s/<id>/api/clock`, faults go through `POST /s/<id>/api/faults`,
// and the checks are read from `GET /s/<id>/api/checks`. A scenario built by hand (no scenario record) is judged
// by evaluating the scenario's checks on the sandbox's state as `GET /s/<id>/api/export` returns it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster, type ClusterSnapshot } from '../../sim/cluster.ts';
import { evaluateChecks } from '../../sim/scenarios/checks.ts';
import { builtinScenarios } from '../../sim/scenarios/library.ts';
import { kubectlStep } from '../../sim/scenarios/solution.ts';
import type { CheckResult, Scenario, SolutionStep } from '../../sim/scenarios/types.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';

let server: Server;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

interface Started {
  sandbox: Sandbox;
  kubectl: KubectlEnv;
}

/** Starts the scenario as a learner would (`POST /api/sandboxes {"scenario": …}`), then pauses its clock. */
async function startSandbox(s: Scenario): Promise<Started> {
  const res = await fetch(`${server.origin}/api/sandboxes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: s.name }) });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const sandbox = JSON.parse(text) as Sandbox;
  expect(sandbox.scenario).toBe(s.name);
  await clock(server.origin, sandbox, { action: 'pause' });
  return { sandbox, kubectl: await kubectlEnv(server.origin, sandbox) };
}

/** The sandbox's checks as the room evaluates them (`GET /s/<id>/api/checks`). */
async function checks(s: Scenario, { sandbox }: Started): Promise<CheckResult[]> {
  const res = await fetch(`${server.origin}/s/${sandbox.id}/api/checks`, { headers: { authorization: `Bearer ${sandbox.token}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { scenario: { name: string } | null; total: number; solved: boolean; checks: CheckResult[] };
  expect(body.scenario?.name).toBe(s.name);
  expect(body.total).toBe(s.checks.length);
  expect(body.solved).toBe(body.checks.every((c) => c.passed));
  return body.checks;
}

/** A hand-built sandbox has no scenario record: the scenario's checks, evaluated on its exported state. */
async function exportedChecks(s: Scenario, { sandbox }: Started): Promise<CheckResult[]> {
  const res = await fetch(`${server.origin}/s/${sandbox.id}/api/export`, { headers: { authorization: `Bearer ${sandbox.token}` } });
  expect(res.status).toBe(200);
  const file = (await res.json()) as { cluster: ClusterSnapshot };
  return evaluateChecks(restoreCluster(Cluster.restore(file.cluster)), s.checks);
}

/** One solution step, as a learner does it: kubectl, a fault over HTTP, or a clock step. */
async function run(step: SolutionStep, { sandbox, kubectl }: Started): Promise<void> {
  const k = kubectlStep(step);
  if ('kubectl' in k) {
    const r = await kubectl.run(k.kubectl, { stdin: k.stdin });
    expect(r.code, `kubectl ${k.kubectl.join(' ')}\n${showRun(r)}`).toBe(0);
  } else if ('fault' in k) {
    const res = await fetch(`${server.origin}/s/${sandbox.id}/api/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sandbox.token}` },
      body: JSON.stringify(k.fault),
    });
    expect(res.status, await res.text()).toBe(200);
  } else {
    await clock(server.origin, sandbox, { action: 'step', seconds: k.wait });
  }
}

function show(results: CheckResult[]): string {
  return results.map((r) => `${r.passed ? 'PASS' : 'FAIL'} ${r.id}: ${r.summary} — ${r.why}`).join('\n');
}

describe.each(builtinScenarios().map((s) => [s.name, s] as const))('%s with kubectl', (_name, scenario) => {
  it('can be built by hand: node patches and manifests with kubectl, faults and warm-up over HTTP, and it is as broken', async () => {
    const sandbox = await createSandbox(server.origin, { nodes: scenario.cluster.nodes });
    await clock(server.origin, sandbox, { action: 'pause' });
    const started = { sandbox, kubectl: await kubectlEnv(server.origin, sandbox) };
    for (const np of scenario.cluster.nodePatches) await run({ patch: { kind: 'Node', name: np.node, type: 'merge', patch: np.patch } }, started);
    await run({ apply: scenario.cluster.manifests }, started);
    let elapsed = 0;
    for (const f of [...scenario.cluster.faults].sort((a, b) => a.afterSeconds - b.afterSeconds)) {
      if (f.afterSeconds > elapsed) await run({ wait: f.afterSeconds - elapsed }, started);
      elapsed = Math.max(elapsed, f.afterSeconds);
      await run({ fault: { fault: f.fault, node: f.node } }, started);
    }
    if (scenario.cluster.warmupSeconds > elapsed) await run({ wait: scenario.cluster.warmupSeconds - elapsed }, started);
    const results = await exportedChecks(scenario, started);
    for (const r of results) expect(r.passed, show(results)).toBe(!!r.guard);
  });

  it('starts broken, and the intended fix typed with kubectl passes every check', async () => {
    const started = await startSandbox(scenario);
    const before = await checks(scenario, started);
    for (const r of before) expect(r.passed, show(before)).toBe(!!r.guard);
    for (const step of scenario.solution!.steps) await run(step, started);
    const after = await checks(scenario, started);
    for (const r of after) expect(r.passed, show(after)).toBe(true);
  });

  it('each wrong fix typed with kubectl leaves its checks failing', async () => {
    for (const mistake of scenario.solution!.mistakes) {
      const started = await startSandbox(scenario);
      for (const step of mistake.steps) await run(step, started);
      const results = await checks(scenario, started);
      for (const id of mistake.failing) expect(results.find((r) => r.id === id)!.passed, `${mistake.text}\n${show(results)}`).toBe(false);
    }
  });
});
