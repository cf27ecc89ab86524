import type { RecordChange } from '../../sim/state/records.ts';
import type { RoomStorage, StoredRecord } from '../room/storage.ts';

/** The largest value one SQLite row may hold in a Durable Object is 2 MB; records are far smaller. */
const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS records (tbl TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (tbl, k)) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS room (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID',
];

/**
 * RoomStorage on a Durable Object's SQLite database. `sql.exec` is synchronous and the writes of one event
 * commit together (the output gate holds the response until they are durable), so a write the API
 * acknowledged is on disk before the client hears of it.
 */
export class SqliteRoomStorage implements RoomStorage {
  private sql: SqlStorage;
  private storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  /** Tables are made on the first write, so a link to no sandbox leaves no storage behind. */
  private hasSchema(): boolean {
    return this.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'room'").toArray().length > 0;
  }

  loadRecords(): StoredRecord[] {
    if (!this.hasSchema()) return [];
    return this.sql.exec<{ tbl: string; k: string; v: string }>('SELECT tbl, k, v FROM records').toArray().map((r) => ({ table: r.tbl, key: r.k, value: r.v }));
  }

  write(changes: RecordChange[], room?: Record<string, unknown>): void {
    if (changes.length === 0 && !room) return;
    this.storage.transactionSync(() => {
      for (const s of SCHEMA) this.sql.exec(s);
      for (const c of changes) {
        if (c.value === undefined) this.sql.exec('DELETE FROM records WHERE tbl = ? AND k = ?', c.table, c.key);
        else this.sql.exec('INSERT OR REPLACE INTO records (tbl, k, v) VALUES (?, ?, ?)', c.table, c.key, JSON.stringify(c.value));
      }
      for (const [k, v] of Object.entries(room ?? {})) {
        if (v === undefined) this.sql.exec('DELETE FROM room WHERE k = ?', k);
        else this.sql.exec('INSERT OR REPLACE INTO room (k, v) VALUES (?, ?)', k, JSON.stringify(v));
      }
    });
  }

  loadRoomState(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!this.hasSchema()) return out;
    for (const r of this.sql.exec<{ k: string; v: string }>('SELECT k, v FROM room').toArray()) out[r.k] = JSON.parse(r.v);
    return out;
  }

  clear(): void {
    if (!this.hasSchema()) return;
    this.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM records');
      this.sql.exec('DELETE FROM room');
    });
  }
}
