// Scenarios: broken clusters to fix, with live checks (issue 8). See FORMAT.md.
export { parseScenario, ScenarioError, formatIssue, type ScenarioIssue } from './parse.ts';
export { startScenario, createScenarioCluster, scenarioOf, applyObject, type ScenarioRecord, type StartedScenario } from './start.ts';
export { evaluateCheck, evaluateChecks, scenarioStatus, explainPod, type ScenarioStatus } from './checks.ts';
export { ScenarioMonitor, ensureMonitor, availabilityOf } from './monitor.ts';
export { applyStep, kubectlStep, type KubectlStep } from './solution.ts';
export { builtinScenarios, builtinScenario, builtinScenarioText, scenarioCatalog, type ScenarioListing } from './library.ts';
export type { Scenario, Check, CheckKind, CheckResult, SolutionStep } from './types.ts';
export { saveScenario, clusterSpec, cleanObject, manifestsYaml, type SaveScenarioInput, type ClusterSpec } from './save.ts';
