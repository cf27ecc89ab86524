import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

/** y-websocket message types. */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

/**
 * Keep-alive text frames: a client sends `ping`, the Durable Object runtime answers `pong` by auto-response
 * without waking a hibernating object (worker/host/durable-object.ts); the room answers it too on other hosts.
 */
export const KEEPALIVE_PING = 'ping';
export const KEEPALIVE_PONG = 'pong';

/** Most presence states in one awareness message from a client. */
export const MAX_AWARENESS_STATES = 1024;

/** Largest message a client may send, per Kuberoom's limits. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export class ProtocolError extends Error {}

/** The first message a server sends: its sync step 1 (its state vector). */
export function syncStep1(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(e, doc);
  return encoding.toUint8Array(e);
}

/** A sync update message carrying a doc update. */
export function updateMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeUpdate(e, update);
  return encoding.toUint8Array(e);
}

export function permissionDenied(reason: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AUTH);
  authProtocol.writePermissionDenied(e, reason);
  return encoding.toUint8Array(e);
}

export function awarenessMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export type ClientMessage =
  | { type: 'step1'; reply: Uint8Array }
  | { type: 'write'; empty: boolean; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] }
  | { type: 'queryAwareness' };

export interface AwarenessEntry {
  clientID: number;
  clock: number;
  /** JSON text of the state, or "null" when the client left */
  state: string;
}

/**
 * Decodes one message from a client of a read-only doc. Sync step 1 gets the doc's step 2 as reply; a step 2
 * or an update is reported as a write (refused by the caller), never applied. Throws ProtocolError on
 * malformed input.
 */
export function readClientMessage(data: Uint8Array, doc: Y.Doc): ClientMessage {
  if (data.byteLength > MAX_MESSAGE_BYTES) throw new ProtocolError('message too large');
  if (data.byteLength === 0) throw new ProtocolError('empty message');
  try {
    const d = decoding.createDecoder(data);
    const type = decoding.readVarUint(d);
    switch (type) {
      case MESSAGE_SYNC: {
        const sub = decoding.readVarUint(d);
        if (sub === syncProtocol.messageYjsSyncStep1) {
          const sv = decoding.readVarUint8Array(d);
          // Validate the state vector before using it.
          Y.decodeStateVector(sv);
          const e = encoding.createEncoder();
          encoding.writeVarUint(e, MESSAGE_SYNC);
          syncProtocol.writeSyncStep2(e, doc, sv);
          return { type: 'step1', reply: encoding.toUint8Array(e) };
        }
        if (sub === syncProtocol.messageYjsSyncStep2 || sub === syncProtocol.messageYjsUpdate) {
          const update = decoding.readVarUint8Array(d);
          return { type: 'write', empty: isEmptyUpdate(update, doc), update };
        }
        throw new ProtocolError(`unknown sync message type ${sub}`);
      }
      case MESSAGE_AWARENESS: {
        const update = decoding.readVarUint8Array(d);
        return { type: 'awareness', update, entries: decodeAwareness(update) };
      }
      case MESSAGE_QUERY_AWARENESS:
        return { type: 'queryAwareness' };
      case MESSAGE_AUTH:
        throw new ProtocolError('clients may not send auth messages');
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError('malformed message');
  }
}

/**
 * An update that carries nothing new for `doc`: no structs, and only deletions the doc already has. A client
 * that synced the doc and reconnects sends such a step 2 (a Yjs update always carries the whole delete set).
 */
function isEmptyUpdate(update: Uint8Array, doc: Y.Doc): boolean {
  let parsed;
  try {
    parsed = Y.decodeUpdate(update);
  } catch {
    throw new ProtocolError('malformed update');
  }
  if (parsed.structs.length > 0) return false;
  if (parsed.ds.clients.size === 0) return true;
  const have = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, items] of parsed.ds.clients) {
    for (const item of items) {
      // Deleted ranges are merged per client: a covered range lies within one of the doc's ranges.
      const mine = have.clients.get(client) ?? [];
      if (!mine.some((m) => m.clock <= item.clock && item.clock + item.len <= m.clock + m.len)) return false;
    }
  }
  return true;
}

/** Awareness updates: [count, (clientID, clock, state JSON)*]; each state must be JSON. */
export function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  // y-websocket clients send back every awareness change they receive (a batch of a whole class included):
  // allow a room's worth of states, well above the 250 people a sandbox admits.
  if (n > MAX_AWARENESS_STATES) throw new ProtocolError('too many awareness states');
  const out: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    const clientID = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const state = decoding.readVarString(d);
    JSON.parse(state);
    out.push({ clientID, clock, state });
  }
  if (decoding.hasContent(d)) throw new ProtocolError('trailing bytes in awareness update');
  return out;
}

export function encodeAwareness(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const a of entries) {
    encoding.writeVarUint(e, a.clientID);
    encoding.writeVarUint(e, a.clock);
    encoding.writeVarString(e, a.state);
  }
  return encoding.toUint8Array(e);
}
