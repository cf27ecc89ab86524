/** Reading and decoding request bodies (JSON or YAML), with the API server's size limit and error messages. */
import { parseAllDocuments } from 'yaml';
import { badRequest, StatusError } from '../../sim/apiserver/errors.ts';
import { decodeProtobuf, ProtobufError } from './protobuf.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function tooLarge(limit: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** How much of a refused body is still read and dropped: workerd reports an error when a forwarded body is
 * still streaming after the answer, so a modest excess is drained rather than cancelled. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, already: number): Promise<void> {
  let size = already;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > DRAIN_LIMIT) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // the client went away
  }
}

/** The body's bytes, or a 413 when it is larger than `limit` (by Content-Length or by what arrives). */
export async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await drain(reader, 0);
    throw tooLarge(limit);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await drain(reader, size);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The media type of a Content-Type header without its parameters, lowercased. */
export function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

/** Which decoder a Content-Type selects for create/update bodies (empty means JSON), or a 415. */
export function bodyFormat(contentType: string | null): BodyFormat {
  const t = mediaType(contentType);
  if (t === '' || t === 'application/json' || t === '*/*') return 'json';
  if (t === 'application/yaml') return 'yaml';
  if (t === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw new StatusError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  );
}

export class DecodeError extends Error {}

/** Decodes JSON, throwing a DecodeError with Go's encoding/json message when the text is not valid JSON. */
export function decodeJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DecodeError(goJsonError(text));
  }
  if (nestingExceeds(text, MAX_JSON_DEPTH)) throw new DecodeError('json: exceeded max depth');
  return value;
}

/** Go's decoder refuses documents nested deeper than 10,000 levels; so does this one (a deep body would
 * otherwise overflow the stack of every recursive walk after it). */
const MAX_JSON_DEPTH = 10000;

function nestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Decodes YAML (one document) the way sigs.k8s.io/yaml does: a YAML error reads `error converting YAML to JSON: yaml: ...`. */
export function decodeYaml(text: string): unknown {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const first = list[0];
  if (!first) return null;
  if (first.errors.length) {
    const e = first.errors[0];
    const line = e.linePos?.[0]?.line;
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new DecodeError(`error converting YAML to JSON: yaml: ${line ? `line ${line}: ` : ''}${msg}`);
  }
  try {
    return first.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new DecodeError(`error converting YAML to JSON: yaml: ${(e as Error).message}`);
  }
}

/** Decodes a body as `format`. */
export function decodeBody(bytes: Uint8Array, format: BodyFormat): unknown {
  if (format === 'protobuf') {
    try {
      return decodeProtobuf(bytes);
    } catch (e) {
      if (e instanceof ProtobufError) throw new DecodeError(e.message);
      throw e;
    }
  }
  const text = new TextDecoder().decode(bytes);
  return format === 'yaml' ? decodeYaml(text) : decodeJson(text);
}

/** YAML or JSON (an apply patch may be either). */
export function decodeYamlOrJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through to YAML, which reads JSON too and reports the error in YAML terms
    }
  }
  return decodeYaml(text);
}

/**
 * The 400 for a create/update body that does not decode:
 * `the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: ... ({"apiVe ...)`.
 */
export function unrecognizedObject(kind: string, err: DecodeError, bytes: Uint8Array, format: BodyFormat): StatusError {
  const cause = format === 'json' ? `couldn't get version/kind; json parse error: ${err.message}` : err.message;
  return badRequest(`the object provided is unrecognized (must be of type ${kind}): ${cause} (${summarizeData(bytes, 30)})`);
}

function summarizeData(data: Uint8Array, max: number): string {
  if (data.byteLength === 0) return '<empty>';
  const slice = data.byteLength > max ? data.slice(0, max) : data;
  const more = data.byteLength > max ? ' ...' : '';
  if (data[0] === 0x7b) return new TextDecoder().decode(slice) + more;
  return [...slice].map((b) => b.toString(16).padStart(2, '0')).join('') + more;
}

// ------------------------------------------------------------------------------------------------------------
// Go's encoding/json syntax errors, so that a malformed body is reported in the API server's words.

function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const code = c.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) {
    const esc: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
    return `'${esc[c] ?? '\\x' + code.toString(16).padStart(2, '0')}'`;
  }
  return `'${c}'`;
}

class Syntax extends Error {}

/** The message Go's json.Unmarshal gives for the first syntax error of `text`. */
export function goJsonError(text: string): string {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (context: string): never => {
    if (i >= n) throw new Syntax('unexpected end of JSON input');
    throw new Syntax(`invalid character ${quoteChar(String.fromCodePoint(text.codePointAt(i)!))} ${context}`);
  };
  const literal = (word: string) => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= n) fail('');
      if (text[i] !== word[k]) fail(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
    i++;
  };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail('');
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        if (i >= n) fail('');
        const e = text[i];
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= n) fail('');
            if (!/[0-9a-fA-F]/.test(text[i])) fail('in \\u hexadecimal character escape');
          }
          i++;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) fail('in string escape code');
        i++;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail('in string literal');
      i++;
    }
  };
  const num = () => {
    if (text[i] === '-') {
      i++;
      if (i >= n) fail('');
      if (!/[0-9]/.test(text[i])) fail('in numeric literal');
    }
    if (text[i] === '0') i++;
    else while (i < n && /[0-9]/.test(text[i])) i++;
    if (text[i] === '.') {
      i++;
      if (i >= n) fail('');
      if (!/[0-9]/.test(text[i])) fail('after decimal point in numeric literal');
      while (i < n && /[0-9]/.test(text[i])) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (i >= n) fail('');
      if (!/[0-9]/.test(text[i])) fail('in exponent of numeric literal');
      while (i < n && /[0-9]/.test(text[i])) i++;
    }
  };
  const value = (): void => {
    ws();
    if (i >= n) fail('');
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (i >= n) fail('');
        if (text[i] !== '"') fail('looking for beginning of object key string');
        str();
        ws();
        if (i >= n) fail('');
        if (text[i] !== ':') fail('after object key');
        i++;
        value();
        ws();
        if (i >= n) fail('');
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (i >= n) fail('');
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('after array element');
      }
    }
    if (c === '"') return str();
    if (c === '-' || /[0-9]/.test(c)) return num();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    fail('looking for beginning of value');
  };
  try {
    value();
    ws();
    if (i < n) fail('after top-level value');
    return 'unexpected end of JSON input';
  } catch (e) {
    if (e instanceof Syntax) return e.message;
    throw e;
  }
}
