// What this page looks at: the workspace tab and the selected object. SandboxPage (and the cluster views)
// read it with useViewState() and change it with setViewState(); presence publishes it to the room, and
// "follow the instructor" sets it from the instructor's.
import { useEffect, useState } from 'preact/hooks';

export interface ViewState {
  /** the workspace tab's key: "map", "files", "traffic", ... */
  tab: string;
  /** the selected object, "Kind/namespace/name" ("Node//node-1" for cluster-scoped), or null */
  selected: string | null;
  /** the shared file open in the Files tab ("web.yaml"), or null */
  file: string | null;
}

type Listener = (state: ViewState) => void;

let current: ViewState = { tab: 'map', selected: null, file: null };
const listeners = new Set<Listener>();

export const getViewState = (): ViewState => current;

/** Changes the tab, the selection and/or the open file; listeners hear of it only when something changed. */
export function setViewState(change: Partial<ViewState>): void {
  const next = { ...current, ...change };
  if (next.tab === current.tab && next.selected === current.selected && next.file === current.file) return;
  current = next;
  for (const listener of listeners) listener(current);
}

export function subscribeViewState(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The view state, re-rendering the component when it changes. */
export function useViewState(): ViewState {
  const [state, setState] = useState(current);
  useEffect(() => {
    setState(current);
    return subscribeViewState(setState);
  }, []);
  return state;
}

/** The key of an object for `selected`. */
export const objectKey = (kind: string, namespace: string | null | undefined, name: string): string =>
  `${kind}/${namespace ?? ''}/${name}`;
