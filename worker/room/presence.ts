import type { AwarenessEntry } from './sync-protocol.ts';

/**
 * Presence (y-protocols awareness) of one doc, as the server relays it. It carries no heartbeat:
 * - a renewal (y-protocols re-sends an unchanged state every 15 s) is absorbed, not relayed, so presence never
 *   keeps a room busy; a person leaves when their socket closes (the room announces it), not by a time-out;
 * - the clocks peers see are the server's: a client that comes back after the server announced it gone
 *   (its clock now behind that announcement) is shifted past it, so peers accept it again at once;
 * - each socket's attachment keeps the states it announced, so a room woken from hibernation still knows who
 *   is there (see `SocketInfo.presence`).
 */
export class Presence {
  /** by client id: the highest clock peers saw, the shift from the client's clock, the state (null: gone) */
  private ids = new Map<number, { clock: number; shift: number; state: string | null }>();

  /** Live states, with the clocks peers saw. */
  live(): AwarenessEntry[] {
    const out: AwarenessEntry[] = [];
    for (const [clientID, e] of this.ids) if (e.state !== null) out.push({ clientID, clock: e.clock, state: e.state });
    return out;
  }

  has(id: number): boolean {
    return this.ids.get(id)?.state != null;
  }

  /** A state known from a socket's attachment after a wake-up (kept as peers last saw it). */
  restore(a: AwarenessEntry): void {
    const e = this.ids.get(a.clientID);
    if (!e || e.clock < a.clock) this.ids.set(a.clientID, { clock: a.clock, shift: 0, state: a.state === 'null' ? null : a.state });
  }

  /** Whether an entry is news from its client (a change or a renewal), not an echo of a state peers already saw. */
  isNewer(a: AwarenessEntry): boolean {
    const e = this.ids.get(a.clientID);
    if (!e) return true;
    if (e.state === null) return a.state !== 'null';
    return a.clock + e.shift > e.clock;
  }

  /** A client's update: the entries to relay to the doc's other sockets (server clocks), possibly none. */
  apply(entries: AwarenessEntry[]): AwarenessEntry[] {
    const relay: AwarenessEntry[] = [];
    for (const a of entries) {
      const e = this.ids.get(a.clientID);
      const state = a.state === 'null' ? null : a.state;
      if (!e) {
        this.ids.set(a.clientID, { clock: a.clock, shift: 0, state });
        if (state !== null) relay.push(a);
        continue;
      }
      let clock = a.clock + e.shift;
      if (e.state === null && state !== null && clock <= e.clock) {
        // Back after the server announced it gone: move past that announcement.
        e.shift += e.clock + 1 - clock;
        clock = e.clock + 1;
      }
      if (clock < e.clock || (clock === e.clock && !(state === null && e.state !== null))) continue; // stale or repeated
      const changed = state !== e.state;
      e.clock = clock;
      e.state = state;
      if (changed) relay.push({ clientID: a.clientID, clock, state: a.state });
    }
    this.prune();
    return relay;
  }

  /** The clients of a closed socket left: the entries announcing it (clock past what peers saw). */
  leave(ids: number[]): AwarenessEntry[] {
    const out: AwarenessEntry[] = [];
    for (const id of ids) {
      const e = this.ids.get(id);
      if (!e || e.state === null) continue;
      e.clock++;
      e.state = null;
      out.push({ clientID: id, clock: e.clock, state: 'null' });
    }
    return out;
  }

  /** The current entry of a client (server clock), for a socket's attachment. */
  entry(id: number): AwarenessEntry | undefined {
    const e = this.ids.get(id);
    return e && e.state !== null ? { clientID: id, clock: e.clock, state: e.state } : undefined;
  }

  /** Gone clients are remembered (their last clock) only up to a bound. */
  private prune(): void {
    if (this.ids.size <= 2000) return;
    for (const [id, e] of this.ids) {
      if (this.ids.size <= 1000) break;
      if (e.state === null) this.ids.delete(id);
    }
  }
}
