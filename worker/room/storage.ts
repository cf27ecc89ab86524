import type { RecordChange } from '../../sim/state/records.ts';

/** One stored record of the simulation's state. */
export interface StoredRecord {
  table: string;
  key: string;
  /** JSON text */
  value: string;
}

/** A named piece of stored text (checkpoints), with its size and when it was saved (wall ms). */
export interface BlobInfo {
  name: string;
  bytes: number;
  savedAt: number;
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
  /** Replaces every record of the simulation (a checkpoint restored) and writes the room's state, atomically. */
  replaceRecords(records: StoredRecord[], room: Record<string, unknown>): void;
  /** The room's own state (tokens, clock), keyed by name. */
  loadRoomState(): Record<string, unknown>;
  /** Removes everything (sandbox deleted). */
  clear(): void;

  /** Named text blobs by kind (e.g. kind "checkpoint"); `text: null` deletes. */
  putBlob(kind: string, name: string, text: string | null, savedAt: number): void;
  getBlob(kind: string, name: string): string | undefined;
  listBlobs(kind: string): BlobInfo[];

  /** A shared document's update log: appended per client update, compacted into one snapshot entry. */
  appendDocUpdate(doc: string, update: Uint8Array): void;
  loadDoc(doc: string): Uint8Array[];
  /** Replaces a document's log with one snapshot update (atomically). */
  compactDoc(doc: string, snapshot: Uint8Array): void;
  /** Names of the stored shared documents. */
  listDocs(): string[];
  deleteDoc(doc: string): void;
}
