/** IPv4 helpers: dotted quads to numbers and back, CIDR membership. */

export function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function intToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function isIPv4(s: string): boolean {
  return ipToInt(s) !== undefined;
}

export interface Cidr {
  base: number;
  bits: number;
  size: number;
}

export function parseCidr(cidr: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const ip = ipToInt(m[1]);
  const bits = Number(m[2]);
  if (ip === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const base = bits === 0 ? 0 : ip - (ip % size);
  return { base, bits, size };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= cidr.base && n < cidr.base + cidr.size;
}
