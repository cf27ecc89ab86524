/**
 * Every piece of simulation state lives here as a plain JSON record, grouped in tables: API objects and the
 * components' own bookkeeping alike. The store remembers which records changed since the last drain, so a host
 * persists only what changed, and `snapshot()` gives the whole state as plain data.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface RecordChange {
  table: string;
  key: string;
  /** undefined when the record was deleted */
  value: unknown;
}

export interface RecordsSnapshot {
  [table: string]: { [key: string]: unknown };
}

export class RecordStore {
  private tables = new Map<string, Map<string, unknown>>();
  private dirty = new Map<string, Set<string>>();

  table(name: string): Map<string, unknown> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Map();
      this.tables.set(name, t);
    }
    return t;
  }

  get<T>(table: string, key: string): T | undefined {
    return this.tables.get(table)?.get(key) as T | undefined;
  }

  /** Stores a value. The caller hands over ownership: the value must not be mutated afterwards. */
  set(table: string, key: string, value: unknown): void {
    this.table(table).set(key, value);
    this.markDirty(table, key);
  }

  delete(table: string, key: string): boolean {
    const t = this.tables.get(table);
    if (!t || !t.has(key)) return false;
    t.delete(key);
    this.markDirty(table, key);
    return true;
  }

  private markDirty(table: string, key: string): void {
    let d = this.dirty.get(table);
    if (!d) {
      d = new Set();
      this.dirty.set(table, d);
    }
    d.add(key);
  }

  hasChanges(): boolean {
    return this.dirty.size > 0;
  }

  /** The records changed since the last drain, with their current values; clears the change set. */
  drainChanges(): RecordChange[] {
    const out: RecordChange[] = [];
    for (const [table, keys] of this.dirty) {
      const t = this.tables.get(table);
      for (const key of keys) out.push({ table, key, value: t?.get(key) });
    }
    this.dirty.clear();
    return out;
  }

  snapshot(): RecordsSnapshot {
    const out: RecordsSnapshot = {};
    for (const [name, t] of this.tables) {
      if (t.size === 0) continue;
      const o: { [key: string]: unknown } = {};
      for (const [k, v] of t) o[k] = v;
      out[name] = o;
    }
    return out;
  }

  static restore(snapshot: RecordsSnapshot): RecordStore {
    const rs = new RecordStore();
    for (const name of Object.keys(snapshot)) {
      const t = rs.table(name);
      for (const [k, v] of Object.entries(snapshot[name])) t.set(k, v);
    }
    return rs;
  }

  /** Loads one record without marking it dirty (used when a host restores from its storage). */
  load(table: string, key: string, value: unknown): void {
    this.table(table).set(key, value);
  }
}
