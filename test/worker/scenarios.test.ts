// A sandbox started from a scenario: the room gets the started cluster and the manifests as a shared file,
// and `GET /api/checks` answers the scenario's task, hints and live checks for every role.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../sim/scenarios/index.ts';
import { Room } from '../../worker/room/room.ts';
import { validateSandboxFile } from '../../worker/room/transfer.ts';
import { ScenarioRequestError, manifestDocName, scenarioOfRequest, scenarioSandboxFile } from '../../worker/scenarios.ts';
import { TestHost, roomFetch } from './room-host.ts';

function startRoom(name: string) {
  const scenario = builtinScenario(name)!;
  const host = new TestHost();
  const file = validateSandboxFile(JSON.parse(JSON.stringify(scenarioSandboxFile(scenario, host.wall))));
  const room = Room.create(host, { id: `sc-${name}`, nodes: 0, import: file });
  return { host, room, scenario, tokens: (room as unknown as { state: { tokens: Record<string, string> } }).state.tokens };
}

describe('scenario sandboxes', () => {
  it('start broken: /api/checks lists the task, the hints and failing checks, for a view-only link too', async () => {
    const { room, scenario, tokens } = startRoom('crashloop-bad-command');
    const res = await roomFetch(room, 'GET', '/api/checks', tokens.view!);
    expect(res.status).toBe(200);
    expect(res.json.scenario.name).toBe('crashloop-bad-command');
    expect(res.json.scenario.task).toBe(scenario.task);
    expect(res.json.scenario.hints).toEqual(scenario.hints);
    expect(res.json.total).toBe(scenario.checks.length);
    expect(res.json.solved).toBe(false);
    const failing = res.json.checks.filter((c: { passed: boolean }) => !c.passed);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing[0].why).toMatch(/\S/);
  });

  it('the starting manifests are a shared file everyone can open', async () => {
    const { room, scenario, tokens } = startRoom('service-selector');
    const files = await roomFetch(room, 'GET', '/api/files', tokens.edit!);
    expect(files.json.items).toContain(manifestDocName(scenario));
  });

  it('a sandbox not started from a scenario answers scenario: null', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'plain', nodes: 1 });
    const tokens = (room as unknown as { state: { tokens: Record<string, string> } }).state.tokens;
    expect((await roomFetch(room, 'GET', '/api/checks', tokens.owner!)).json).toEqual({ scenario: null });
  });

  it('requests name a built-in scenario or carry a file; mistakes are explained with the line', () => {
    expect(scenarioOfRequest({})).toBeUndefined();
    expect(scenarioOfRequest({ scenario: 'imagepull-typo' })?.name).toBe('imagepull-typo');
    expect(() => scenarioOfRequest({ scenario: 'nope' })).toThrow('no built-in scenario named "nope"');
    expect(() => scenarioOfRequest({ scenario: 42 })).toThrow(ScenarioRequestError);
    let err: unknown;
    try {
      scenarioOfRequest({ scenarioYaml: 'name: x\ntitle: [unclosed\n' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioRequestError);
    expect((err as Error).message).toMatch(/^the scenario file is not valid:\nscenario\.yaml:\d+: /);
  });
});

describe('POST /api/sandboxes with a scenario, through the Worker and its Durable Object', () => {
  const BASE = 'https://kuberoom.test';
  const call = (path: string, init?: RequestInit) => exports.default.fetch(new Request(BASE + path, init));
  const post = (body: unknown) => call('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('lists the built-in scenarios without their answers', async () => {
    const res = await call('/api/scenarios');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    expect(items.length).toBeGreaterThanOrEqual(15);
    expect(items[0]).toMatchObject({ name: 'crashloop-bad-command', level: 'easy' });
    expect(JSON.stringify(items)).not.toMatch(/solution|wrongFixes|"task"/);
  });

  it('starts a built-in scenario: the pods are there, the checks fail, every role reads them', async () => {
    const res = await post({ scenario: 'imagepull-typo' });
    expect(res.status).toBe(201);
    const made = (await res.json()) as { id: string; token: string; scenario: string; links: Record<string, string> };
    expect(made.scenario).toBe('imagepull-typo');
    const view = new URL(made.links.view!).hash.replace('#token=', '');
    const checks = await call(`/s/${made.id}/api/checks`, { headers: { authorization: `Bearer ${view}` } });
    expect(checks.status).toBe(200);
    const body = (await checks.json()) as { scenario: { name: string; task: string }; solved: boolean; checks: { passed: boolean; why: string }[] };
    expect(body.scenario.name).toBe('imagepull-typo');
    expect(body.solved).toBe(false);
    expect(body.checks.some((c) => !c.passed && /ImagePullBackOff|ErrImagePull|pull/i.test(c.why))).toBe(true);
    const pods = await call(`/s/${made.id}/k8s/api/v1/pods`, { headers: { authorization: `Bearer ${made.token}` } });
    expect(((await pods.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });

  it('refuses an unknown scenario and a broken scenario file with the reason and the line', async () => {
    const unknown = await post({ scenario: 'no-such-thing' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('no built-in scenario named "no-such-thing"');
    const broken = await post({ scenarioYaml: 'name: broken\ntitle: Broken\nlevel: impossible\ntask: x\nchecks: []\n' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/scenario\.yaml:3: level/);
  });
});
