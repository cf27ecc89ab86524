/**
 * Sandboxes started from a scenario (sim/scenarios): the request's scenario (a built-in name or a scenario
 * file's YAML) is parsed and started in a fresh cluster, and the result is handed to the room as a sandbox
 * file, the same way an import or a fork reaches it. The scenario's manifests become a shared file, so the
 * class sees and edits the broken YAML together.
 */
import * as Y from 'yjs';
import { ScenarioError, builtinScenario, createScenarioCluster, parseScenario, scenarioCatalog, type Scenario } from '../sim/scenarios/index.ts';
import { SANDBOX_FILE_FORMAT, toBase64, type SandboxFile } from './room/transfer.ts';

/** Largest scenario file accepted in a request. */
export const MAX_SCENARIO_BYTES = 256 * 1024;

export class ScenarioRequestError extends Error {
  readonly lines: string[];
  constructor(message: string, lines: string[] = []) {
    super(message);
    this.lines = lines;
  }
}

/** The scenario a create request names: `{"scenario": "<built-in name>"}` or `{"scenarioYaml": "<file text>"}`. */
export function scenarioOfRequest(body: { scenario?: unknown; scenarioYaml?: unknown }): Scenario | undefined {
  if (body.scenarioYaml !== undefined) {
    if (typeof body.scenarioYaml !== 'string') throw new ScenarioRequestError('scenarioYaml must be the text of a scenario file');
    if (body.scenarioYaml.length > MAX_SCENARIO_BYTES) throw new ScenarioRequestError(`scenarioYaml is too large: the limit is ${MAX_SCENARIO_BYTES} bytes`);
    try {
      return parseScenario(body.scenarioYaml, 'scenario.yaml');
    } catch (e) {
      if (e instanceof ScenarioError) throw new ScenarioRequestError(`the scenario file is not valid:\n${e.message}`, e.message.split('\n'));
      throw e;
    }
  }
  if (body.scenario === undefined) return undefined;
  if (typeof body.scenario !== 'string') throw new ScenarioRequestError('scenario must be the name of a built-in scenario');
  const s = builtinScenario(body.scenario);
  if (!s) throw new ScenarioRequestError(`no built-in scenario named "${body.scenario}"; GET /api/scenarios lists them`);
  return s;
}

/** A shared file name for the scenario's manifests (`file:<name>.yaml`). */
export function manifestDocName(s: Scenario): string {
  return `file:${s.name}.yaml`;
}

/**
 * Starts the scenario in a new cluster whose virtual time is `wallNow` once the warm-up has run, and packs it
 * as a sandbox file (with the manifests as a shared file). Throws ScenarioRequestError when the start fails.
 */
export function scenarioSandboxFile(s: Scenario, wallNow: number): SandboxFile {
  let started: ReturnType<typeof createScenarioCluster>;
  try {
    started = createScenarioCluster(s, { startTime: wallNow - s.cluster.warmupSeconds * 1000 });
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioRequestError(`the scenario does not start:\n${e.message}`, e.message.split('\n'));
    throw e;
  }
  const docs: Record<string, string> = {};
  if (s.cluster.manifests.trim()) {
    const doc = new Y.Doc();
    doc.getText('content').insert(0, s.cluster.manifests);
    docs[manifestDocName(s)] = toBase64(Y.encodeStateAsUpdate(doc));
  }
  return {
    format: SANDBOX_FILE_FORMAT,
    exportedAt: new Date(wallNow).toISOString(),
    clock: { paused: started.started.clock.paused, speed: started.started.clock.speed },
    cluster: started.cluster.snapshot(),
    docs,
  };
}

export { scenarioCatalog };
