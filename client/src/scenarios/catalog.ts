// The scenario library (GET /api/scenarios) and starting a sandbox from a scenario: what the home page needs.
import type { CreatedSandbox } from '../types';

export type Level = 'easy' | 'medium' | 'hard';

export interface ScenarioSummary {
  name: string;
  title: string;
  level: Level | string;
  topics: string[];
  summary: string;
  checks: number;
}

export async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const e = (body as { error?: unknown } | null)?.error;
    throw new Error(typeof e === 'string' ? e : `HTTP ${res.status}`);
  }
  return body as T;
}

export const listScenarios = (): Promise<ScenarioSummary[]> =>
  fetch('/api/scenarios').then((r) => answer<{ items: ScenarioSummary[] }>(r)).then((b) => b.items ?? []);

export const startScenario = (name: string): Promise<CreatedSandbox & { scenario: string }> =>
  fetch('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: name }) }).then((r) => answer(r));

const LEVELS = ['easy', 'medium', 'hard'];
/** Easy to hard, keeping the library's order within a level. */
export function byLevel<T extends { level: string }>(items: T[]): T[] {
  const rank = (l: string) => (LEVELS.indexOf(l) < 0 ? LEVELS.length : LEVELS.indexOf(l));
  return items.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s.level) - rank(b.s.level) || a.i - b.i).map((x) => x.s);
}
