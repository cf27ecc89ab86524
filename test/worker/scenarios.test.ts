// A sandbox started from a scenario: the room gets the started cluster and the manifests as a shared file,
// and `GET /api/checks` answers the scenario's task, hints and live checks for every role.
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
