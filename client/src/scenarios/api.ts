// A sandbox's scenario routes (docs/ARCHITECTURE.md "HTTP routes"): its checks, forking it (an instructor's
// session) and the forks an owner's sandbox has.
import { nameHeaders } from '../teach/presence';
import { roomCall } from '../teach/room-api';
import type { CreatedSandbox } from '../types';
import { answer } from './catalog';

export interface CheckView {
  id: string;
  title: string;
  kind: string;
  passed: boolean;
  summary: string;
  why: string;
}

export interface ChecksView {
  scenario: { name: string; title: string; level: string; topics: string[]; task: string; hints: string[]; startedAt?: string } | null;
  passed?: number;
  total?: number;
  solved?: boolean;
  checks?: CheckView[];
  /** who is on the sandbox page now */
  people?: { name: string; role: string }[];
}

export interface ForkEntry {
  id: string;
  at: number;
  name?: string;
  links: { owner: string; edit: string; view: string };
}

export const fetchChecks = (id: string, token: string): Promise<ChecksView> => roomCall<ChecksView>(id, token, '/api/checks');

export const forkSandbox = (id: string, token: string): Promise<CreatedSandbox & { forkedFrom: string }> =>
  fetch(`/s/${encodeURIComponent(id)}/api/fork`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...nameHeaders() } }).then((r) => answer(r));

export const listForks = (id: string, token: string): Promise<ForkEntry[]> =>
  roomCall<{ items: ForkEntry[] }>(id, token, '/api/forks').then((b) => b.items ?? []);

/** The sandbox id and token of a share link (`…/s/<id>#token=…`). */
export function linkParts(link: string): { id: string; token: string } | null {
  try {
    const u = new URL(link, 'http://x');
    const m = /^\/s\/([^/]+)\/?$/.exec(u.pathname);
    const token = new URLSearchParams(u.hash.slice(1)).get('token');
    return m && token ? { id: decodeURIComponent(m[1]), token } : null;
  } catch {
    return null;
  }
}

