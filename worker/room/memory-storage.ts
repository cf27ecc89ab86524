import type { RecordChange } from '../../sim/state/records.ts';
import type { BlobInfo, RoomStorage, StoredRecord } from './storage.ts';

/**
 * RoomStorage in memory: for tests and benchmarks (it counts what is written), and a model of what a host's
 * storage must do. Values are kept as the JSON text a real store would hold.
 */
export class MemoryRoomStorage implements RoomStorage {
  records = new Map<string, StoredRecord>();
  room = new Map<string, string>();
  blobs = new Map<string, { text: string; savedAt: number }>();
  docs = new Map<string, Uint8Array[]>();
  /** rows written (inserted, replaced or deleted) since the counter was last reset */
  rowsWritten = 0;
  /** bytes of values written since the counter was last reset */
  bytesWritten = 0;

  private static k(table: string, key: string): string {
    return `${table}\u0000${key}`;
  }

  /** A deep copy (what a restarted host would find on disk). */
  clone(): MemoryRoomStorage {
    const c = new MemoryRoomStorage();
    for (const [k, v] of this.records) c.records.set(k, { ...v });
    for (const [k, v] of this.room) c.room.set(k, v);
    for (const [k, v] of this.blobs) c.blobs.set(k, { ...v });
    for (const [k, v] of this.docs) c.docs.set(k, v.map((u) => u.slice()));
    return c;
  }

  loadRecords(): StoredRecord[] {
    return [...this.records.values()].map((r) => ({ ...r }));
  }

  write(changes: RecordChange[], room?: Record<string, unknown>): void {
    // Serialize first: a value that cannot be stored fails the whole write before anything changes.
    const rows = changes.map((c) => ({ c, text: c.value === undefined ? undefined : JSON.stringify(c.value) }));
    const roomRows = Object.entries(room ?? {}).map(([k, v]) => [k, v === undefined ? undefined : JSON.stringify(v)] as const);
    for (const { c, text } of rows) {
      const k = MemoryRoomStorage.k(c.table, c.key);
      if (text === undefined) this.records.delete(k);
      else this.records.set(k, { table: c.table, key: c.key, value: text });
      this.rowsWritten++;
      this.bytesWritten += text?.length ?? 0;
    }
    for (const [k, text] of roomRows) {
      if (text === undefined) this.room.delete(k);
      else this.room.set(k, text);
      this.rowsWritten++;
      this.bytesWritten += text?.length ?? 0;
    }
  }

  replaceRecords(records: StoredRecord[], room: Record<string, unknown>): void {
    this.records.clear();
    for (const r of records) this.records.set(MemoryRoomStorage.k(r.table, r.key), { ...r });
    this.rowsWritten += records.length;
    this.write([], room);
  }

  loadRoomState(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.room) out[k] = JSON.parse(v);
    return out;
  }

  clear(): void {
    this.records.clear();
    this.room.clear();
    this.blobs.clear();
    this.docs.clear();
  }

  putBlob(kind: string, name: string, text: string | null, savedAt: number): void {
    const k = `${kind}\u0000${name}`;
    if (text === null) this.blobs.delete(k);
    else this.blobs.set(k, { text, savedAt });
  }

  getBlob(kind: string, name: string): string | undefined {
    return this.blobs.get(`${kind}\u0000${name}`)?.text;
  }

  listBlobs(kind: string): BlobInfo[] {
    const out: BlobInfo[] = [];
    for (const [k, v] of this.blobs) {
      const [bk, name] = k.split('\u0000');
      if (bk === kind) out.push({ name, bytes: v.text.length, savedAt: v.savedAt });
    }
    return out.sort((a, b) => a.savedAt - b.savedAt || a.name.localeCompare(b.name));
  }

  appendDocUpdate(doc: string, update: Uint8Array): void {
    const log = this.docs.get(doc) ?? [];
    log.push(update.slice());
    this.docs.set(doc, log);
    this.rowsWritten++;
    this.bytesWritten += update.byteLength;
  }

  loadDoc(doc: string): Uint8Array[] {
    return (this.docs.get(doc) ?? []).map((u) => u.slice());
  }

  compactDoc(doc: string, snapshot: Uint8Array): void {
    this.docs.set(doc, [snapshot.slice()]);
  }

  listDocs(): string[] {
    return [...this.docs.keys()].sort();
  }

  deleteDoc(doc: string): void {
    this.docs.delete(doc);
  }
}
