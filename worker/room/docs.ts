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

  /** Every doc as a snapshot update (for export and fork). */
  exportAll(): Record<string, Uint8Array> {
    const out: Record<string, Uint8Array> = {};
    for (const n of this.list()) out[n] = Y.encodeStateAsUpdate(this.get(n));
    return out;
  }
}
