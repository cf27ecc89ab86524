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

/** The overlay the shell reads and writes: a base tree plus a diff, both plain objects. */
export class OverlayFs {
  readonly base: FsTree;
  diff: FsDiff;

  constructor(base: FsTree, diff: FsDiff = {}) {
    this.base = base;
    this.diff = diff;
  }

  private entry(path: string): string | null | undefined {
    if (path === '/') return null;
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

  /** Writes a file; false when its directory does not exist. */
  write(path: string, content: string): boolean {
    if (!this.isDir(parentOf(path)) || this.isDir(path)) return false;
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
    this.diff = { ...this.diff, [path]: null };
    return true;
  }

  remove(path: string): boolean {
    if (!this.exists(path) || path === '/') return false;
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
