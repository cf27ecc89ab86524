import type { RecordChange } from '../../sim/state/records.ts';

/** One stored record of the simulation's state. */
export interface StoredRecord {
  table: string;
  key: string;
  /** JSON text */
  value: string;
}

/**
 * Where a room keeps its state. The Durable Object host implements it on its SQLite storage; another host
 * (Deno) on its own. Writes of one call are atomic: either all of them are stored or none.
 */
export interface RoomStorage {
  /** Every stored record of the simulation. */
  loadRecords(): StoredRecord[];
  /** Stores the changed records (deleted ones have `value: undefined`) and the room's own state, atomically. */
  write(changes: RecordChange[], room?: Record<string, unknown>): void;
  /** The room's own state (tokens, clock), keyed by name. */
  loadRoomState(): Record<string, unknown>;
  /** Removes everything (sandbox deleted). */
  clear(): void;
}
