import * as Y from 'yjs';
import type { RoomStorage } from './storage.ts';
import { updateMessage } from './sync-protocol.ts';

/**
 * Shared documents that clients write: the shared notes (`notes`) and manifest files (`file:<name>`), one Y.Doc
 * each. Each is kept as an update log in storage (one row per accepted client update) and compacted into a
 * single snapshot row once the log grows, so a write costs one row and a load replays a short log.
 */
export const NOTES_DOC = 'notes';
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Most shared files per sandbox. */
export const MAX_FILES = 100;
/** Largest encoded size of one shared doc; updates that would grow it past this are refused. */
export const MAX_DOC_BYTES = 1024 * 1024;
/** Log entries after which a doc's log is compacted into one snapshot. */
export const COMPACT_AFTER = 200;

/** A shared doc's name as it appears in `/sync/<doc>`: `notes` or `file:<name>`. */
export function isSharedDocName(doc: string): boolean {
  if (doc === NOTES_DOC) return true;
  return doc.startsWith('file:') && FILE_NAME.test(doc.slice(5));
}

interface Loaded {
  doc: Y.Doc;
  logLength: number;
  bytes: number;
}

export class SharedDocs {
  private storage: RoomStorage;
  private docs = new Map<string, Loaded>();

  constructor(storage: RoomStorage) {
    this.storage = storage;
  }

  /** The doc, loaded from its stored log on first use. */
  get(name: string): Y.Doc {
    return this.load(name).doc;
  }

  private load(name: string): Loaded {
    let l = this.docs.get(name);
    if (l) return l;
    const doc = new Y.Doc({ gc: true });
    const log = this.storage.loadDoc(name);
    let bytes = 0;
    Y.transact(doc, () => {
      for (const u of log) {
        Y.applyUpdate(doc, u, 'storage');
        bytes += u.byteLength;
      }
    });
    l = { doc, logLength: log.length, bytes };
    this.docs.set(name, l);
    return l;
  }

  /** Names of the docs that exist (stored or loaded). */
  list(): string[] {
    const names = new Set(this.storage.listDocs());
    for (const n of this.docs.keys()) if (this.docs.get(n)!.logLength > 0) names.add(n);
    return [...names].sort();
  }

  /** May a new doc of this name be opened (the file limit)? */
  canOpen(name: string): boolean {
    if (this.docs.has(name) || name === NOTES_DOC) return true;
    const files = this.list().filter((n) => n.startsWith('file:'));
    return files.includes(name) || files.length < MAX_FILES;
  }

  /**
   * Applies a client's update and stores it. Returns the broadcast message for the other sockets of the doc,
   * or an error text (the update was not applied and nothing was stored).
   */
  apply(name: string, update: Uint8Array): { message: Uint8Array } | { error: string } {
    const l = this.load(name);
    if (l.bytes + update.byteLength > MAX_DOC_BYTES) return { error: `the document ${name} would exceed ${MAX_DOC_BYTES} bytes` };
    try {
      // Decoding first rejects malformed bytes before they touch the doc.
      Y.decodeUpdate(update);
      Y.applyUpdate(l.doc, update, 'client');
    } catch {
      // The doc may be half-changed: drop it; the next use reloads it from the stored log.
      this.docs.delete(name);
      return { error: 'malformed update' };
    }
    // The client's update as it came (it was valid): one row.
    this.storage.appendDocUpdate(name, update);
    l.logLength++;
    l.bytes += update.byteLength;
    if (l.logLength > COMPACT_AFTER) this.compact(name);
    return { message: updateMessage(update) };
  }

  /** Rewrites a doc's log as one snapshot. */
  compact(name: string): void {
    const l = this.load(name);
    const snapshot = Y.encodeStateAsUpdate(l.doc);
    this.storage.compactDoc(name, snapshot);
    l.logLength = 1;
    l.bytes = snapshot.byteLength;
  }

  /** Forgets the in-memory copies (after the storage was replaced: import, delete). */
  reset(): void {
    for (const l of this.docs.values()) l.doc.destroy();
    this.docs.clear();
  }

