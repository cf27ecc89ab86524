/**
 * Decoding `application/vnd.kubernetes.protobuf` request bodies. kubectl's typed clients (`kubectl create
 * deployment|configmap|secret|job|cronjob|service|namespace|quota|pdb|ingress|serviceaccount|token`) send
 * their objects in the API's protobuf encoding: the bytes `k8s\0`, then a runtime.Unknown envelope
 * `{1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}` whose `raw` is the
 * object's message. This turns them into the JSON form the sim works on (responses stay JSON, which the
 * clients accept too).
 */
import { SCHEMA } from './protobuf-schema.ts';

export class ProtobufError extends Error {}

export interface FieldDef {
  name: string;
  /** type code or qualified message name (`core/v1.PodSpec`) */
  type: string;
  repeated: boolean;
  /** map value type, when the field is a map<string, X> */
  mapValue?: string;
  keepZero: boolean;
  inline: boolean;
}

export type MessageDef = Map<number, FieldDef>;

export const SCALARS = new Set(['', 'i', 'b', 'y', 'd']);
export const SPECIALS = new Set(['T', 'U', 'Q', 'I', 'R', 'D', 'F']);
/** A known field this decoder does not read. */
export const OPAQUE = 'x';

let messages: Map<string, MessageDef> | undefined;

function parseSchema(): Map<string, MessageDef> {
  const out = new Map<string, MessageDef>();
  for (const [pkg, lines] of Object.entries(SCHEMA)) {
    for (const line of lines) {
      const [name, ...fields] = line.split(' ');
      const def: MessageDef = new Map();
      for (const f of fields) {
        const m = /^([\w$]+)(\?)?=(\d+)(?::(.+?))?(\*)?$/.exec(f);
        if (!m) throw new Error(`bad protobuf schema entry ${pkg} ${name}: ${f}`);
        const [, fname, keep, num, rawType = '', star] = m;
        const qualify = (t: string) => (SCALARS.has(t) || SPECIALS.has(t) || t === OPAQUE || t.includes('.') ? t : `${pkg}.${t}`);
        const isMap = rawType.startsWith('{');
        const type = isMap ? 'map' : qualify(rawType);
        def.set(Number(num), {
          name: fname,
          type,
          repeated: !!star,
          mapValue: isMap ? qualify(rawType.slice(1, -1)) : undefined,
          keepZero: !!keep,
          inline: fname === '_',
        });
      }
      out.set(`${pkg}.${name}`, def);
    }
  }
  return out;
}

export function schema(): Map<string, MessageDef> {
  messages ??= parseSchema();
  return messages;
}

/** The message of a kind at an apiVersion (`apps/v1` Deployment → `apps/v1.Deployment`). */
export function rootMessage(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = group === '' ? 'core' : group === 'meta.k8s.io' ? 'meta' : group.replace(/\.k8s\.io$/, '');
  if (kind === 'DeleteOptions') return 'meta/v1.DeleteOptions';
  const name = `${pkg}/${version}.${kind}`;
  return schema().has(name) ? name : undefined;
}

// --- wire format --------------------------------------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.byteLength,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('unexpected EOF');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtobufError('proto: integer overflow');
  }

  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (len < 0 || this.pos + len > this.end) throw new ProtobufError('unexpected EOF');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  fixed(n: 4 | 8): Uint8Array {
    if (this.pos + n > this.end) throw new ProtobufError('unexpected EOF');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.fixed(8);
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.fixed(4);
        return;
      default:
        throw new ProtobufError(`proto: illegal wireType ${wireType}`);
    }
  }
}

const utf8 = new TextDecoder('utf-8');

