// The room's own routes the teaching views use (see docs/ARCHITECTURE.md "HTTP routes").
import { nameHeaders } from './presence';

export class RoomError extends Error {}

export async function roomCall<T>(id: string, token: string, path: string, method = 'GET', body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...nameHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/s/${encodeURIComponent(id)}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const p = parsed as { error?: unknown; message?: unknown } | null;
    throw new RoomError(typeof p?.error === 'string' ? p.error : typeof p?.message === 'string' ? p.message : `HTTP ${res.status}`);
  }
  return parsed as T;
}

export interface ActivityItem {
  at: number | string;
  simTime?: string;
  who: string;
  role: string;
  verb: string;
  kind?: string;
  namespace?: string;
  name?: string;
  text: string;
}

export interface FaultInfo {
  fault: string;
  node: 'required' | 'optional' | 'none';
  /** what else the fault takes (sim/nodes/faults.ts FAULTS) */
  params?: ('pod' | 'container' | 'registry' | 'factor')[];
  description: string;
}

export interface FaultState {
  faults: { fault: string; node?: string; registries?: string[]; factor?: number; since: string }[];
  nodes: { name: string; ready: string; kubelet: string }[];
  available?: FaultInfo[];
}

export interface Checkpoint {
  name: string;
  bytes: number;
  savedAt: number;
}
