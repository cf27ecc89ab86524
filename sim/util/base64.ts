/** Base64 of UTF-8 text and back, in plain TypeScript (Secrets' stringData, data). */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

export function encodeBase64(text: string): string {
  const b = utf8(text);
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63] + (i + 1 < b.length ? ALPHABET[(n >> 6) & 63] : '=') + (i + 2 < b.length ? ALPHABET[n & 63] : '=');
  }
  return out;
}

/** The byte offset of the first bad character (Go's "illegal base64 data at input byte N"), or -1 when valid. */
export function base64Error(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '=') {
      if (s.length % 4 !== 0 || i < s.length - 2 || (i === s.length - 2 && s[i + 1] !== '=')) return i;
      continue;
    }
    if (!ALPHABET.includes(c)) return i;
  }
  if (s.length % 4 !== 0) return s.length - (s.length % 4);
  return -1;
}

export function decodeBase64(s: string): string {
  const bytes: number[] = [];
  let buf = 0;
  let bits = 0;
  for (const c of s) {
    if (c === '=') break;
    const v = ALPHABET.indexOf(c);
    if (v < 0) continue;
    buf = (buf << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buf >> bits) & 255);
    }
  }
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let c: number;
    let n: number;
    if (b < 0x80) [c, n] = [b, 1];
    else if (b >= 0xf0) [c, n] = [b & 7, 4];
    else if (b >= 0xe0) [c, n] = [b & 15, 3];
    else [c, n] = [b & 31, 2];
    for (let j = 1; j < n; j++) c = (c << 6) | ((bytes[i + j] ?? 0) & 63);
    out += String.fromCodePoint(c);
    i += n;
  }
  return out;
}