  /**
   * Puts a doc back to the content of a snapshot (a checkpoint's copy; undefined: the doc did not exist then)
   * as a new change on the live doc, stored like a client's write. Connected editors adopt it as an ordinary
   * update, and a client holding the old text cannot bring it back: its text is what the change deleted.
   * Returns the message for the doc's sockets, or undefined when nothing changed.
   */
  restore(name: string, snapshot: Uint8Array | undefined): Uint8Array | undefined {
    const l = this.load(name);
    const target = new Y.Doc({ gc: true });
    if (snapshot) Y.applyUpdate(target, snapshot);
    const updates: Uint8Array[] = [];
    const collect = (u: Uint8Array) => updates.push(u);
    l.doc.on('update', collect);
    try {
      l.doc.transact(() => reconcile(l.doc, target), 'restore');
    } finally {
      l.doc.off('update', collect);
      target.destroy();
    }
    if (!updates.length) return undefined;
    const update = updates.length === 1 ? updates[0] : Y.mergeUpdates(updates);
    this.storage.appendDocUpdate(name, update);
    l.logLength++;
    l.bytes += update.byteLength;
    if (l.logLength > COMPACT_AFTER) this.compact(name);
    return updateMessage(update);
  }

  /** Every doc as a snapshot update (for export and fork). */
  exportAll(): Record<string, Uint8Array> {
    const out: Record<string, Uint8Array> = {};
    for (const n of this.list()) out[n] = Y.encodeStateAsUpdate(this.get(n));
    return out;
  }
}

type Kind = 'text' | 'map' | 'array';

/** What a top-level type holds: a doc read from an update has untyped roots until someone asks for a type. */
function kindOf(t: Y.AbstractType<any> | undefined): Kind | undefined {
  if (!t) return undefined;
  if (t instanceof Y.Text) return 'text';
  if (t instanceof Y.Map) return 'map';
  if (t instanceof Y.Array) return 'array';
  if (t._map.size > 0) return 'map';
  for (let i = t._start; i; i = i.right) {
    if (i.deleted) continue;
    const c = i.content;
    return c instanceof Y.ContentString || c instanceof Y.ContentFormat || c instanceof Y.ContentEmbed ? 'text' : 'array';
  }
  return undefined;
}

const plain = (v: unknown) => JSON.stringify(v instanceof Y.AbstractType ? v.toJSON() : v);

/** Makes `live`'s content equal `target`'s, changing only what differs (a text keeps its common start and end). */
function reconcile(live: Y.Doc, target: Y.Doc): void {
  const names = new Set([...live.share.keys(), ...target.share.keys()]);
  for (const name of names) {
    const kind = kindOf(live.share.get(name)) ?? kindOf(target.share.get(name));
    if (kind === 'text') {
      const text = live.getText(name);
      const have = text.toString();
      const want = target.getText(name).toString();
      if (have === want) continue;
      let start = 0;
      while (start < have.length && start < want.length && have[start] === want[start]) start++;
      let end = 0;
      while (end < have.length - start && end < want.length - start && have[have.length - 1 - end] === want[want.length - 1 - end]) end++;
      if (have.length - start - end > 0) text.delete(start, have.length - start - end);
      if (want.length - start - end > 0) text.insert(start, want.slice(start, want.length - end));
    } else if (kind === 'map') {
      const map = live.getMap(name);
      const want = target.getMap(name).toJSON() as Record<string, unknown>;
      for (const k of [...map.keys()]) if (!(k in want)) map.delete(k);
      for (const [k, v] of Object.entries(want)) if (plain(map.get(k)) !== JSON.stringify(v)) map.set(k, v);
    } else if (kind === 'array') {
      const arr = live.getArray(name);
      const want = target.getArray(name).toJSON();
      if (JSON.stringify(arr.toJSON()) === JSON.stringify(want)) continue;
      arr.delete(0, arr.length);
      arr.push(want);
    }
  }
}
