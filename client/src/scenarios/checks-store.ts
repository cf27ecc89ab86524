// The sandbox's scenario and its checks, shared by the Task tab and the side box: fetched on page load, every
// 5 s, and when the cluster doc changes (at most every 2 s). One poller per page, whoever shows it.
import { useEffect, useState } from 'preact/hooks';
import { fetchChecks, type ChecksView } from './api';

export const POLL_MS = 5000;
export const MIN_GAP_MS = 2000;

export interface ChecksState {
  /** undefined until the first answer */
  view?: ChecksView;
  error?: string;
}

let state: ChecksState = {};
const listeners = new Set<(s: ChecksState) => void>();

function set(next: ChecksState) {
  state = next;
  for (const l of listeners) l(state);
}

/** The latest checks, re-rendering on each new answer. */
export function useChecks(): ChecksState {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => void listeners.delete(setS);
  }, []);
  return s;
}

/**
 * Runs the poller for sandbox `id` while mounted; `version` changes with the cluster doc (a refetch, at most every
 * MIN_GAP_MS). A sandbox without a scenario is asked once more only when its doc changes (rarely useful, cheap).
 */
export function useChecksPoller(id: string, token: string, version: unknown): void {
  const [poller, setPoller] = useState<{ kick(): void } | null>(null);
  useEffect(() => {
    let stopped = false;
    let inFlight = false;
    let again = false;
    let lastAt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      if (stopped) return;
      clearTimeout(timer);
      inFlight = true;
      lastAt = Date.now();
      try {
        const view = await fetchChecks(id, token);
        if (!stopped) set({ view });
      } catch (e) {
        if (!stopped) set({ view: state.view, error: (e as Error).message });
      } finally {
        inFlight = false;
        if (!stopped && state.view?.scenario !== null) timer = setTimeout(load, again ? MIN_GAP_MS : POLL_MS);
        again = false;
      }
    };
    const kick = () => {
      if (stopped) return;
      if (inFlight) {
        again = true;
        return;
      }
      const wait = lastAt + MIN_GAP_MS - Date.now();
      clearTimeout(timer);
      timer = setTimeout(load, Math.max(0, wait));
    };
    void load();
    setPoller({ kick });
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id, token]);
  useEffect(() => {
    if (state.view?.scenario) poller?.kick();
  }, [version, poller]);
}
