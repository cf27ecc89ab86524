import { LIBRARY_FILES } from './library/index.ts';
import { parseScenario } from './parse.ts';
import type { Scenario } from './types.ts';

let cache: Scenario[] | undefined;

/** The built-in scenarios, parsed (once), in file order: easy to hard. */
export function builtinScenarios(): Scenario[] {
  cache ??= LIBRARY_FILES.map((f) => parseScenario(f.text, f.file));
  return cache;
}

export function builtinScenario(name: string): Scenario | undefined {
  return builtinScenarios().find((s) => s.name === name);
}

/** The built-in scenario's file text (for "download" / "save as"). */
export function builtinScenarioText(name: string): string | undefined {
  const s = builtinScenario(name);
  return s && LIBRARY_FILES.find((f) => f.file === s.file)?.text;
}

export interface ScenarioListing {
  name: string;
  title: string;
  level: Scenario['level'];
  topics: string[];
  summary?: string;
  checks: number;
}

/** The library as a home page lists it (no task text, no solution). */
export function scenarioCatalog(): ScenarioListing[] {
  return builtinScenarios().map((s) => ({ name: s.name, title: s.title, level: s.level, topics: s.topics, summary: s.summary, checks: s.checks.length }));
}
