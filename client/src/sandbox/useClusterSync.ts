import { useEffect, useRef, useState } from 'preact/hooks';
import { ClusterSync, INITIAL_VIEW, type SyncView } from '../sync';

/** The live view of a sandbox's cluster, and a way to start over after a failure. */
export function useClusterSync(id: string, token: string): { view: SyncView; retry: () => void } {
  const [view, setView] = useState<SyncView>(INITIAL_VIEW);
  const sync = useRef<ClusterSync | null>(null);
  useEffect(() => {
    const instance = new ClusterSync(id, token, setView);
    sync.current = instance;
    return () => instance.close();
  }, [id, token]);
  return { view, retry: () => sync.current?.retry() };
}
