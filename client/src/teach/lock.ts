// The cluster lock as the room's cluster doc says it (`meta.lock`: null or {until}), live.
import { useEffect, useState } from 'preact/hooks';
import type { WebsocketProvider } from 'y-websocket';
import { watchClusterProvider } from '../sync';
import type { Role, Session } from '../types';

export interface LockInfo {
  until: string | null;
}

/** The lock: from the session until the cluster doc has said, then live from the doc. */
export function useLock(session: Session | null): LockInfo | null {
  const initial = (session as (Session & { locked?: LockInfo | null }) | null)?.locked ?? null;
  const [lock, setLock] = useState<LockInfo | null | undefined>(undefined);
  useEffect(() => {
    let detach: (() => void) | null = null;
    const unwatch = watchClusterProvider((provider: WebsocketProvider | null) => {
      detach?.();
      detach = null;
      if (!provider) return;
      const meta = provider.doc.getMap('meta');
      const read = () => {
        if (!meta.has('lock') && !meta.has('epoch')) return; // not synced yet
        setLock((meta.get('lock') as LockInfo | null | undefined) ?? null);
      };
      meta.observe(read);
      read();
      detach = () => meta.unobserve(read);
    });
    return () => {
      detach?.();
      unwatch();
    };
  }, []);
  return lock === undefined ? initial : lock;
}

/** Why this person cannot change the cluster or the files, or null when they can. */
export function whyReadOnly(role: Role | null | undefined, lock: LockInfo | null): string | null {
  if (!role) return 'Connecting…';
  if (role === 'view') return 'You joined with a view-only link: you can watch but not change anything.';
  if (role === 'edit' && lock) {
    return `The instructor locked the cluster${lock.until ? ` until ${new Date(lock.until).toLocaleTimeString()}` : ''}: you can watch but not change anything.`;
  }
  return null;
}
