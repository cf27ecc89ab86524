import type { RecordChange } from '../../sim/state/records.ts';
import type { BlobInfo, RoomStorage, StoredRecord } from '../room/storage.ts';

/** A SQLite row in a Durable Object holds at most 2 MB: blobs (checkpoints) are stored in chunks below that. */
const CHUNK = 1024 * 1024;

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS records (tbl TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (tbl, k)) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS room (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS blobs (kind TEXT NOT NULL, name TEXT NOT NULL, part INTEGER NOT NULL, v TEXT NOT NULL, saved_at INTEGER NOT NULL, PRIMARY KEY (kind, name, part)) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS doclog (doc TEXT NOT NULL, seq INTEGER NOT NULL, u BLOB NOT NULL, PRIMARY KEY (doc, seq)) WITHOUT ROWID',
];

/**
 * RoomStorage on a Durable Object's SQLite database. `sql.exec` is synchronous and the writes of one event
 * commit together (the output gate holds the response until they are durable), so a write the API
 * acknowledged is on disk before the client hears of it.
 */
export class SqliteRoomStorage implements RoomStorage {
  private sql: SqlStorage;
  private storage: DurableObjectStorage;
  private schemaReady = false;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  /** Tables are made on the first write, so a link to no sandbox leaves no storage behind. */
  private hasSchema(): boolean {
    if (this.schemaReady) return true;
    return this.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'room'").toArray().length > 0;
  }

  /** For reads of tables a sandbox made before they existed: the schema is completed when a room is there. */
  private readable(): boolean {
    if (!this.hasSchema()) return false;
    this.ensureSchema();
    return true;
  }

  private ensureSchema(): void {
    if (this.schemaReady) return;
    for (const s of SCHEMA) this.sql.exec(s);
    this.schemaReady = true;
  }

  loadRecords(): StoredRecord[] {
    if (!this.hasSchema()) return [];
    return this.sql.exec<{ tbl: string; k: string; v: string }>('SELECT tbl, k, v FROM records').toArray().map((r) => ({ table: r.tbl, key: r.k, value: r.v }));
  }

  write(changes: RecordChange[], room?: Record<string, unknown>): void {
    if (changes.length === 0 && !room) return;
    this.storage.transactionSync(() => {
      this.ensureSchema();
      for (const c of changes) {
        if (c.value === undefined) this.sql.exec('DELETE FROM records WHERE tbl = ? AND k = ?', c.table, c.key);
        else this.sql.exec('INSERT OR REPLACE INTO records (tbl, k, v) VALUES (?, ?, ?)', c.table, c.key, JSON.stringify(c.value));
      }
      this.writeRoom(room);
    });
  }

  private writeRoom(room: Record<string, unknown> | undefined): void {
    for (const [k, v] of Object.entries(room ?? {})) {
      if (v === undefined) this.sql.exec('DELETE FROM room WHERE k = ?', k);
      else this.sql.exec('INSERT OR REPLACE INTO room (k, v) VALUES (?, ?)', k, JSON.stringify(v));
    }
  }

  replaceRecords(records: StoredRecord[], room: Record<string, unknown>): void {
    this.storage.transactionSync(() => {
      this.ensureSchema();
      this.sql.exec('DELETE FROM records');
      for (const r of records) this.sql.exec('INSERT INTO records (tbl, k, v) VALUES (?, ?, ?)', r.table, r.key, r.value);
      this.writeRoom(room);
    });
  }

  loadRoomState(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!this.hasSchema()) return out;
    for (const r of this.sql.exec<{ k: string; v: string }>('SELECT k, v FROM room').toArray()) out[r.k] = JSON.parse(r.v);
    return out;
  }

  clear(): void {
    this.storage.transactionSync(() => {
      for (const t of ['records', 'room', 'blobs', 'doclog']) this.sql.exec(`DROP TABLE IF EXISTS ${t}`);
    });
    this.schemaReady = false;
  }

  putBlob(kind: string, name: string, text: string | null, savedAt: number): void {
    this.storage.transactionSync(() => {
      this.ensureSchema();
      this.sql.exec('DELETE FROM blobs WHERE kind = ? AND name = ?', kind, name);
      if (text === null) return;
      for (let i = 0, part = 0; i < text.length || part === 0; i += CHUNK, part++) {
        this.sql.exec('INSERT INTO blobs (kind, name, part, v, saved_at) VALUES (?, ?, ?, ?, ?)', kind, name, part, text.slice(i, i + CHUNK), savedAt);
      }
    });
  }

  getBlob(kind: string, name: string): string | undefined {
    if (!this.readable()) return undefined;
    const rows = this.sql.exec<{ v: string }>('SELECT v FROM blobs WHERE kind = ? AND name = ? ORDER BY part', kind, name).toArray();
    return rows.length ? rows.map((r) => r.v).join('') : undefined;
  }

  listBlobs(kind: string): BlobInfo[] {
    if (!this.readable()) return [];
    return this.sql
      .exec<{ name: string; bytes: number; saved_at: number }>('SELECT name, SUM(LENGTH(v)) AS bytes, MAX(saved_at) AS saved_at FROM blobs WHERE kind = ? GROUP BY name ORDER BY saved_at, name', kind)
      .toArray()
      .map((r) => ({ name: r.name, bytes: Number(r.bytes), savedAt: Number(r.saved_at) }));
  }

  appendDocUpdate(doc: string, update: Uint8Array): void {
    this.ensureSchema();
    const next = this.sql.exec<{ n: number | null }>('SELECT MAX(seq) AS n FROM doclog WHERE doc = ?', doc).one().n;
    this.sql.exec('INSERT INTO doclog (doc, seq, u) VALUES (?, ?, ?)', doc, (next ?? -1) + 1, update);
  }

  loadDoc(doc: string): Uint8Array[] {
    if (!this.readable()) return [];
    return this.sql.exec<{ u: ArrayBuffer }>('SELECT u FROM doclog WHERE doc = ? ORDER BY seq', doc).toArray().map((r) => new Uint8Array(r.u));
  }

  compactDoc(doc: string, snapshot: Uint8Array): void {
    this.storage.transactionSync(() => {
      this.ensureSchema();
      this.sql.exec('DELETE FROM doclog WHERE doc = ?', doc);
      this.sql.exec('INSERT INTO doclog (doc, seq, u) VALUES (?, 0, ?)', doc, snapshot);
    });
  }

  listDocs(): string[] {
    if (!this.readable()) return [];
    return this.sql.exec<{ doc: string }>('SELECT DISTINCT doc FROM doclog ORDER BY doc').toArray().map((r) => r.doc);
  }

  deleteDoc(doc: string): void {
    if (!this.readable()) return;
    this.sql.exec('DELETE FROM doclog WHERE doc = ?', doc);
  }
}
