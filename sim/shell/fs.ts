/**
 * A container's filesystem as plain data: the image's base tree (computed, never stored) and the container's
 * writable layer (a diff stored in the kubelet's records). `null` marks a directory, `false` a removed path.
 */
export type FsTree = Record<string, string | null>;
export type FsDiff = Record<string, string | null | false>;

export function normalizePath(path: string, cwd = '/'): string {
  const abs = path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
  const out: string[] = [];
  for (const part of abs.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * A volume mounted into a container (configMap, secret, emptyDir, a claim's PV...): paths are relative to the
 * volume's root ('/' is the root). A read-only backend refuses writes.
 */
export interface MountBackend {
  readOnly?: boolean;
  entry(rel: string): string | null | undefined;
  write(rel: string, content: string): boolean;
  mkdir(rel: string): boolean;
  remove(rel: string): boolean;
  list(rel: string): string[];
}

/** A mount point: the backend's `subPath` (normalized, '/' for the whole volume) appears at `path`. */
export interface Mount {
  path: string;
  subPath: string;
  backend: MountBackend;
}

/** The overlay the shell reads and writes: a base tree plus a diff, both plain objects, and volumes mounted over it. */
export class OverlayFs {
  readonly base: FsTree;
  diff: FsDiff;
  readonly mounts: Mount[];

  constructor(base: FsTree, diff: FsDiff = {}, mounts: Mount[] = []) {
    this.base = base;
    this.diff = diff;
    // Longest mount path first, so a nested mount wins.
    this.mounts = [...mounts].sort((a, b) => b.path.length - a.path.length);
  }

  /** The mount a path lies in, with the path inside the volume. */
  private mountOf(path: string): { m: Mount; rel: string } | undefined {
    for (const m of this.mounts) {
      if (path === m.path || path.startsWith(m.path + '/')) {
        const rest = path.slice(m.path.length);
        return { m, rel: normalizePath(m.subPath + rest) };
      }
    }
    return undefined;
  }

  /** Whether a directory lies above some mount point (the runtime creates those directories). */
  private aboveMount(path: string): boolean {
    const pre = path === '/' ? '/' : path + '/';
    return this.mounts.some((m) => m.path.startsWith(pre));
  }

  private entry(path: string): string | null | undefined {
    if (path === '/') return null;
    const mo = this.mountOf(path);
    if (mo) return mo.m.backend.entry(mo.rel);
    if (this.aboveMount(path) && this.entry0(path) === undefined) return null;
    return this.entry0(path);
  }

  private entry0(path: string): string | null | undefined {
    if (path in this.diff) {
      const d = this.diff[path];
      return d === false ? undefined : d;
    }
    // A removed directory hides what was under it.
    for (let p = parentOf(path); p !== '/'; p = parentOf(p)) if (this.diff[p] === false) return undefined;
    return this.base[path];
  }

  exists(path: string): boolean {
    return this.entry(path) !== undefined;
  }

  isDir(path: string): boolean {
    return this.entry(path) === null;
  }

  /** File content, or undefined when there is no such file (or it is a directory). */
  read(path: string): string | undefined {
    const e = this.entry(path);
    return typeof e === 'string' ? e : undefined;
  }

  /** Whether a path lies in a read-only mount (the shell's "Read-only file system"). */
  readOnly(path: string): boolean {
    return !!this.mountOf(path)?.m.backend.readOnly;
  }

  /** Writes a file; false when its directory does not exist. */
  write(path: string, content: string): boolean {
    if (!this.isDir(parentOf(path)) || this.isDir(path)) return false;
    const mo = this.mountOf(path);
    if (mo) return !mo.m.backend.readOnly && mo.m.backend.write(mo.rel, content);
    this.diff = { ...this.diff, [path]: content };
    return true;
  }

  mkdir(path: string, parents = false): boolean {
    if (this.exists(path)) return parents && this.isDir(path);
    const parent = parentOf(path);
    if (!this.isDir(parent)) {
      if (!parents || this.exists(parent)) return false;
      if (!this.mkdir(parent, true)) return false;
    }
    const mo = this.mountOf(path);
    if (mo) return !mo.m.backend.readOnly && mo.m.backend.mkdir(mo.rel);
    this.diff = { ...this.diff, [path]: null };
    return true;
  }

  remove(path: string): boolean {
    if (!this.exists(path) || path === '/') return false;
    if (this.mounts.some((m) => m.path === path) || this.aboveMount(path)) return false; // busy
    const mo = this.mountOf(path);
    if (mo) return !mo.m.backend.readOnly && mo.m.backend.remove(mo.rel);
    const diff: FsDiff = { ...this.diff };
    for (const k of Object.keys(diff)) if (k.startsWith(path + '/')) delete diff[k];
    if (this.base[path] !== undefined || this.baseHasUnder(path)) diff[path] = false;
    else delete diff[path];
    this.diff = diff;
    return true;
  }

  private baseHasUnder(path: string): boolean {
    const pre = path + '/';
    for (const k of Object.keys(this.base)) if (k.startsWith(pre)) return true;
    return false;
  }

  /** Names directly under a directory, sorted. */
  list(dir: string): string[] {
    const pre = dir === '/' ? '/' : dir + '/';
    const names = new Set<string>();
    const mo = this.mountOf(dir);
    if (mo) for (const n of mo.m.backend.list(mo.rel)) names.add(n);
    for (const m of this.mounts) {
      if (!m.path.startsWith(pre)) continue;
      names.add(m.path.slice(pre.length).split('/')[0]);
    }
    if (mo) return [...names].sort();
    for (const src of [this.base, this.diff]) {
      for (const k of Object.keys(src)) {
        if (!k.startsWith(pre) || k === dir) continue;
        const rest = k.slice(pre.length);
        if (!rest || rest.includes('/')) continue;
        if (this.exists(k)) names.add(rest);
      }
    }
    return [...names].sort();
  }
}
