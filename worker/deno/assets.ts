import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * The built client (dist/client) served as wrangler's [assets] serves it: `/` is index.html, `/name` is
 * name.html, other files by their path, with an ETag and revalidation on every use. Undefined when there
 * is no such file (the app answers).
 */
export class StaticAssets {
  constructor(readonly dir: string) {}

  private async file(pathname: string): Promise<{ path: string; info: Deno.FileInfo } | undefined> {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (rel.includes('\0')) return undefined;
    rel = normalize(rel).replace(/^\/+/, '');
    if (rel.startsWith('..')) return undefined;
    const candidates = rel === '' || rel.endsWith('/') ? [join(rel, 'index.html')] : extname(rel) ? [rel] : [`${rel}.html`, join(rel, 'index.html')];
    for (const c of candidates) {
      const path = join(this.dir, c);
      try {
        const info = await Deno.stat(path);
        if (info.isFile) return { path, info };
      } catch {
        // not this one
      }
    }
    return undefined;
  }

  async serve(req: Request): Promise<Response | undefined> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const found = await this.file(new URL(req.url).pathname);
    if (!found) return undefined;
    const etag = `"${found.info.size.toString(36)}-${(found.info.mtime?.getTime() ?? 0).toString(36)}"`;
    const headers = new Headers({
      'content-type': TYPES[extname(found.path)] ?? 'application/octet-stream',
      etag,
      'cache-control': 'public, max-age=0, must-revalidate',
    });
    if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
    if (req.method === 'HEAD') return new Response(null, { headers });
    return new Response(await Deno.readFile(found.path), { headers });
  }

  /** For the app: the page at `url` (e.g. `/sandbox`), or a 404. */
  async fetch(url: URL): Promise<Response> {
    return (await this.serve(new Request(url))) ?? new Response('not found', { status: 404 });
  }
}
