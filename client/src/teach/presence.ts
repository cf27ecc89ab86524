// Presence on the cluster doc's awareness: who is here (name, colour, role, what they look at) and
// "follow the instructor". One per page: the cluster doc's provider is replaced on a new epoch, and each
// new provider's awareness gets our state again.
import { useEffect, useState } from 'preact/hooks';
import type { WebsocketProvider } from 'y-websocket';
import { watchClusterProvider } from '../sync';
import { quietAwareness } from './quiet-awareness';
import type { Role } from '../types';
import { getViewState, setViewState, subscribeViewState, type ViewState } from './view-state';

export interface UserInfo {
  name: string;
  color: string;
  /** the colour of their selections in the editor */
  colorLight: string;
}

/** What each page publishes in the cluster doc's awareness. */
export interface PresenceState {
  user: UserInfo;
  role: Role;
  view: ViewState;
  /** the owner asks everyone to follow their view */
  lead?: boolean;
  /** the awareness client id this person follows */
  following?: number | null;
}

export interface Person extends PresenceState {
  clientId: number;
  self: boolean;
}

const NAME_KEY = 'kuberoom:name';
const COLORS = ['#d1495b', '#2f5fd0', '#2a9d55', '#c77d00', '#8a4fd8', '#0f8b8d', '#c2418d', '#6b7a1f'];

export function storedName(): string | null {
  try {
    return localStorage.getItem(NAME_KEY);
  } catch {
    return null;
  }
}

/** A display name: printable, trimmed, at most 40 characters (what the room accepts). */
export const cleanName = (name: string): string => name.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 40);

function colorOf(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length]!;
}

type Listener = () => void;

class Presence {
  private provider: WebsocketProvider | null = null;
  private unwatch: (() => void) | null = null;
  private role: Role = 'view';
  private name: string = storedName() ?? `guest-${Math.floor(Math.random() * 900 + 100)}`;
  private named = storedName() !== null;
  private lead = false;
  /** the client id we follow; 'auto' follows whichever owner leads */
  private followTarget: number | null | 'auto' = 'auto';
  private listeners = new Set<Listener>();
  private people: Person[] = [];
  private started = false;
  /** the `following` we published last */
  private published: number | null = null;

  start(): void {
    if (this.started) return;
    this.started = true;
    subscribeViewState(() => this.publish());
    this.unwatch = watchClusterProvider((p) => this.attach(p));
  }

  private attach(provider: WebsocketProvider | null): void {
    // The old provider is about to be destroyed (new epoch, retry): say we left while its socket is open,
    // so that nobody keeps seeing us twice.
    if (this.provider && this.provider !== provider) this.provider.awareness.setLocalState(null);
    this.provider = provider;
    if (!provider) return this.refresh();
    quietAwareness(provider);
    const awareness = provider.awareness;
    awareness.on('change', () => {
      if (this.provider === provider) this.refresh();
    });
    this.publish();
  }

  setRole(role: Role): void {
    if (role === this.role) return;
    this.role = role;
    if (role !== 'owner') this.lead = false;
    this.publish();
  }

  get user(): UserInfo {
    const color = colorOf(this.name);
    return { name: this.name, color, colorLight: `${color}33` };
  }

  get hasName(): boolean {
    return this.named;
  }

  get leading(): boolean {
    return this.lead;
  }

  setName(name: string): void {
    const clean = cleanName(name);
    if (!clean) return;
    this.name = clean;
    this.named = true;
    try {
      localStorage.setItem(NAME_KEY, clean);
    } catch {
      // storage disabled: the name lasts as long as the page
    }
    this.publish();
  }

  setLead(lead: boolean): void {
    if (this.role !== 'owner') return;
    this.lead = lead;
    this.publish();
  }

  /** Follows a person (their awareness id), whichever owner leads ('auto'), or nobody (null). */
  follow(clientId: number | null | 'auto'): void {
    this.followTarget = clientId;
    this.refresh();
    this.publish();
  }

  /** The person whose view we follow now, if any. */
  leader(): Person | null {
    const target = this.followTarget;
    if (target === null) return null;
    if (target === 'auto') return this.people.find((p) => !p.self && p.role === 'owner' && p.lead) ?? null;
    return this.people.find((p) => p.clientId === target && !p.self) ?? null;
  }

  list(): Person[] {
    return this.people;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(): void {
    const awareness = this.provider?.awareness;
    if (!awareness) return this.emit();
    const leader = this.leader();
    this.published = leader?.clientId ?? null;
    const state: PresenceState = {
      user: this.user,
      role: this.role,
      view: getViewState(),
      lead: this.lead,
      following: leader?.clientId ?? null,
    };
    awareness.setLocalState(state);
  }

  private refresh(): void {
    const awareness = this.provider?.awareness;
    const people: Person[] = [];
    if (awareness) {
      for (const [clientId, raw] of awareness.getStates()) {
        const s = raw as Partial<PresenceState>;
        if (!s?.user || typeof s.user.name !== 'string') continue;
        people.push({
          clientId,
          self: clientId === awareness.clientID,
          user: s.user,
          role: s.role === 'owner' || s.role === 'edit' ? s.role : 'view',
          view: { tab: typeof s.view?.tab === 'string' ? s.view.tab : 'map', selected: s.view?.selected ?? null, file: s.view?.file ?? null },
          lead: s.lead === true,
          following: typeof s.following === 'number' ? s.following : null,
        });
      }
    }
    people.sort((a, b) => (a.self !== b.self ? (a.self ? -1 : 1) : a.user.name.localeCompare(b.user.name)));
    this.people = people;
    const leader = this.leader();
    if (leader) setViewState(leader.view);
    // Whom we follow is part of what we publish (the instructor sees how many follow).
    if ((leader?.clientId ?? null) !== this.published) this.publish();
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  stop(): void {
    this.unwatch?.();
    this.started = false;
  }
}

export const presence = new Presence();

/** Re-renders on every presence change; starts presence on first use. */
export function usePresence(role: Role | null): Presence {
  const [, setTick] = useState(0);
  useEffect(() => {
    presence.start();
    return presence.subscribe(() => setTick((n) => n + 1));
  }, []);
  useEffect(() => {
    if (role) presence.setRole(role);
  }, [role]);
  return presence;
}

/** Headers that name this person in the activity feed ("ana scaled deployment/web to 5"). */
export function nameHeaders(): Record<string, string> {
  const name = presence.user.name;
  // Header values must be Latin-1; a name outside it stays out of the feed (the role is named instead).
  return /^[\x20-\x7e\u00a0-\u00ff]+$/.test(name) ? { 'x-kuberoom-name': name } : {};
}