/** A varint as a signed 64-bit number (negative int32/int64 are sent as ten-byte two's complement). */
function signed(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Reads the fields of one message: number → list of raw values (varint bigint or bytes). */
function fields(bytes: Uint8Array): Map<number, (bigint | Uint8Array)[]> {
  const r = new Reader(bytes);
  const out = new Map<number, (bigint | Uint8Array)[]>();
  while (!r.done()) {
    const key = r.varint();
    const num = Number(key >> 3n);
    const wt = Number(key & 7n);
    if (num === 0) throw new ProtobufError('proto: illegal tag 0 (wire type ' + wt + ')');
    let v: bigint | Uint8Array;
    if (wt === 0) v = r.varint();
    else if (wt === 2) v = r.bytes();
    else if (wt === 1) v = r.fixed(8);
    else if (wt === 5) v = r.fixed(4);
    else throw new ProtobufError(`proto: illegal wireType ${wt}`);
    const list = out.get(num);
    if (list) list.push(v);
    else out.set(num, [v]);
  }
  return out;
}

function asBytes(v: bigint | Uint8Array): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new ProtobufError('proto: wrong wireType for a length-delimited field');
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  if (!micro) return iso + 'Z';
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** A Go duration string (`1h2m3s`, `1.5s`, `0s`) from nanoseconds. */
function goDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const neg = nanos < 0;
  let n = Math.abs(nanos);
  const h = Math.floor(n / 3.6e12);
  n -= h * 3.6e12;
  const m = Math.floor(n / 6e10);
  n -= m * 6e10;
  const s = n / 1e9;
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${Number(s.toFixed(9))}s`;
  return (neg ? '-' : '') + out;
}

function scalar(type: string, v: bigint | Uint8Array): unknown {
  switch (type) {
    case '':
      return utf8.decode(asBytes(v));
    case 'y':
      return base64(asBytes(v));
    case 'b':
      return typeof v === 'bigint' ? v !== 0n : false;
    case 'i':
      return typeof v === 'bigint' ? signed(v) : 0;
    case 'd':
      return v instanceof Uint8Array && v.byteLength === 8 ? new DataView(v.buffer, v.byteOffset, 8).getFloat64(0, true) : 0;
  }
  return undefined;
}

/** A repeated scalar may arrive packed (one length-delimited run) or one value per tag. */
function scalarList(type: string, values: (bigint | Uint8Array)[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if ((type === 'i' || type === 'b') && v instanceof Uint8Array) {
      const r = new Reader(v);
      while (!r.done()) out.push(scalar(type, r.varint()));
    } else out.push(scalar(type, v));
  }
  return out;
}

function special(type: string, bytes: Uint8Array): unknown {
  const f = fields(bytes);
  const one = (n: number) => f.get(n)?.[f.get(n)!.length - 1];
  switch (type) {
    case 'T':
    case 'U': {
      const seconds = one(1) !== undefined ? signed(one(1) as bigint) : 0;
      const nanos = one(2) !== undefined ? signed(one(2) as bigint) : 0;
      if (seconds === 0 && nanos === 0) return undefined;
      return rfc3339(seconds, nanos, type === 'U');
    }
    case 'Q':
      return one(1) !== undefined ? utf8.decode(asBytes(one(1)!)) : '0';
    case 'I': {
      const kind = one(1) !== undefined ? signed(one(1) as bigint) : 0;
      if (kind === 1) return one(3) !== undefined ? utf8.decode(asBytes(one(3)!)) : '';
      return one(2) !== undefined ? signed(one(2) as bigint) : 0;
    }
    case 'D':
      return goDuration(one(1) !== undefined ? signed(one(1) as bigint) : 0);
    case 'R':
    case 'F': {
      const raw = one(1);
      if (raw === undefined) return undefined;
      const text = utf8.decode(asBytes(raw));
      try {
        return JSON.parse(text);
      } catch {
        return base64(asBytes(raw));
      }
    }
  }
  return undefined;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function decodeValue(type: string, v: bigint | Uint8Array): unknown {
  if (SCALARS.has(type)) return scalar(type, v);
  if (SPECIALS.has(type)) return special(type, asBytes(v));
  return decodeMessage(type, asBytes(v));
}

function decodeMessage(name: string, bytes: Uint8Array, depth = 0): Record<string, unknown> {
  if (depth > 100) throw new ProtobufError('proto: message nesting too deep');
  const def = schema().get(name);
  const out: Record<string, unknown> = {};
  if (!def) return out;
  for (const [num, values] of fields(bytes)) {
    const f = def.get(num);
    if (!f || f.type === OPAQUE || f.mapValue === OPAQUE) continue;
    if (f.type === 'map') {
      const map: Record<string, unknown> = {};
      for (const entry of values) {
        const e = fields(asBytes(entry));
        const k = e.get(1);
        const val = e.get(2);
        const key = k ? utf8.decode(asBytes(k[k.length - 1])) : '';
        map[key] = val ? decodeValue(f.mapValue!, val[val.length - 1]) : defaultOf(f.mapValue!);
      }
      out[f.name] = map;
      continue;
    }
    if (f.repeated) {
      if (SCALARS.has(f.type)) out[f.name] = scalarList(f.type, values);
      else out[f.name] = values.map((v) => decodeValue(f.type, v));
      continue;
    }
    const last = values[values.length - 1];
    if (f.inline) {
      Object.assign(out, decodeMessage(f.type, asBytes(last), depth + 1));
      continue;
    }
    const v = SCALARS.has(f.type) || SPECIALS.has(f.type) ? decodeValue(f.type, last) : decodeMessage(f.type, asBytes(last), depth + 1);
    if (v === undefined) continue;
    if (!f.keepZero && SCALARS.has(f.type) && isZero(v)) continue;
    out[f.name] = v;
  }
  return out;
}

function defaultOf(type: string): unknown {
  if (type === '' || type === 'y' || type === 'Q') return type === 'Q' ? '0' : '';
  if (type === 'i' || type === 'd') return 0;
  if (type === 'b') return false;
  return {};
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Decodes a `k8s\0`-prefixed protobuf body into a JSON object with apiVersion and kind. */
export function decodeProtobuf(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength < 4 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ProtobufError(`provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]`);
  }
  const envelope = fields(bytes.subarray(4));
  const typeMetaRaw = envelope.get(1)?.[0];
  let apiVersion = '';
  let kind = '';
  if (typeMetaRaw) {
    const tm = fields(asBytes(typeMetaRaw));
    const av = tm.get(1)?.[0];
    const k = tm.get(2)?.[0];
    if (av) apiVersion = utf8.decode(asBytes(av));
    if (k) kind = utf8.decode(asBytes(k));
  }
  const encoding = envelope.get(3)?.[0];
  if (encoding && asBytes(encoding).byteLength) throw new ProtobufError(`unsupported content encoding ${utf8.decode(asBytes(encoding))}`);
  const raw = envelope.get(2)?.[0];
  const name = rootMessage(apiVersion, kind);
  if (!name) throw new ProtobufError(`no kind "${kind}" is registered for version "${apiVersion}" in the protobuf decoder of this server`);
  const obj = decodeMessage(name, raw ? asBytes(raw) : new Uint8Array(0));
  return { apiVersion, kind, ...obj };
}
