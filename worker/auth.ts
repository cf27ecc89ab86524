/** Sandbox ids and tokens: random, URL-safe, unguessable (128 bits each). */

export type Role = 'owner' | 'edit' | 'view';
export const ROLES: Role[] = ['owner', 'edit', 'view'];

export function randomToken(bytes = 16): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A sandbox id: 128 random bits in base64url (22 characters). */
export const SANDBOX_ID = /^[A-Za-z0-9_-]{22}$/;

export function isSandboxId(id: string): boolean {
  return SANDBOX_ID.test(id);
}

/** Compares two strings in time that does not depend on where they differ. */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The token a request carries: `Authorization: Bearer`, or `?token=`. */
export function requestToken(req: Request): string | undefined {
  const auth = req.headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const q = new URL(req.url).searchParams.get('token');
  return q ?? undefined;
}

/** What a role may do. */
export function canWrite(role: Role): boolean {
  return role === 'owner' || role === 'edit';
}
