import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { RecordChange } from '../../sim/state/records.ts';
import type { BlobInfo, RoomStorage, StoredRecord } from '../room/storage.ts';

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS records (tbl TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (tbl, k)) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS room (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS blobs (kind TEXT NOT NULL, name TEXT NOT NULL, v TEXT NOT NULL, saved_at INTEGER NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS doclog (doc TEXT NOT NULL, seq INTEGER NOT NULL, u BLOB NOT NULL, PRIMARY KEY (doc, seq)) WITHOUT ROWID',
];

/**
 * RoomStorage for the Deno host: one SQLite database file per sandbox (`<dataDir>/<id>.sqlite`), through
 * `node:sqlite`. Every call is synchronous and commits before it returns, with `synchronous = FULL` in WAL
 * mode: a write the API acknowledged is on disk before the response leaves, as the Durable Object's output
 * gate guarantees on Cloudflare. The file is made on the first write, so a link to no sandbox leaves
 * nothing behind.
 */
export class DenoSqliteStorage implements RoomStorage {
  private db: DatabaseSync | undefined;
  private schemaReady = false;
  /** Prepared statements by SQL text (SQLite re-prepares them itself after a schema change). */
  private statements = new Map<string, StatementSync>();

  constructor(readonly path: string) {}

  /** The open database; undefined while the file does not exist and `create` is not set. */
  private open(create: boolean): DatabaseSync | undefined {
    if (this.db) return this.db;
    if (!create && !exists(this.path)) return undefined;
    const db = new DatabaseSync(this.path);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    this.db = db;
    return db;
  }

  private readable(): DatabaseSync | undefined {
    const db = this.open(false);
    if (!db) return undefined;
    if (!this.schemaReady) {
      const has = this.q(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'room'").all().length > 0;
      if (!has) return undefined;
      this.ensureSchema(db);
    }
    return db;
  }

  private ensureSchema(db: DatabaseSync): void {
    if (this.schemaReady) return;
    for (const s of SCHEMA) db.exec(s);
    this.schemaReady = true;
  }

  private writable(): DatabaseSync {
    const db = this.open(true)!;
    this.ensureSchema(db);
    return db;
  }

  /** Runs `fn` in one transaction: all of its writes or none. */
  private transaction(fn: (db: DatabaseSync) => void): void {
    const db = this.writable();
    db.exec('BEGIN IMMEDIATE');
    try {
      fn(db);
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  }

  /** The statement for `sql` on `db`, prepared once. */
  private q(db: DatabaseSync, sql: string): StatementSync {
    let st = this.statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private writeRoom(db: DatabaseSync, room: Record<string, unknown> | undefined): void {
    for (const [k, v] of Object.entries(room ?? {})) {
      if (v === undefined) this.q(db, 'DELETE FROM room WHERE k = ?').run(k);
      else this.q(db, 'INSERT OR REPLACE INTO room (k, v) VALUES (?, ?)').run(k, JSON.stringify(v));
    }
  }

  close(): void {
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
    this.schemaReady = false;
  }

  loadRecords(): StoredRecord[] {
    const db = this.readable();
    if (!db) return [];
    return (this.q(db, 'SELECT tbl, k, v FROM records').all() as { tbl: string; k: string; v: string }[]).map((r) => ({ table: r.tbl, key: r.k, value: r.v }));
  }

  write(changes: RecordChange[], room?: Record<string, unknown>): void {
    if (changes.length === 0 && !room) return;
    this.transaction((db) => {
      const del = this.q(db, 'DELETE FROM records WHERE tbl = ? AND k = ?');
      const put = this.q(db, 'INSERT OR REPLACE INTO records (tbl, k, v) VALUES (?, ?, ?)');
      for (const c of changes) {
        if (c.value === undefined) del.run(c.table, c.key);
        else put.run(c.table, c.key, JSON.stringify(c.value));
      }
      this.writeRoom(db, room);
    });
  }

  replaceRecords(records: StoredRecord[], room: Record<string, unknown>): void {
    this.transaction((db) => {
      db.exec('DELETE FROM records');
      const put = this.q(db, 'INSERT INTO records (tbl, k, v) VALUES (?, ?, ?)');
      for (const r of records) put.run(r.table, r.key, r.value);
      this.writeRoom(db, room);
    });
  }

  loadRoomState(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const db = this.readable();
    if (!db) return out;
    for (const r of this.q(db, 'SELECT k, v FROM room').all() as { k: string; v: string }[]) out[r.k] = JSON.parse(r.v);
    return out;
  }

  clear(): void {
    const db = this.open(false);
    if (!db) return;
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const t of ['records', 'room', 'blobs', 'doclog']) db.exec(`DROP TABLE IF EXISTS ${t}`);
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
    this.schemaReady = false;
  }

  putBlob(kind: string, name: string, text: string | null, savedAt: number): void {
    this.transaction((db) => {
      this.q(db, 'DELETE FROM blobs WHERE kind = ? AND name = ?').run(kind, name);
      if (text !== null) this.q(db, 'INSERT INTO blobs (kind, name, v, saved_at) VALUES (?, ?, ?, ?)').run(kind, name, text, savedAt);
    });
  }

  getBlob(kind: string, name: string): string | undefined {
    const db = this.readable();
    if (!db) return undefined;
    return (this.q(db, 'SELECT v FROM blobs WHERE kind = ? AND name = ?').get(kind, name) as { v: string } | undefined)?.v;
  }

  listBlobs(kind: string): BlobInfo[] {
    const db = this.readable();
    if (!db) return [];
    return (this.q(db, 'SELECT name, LENGTH(v) AS bytes, saved_at FROM blobs WHERE kind = ? ORDER BY saved_at, name').all(kind) as { name: string; bytes: number; saved_at: number }[]).map((r) => ({
      name: r.name,
      bytes: Number(r.bytes),
      savedAt: Number(r.saved_at),
    }));
  }

  appendDocUpdate(doc: string, update: Uint8Array): void {
    this.transaction((db) => {
      const next = (this.q(db, 'SELECT MAX(seq) AS n FROM doclog WHERE doc = ?').get(doc) as { n: number | null }).n;
      this.q(db, 'INSERT INTO doclog (doc, seq, u) VALUES (?, ?, ?)').run(doc, (next ?? -1) + 1, update);
    });
  }

  loadDoc(doc: string): Uint8Array[] {
    const db = this.readable();
    if (!db) return [];
    return (this.q(db, 'SELECT u FROM doclog WHERE doc = ? ORDER BY seq').all(doc) as { u: Uint8Array }[]).map((r) => new Uint8Array(r.u));
  }

  compactDoc(doc: string, snapshot: Uint8Array): void {
    this.transaction((db) => {
      this.q(db, 'DELETE FROM doclog WHERE doc = ?').run(doc);
      this.q(db, 'INSERT INTO doclog (doc, seq, u) VALUES (?, 0, ?)').run(doc, snapshot);
    });
  }

  listDocs(): string[] {
    const db = this.readable();
    if (!db) return [];
    return (this.q(db, 'SELECT DISTINCT doc FROM doclog ORDER BY doc').all() as { doc: string }[]).map((r) => r.doc);
  }

  deleteDoc(doc: string): void {
    const db = this.readable();
    if (db) this.q(db, 'DELETE FROM doclog WHERE doc = ?').run(doc);
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
