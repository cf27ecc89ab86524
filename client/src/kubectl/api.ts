/** The Kubernetes API as the emulator calls it: fetch with the sandbox's bearer token, kubectl's headers. */
import { isObj, type Obj } from './util.ts';

export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** An error the server answered with a Status (or a failure we word like one). */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly status: Obj;
  constructor(code: number, status: Obj) {
    super(typeof status.message === 'string' ? status.message : `the server responded with status ${code}`);
    this.code = code;
    this.reason = typeof status.reason === 'string' ? status.reason : '';
    this.status = status;
  }
}

/** kubectl's wording of a server error (cmdutil.CheckErr / StandardErrorMessage). */
export function serverErrorText(e: StatusError): string {
  const details = isObj(e.status.details) ? e.status.details : null;
  if (e.reason === 'Invalid' || (e.code === 422 && !e.reason)) {
    const head = details ? `The ${details.kind ?? ''} "${details.name ?? ''}" is invalid` : 'The request is invalid';
    const causes = (Array.isArray(details?.causes) ? details.causes : []) as Obj[];
    if (causes.length === 0) return `${head}: ${e.message}`;
    const lines = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : String(c.message)));
    return lines.length === 1 ? `${head}: ${lines[0]}` : `${head}: \n* ${lines.join('\n* ')}`;
  }
  if (e.reason === 'Unauthorized') return `error: You must be logged in to the server (${e.message})`;
  const reason = e.reason || (e.code >= 400 ? reasonForCode(e.code) : '');
  return reason ? `Error from server (${reason}): ${e.message}` : `Error from server: ${e.message}`;
}

function reasonForCode(code: number): string {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 405: return 'MethodNotAllowed';
    case 409: return 'Conflict';
    case 410: return 'Gone';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 500: return 'InternalError';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return 'Unknown';
  }
}

export interface ApiResource {
  group: string;
  version: string;
  /** plural, e.g. "pods" */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories: string[];
  /** subresources served ("status", "log", "scale", ...) */
  subresources: string[];
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | undefined | string[]>;
  accept?: string;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export class ApiClient {
  readonly base: string;
  private readonly token: string;
  private readonly fetchFn: FetchLike;
  private discovery: Promise<ApiResource[]> | null = null;

  constructor(base: string, token: string, fetchFn?: FetchLike) {
    this.base = base.replace(/\/+$/, '');
    this.token = token;
    this.fetchFn = fetchFn ?? ((url, init) => fetch(url, init));
  }

  url(path: string, query?: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) params.append(k, x);
      else params.append(k, String(v));
    }
    const qs = params.toString();
    return this.base + path + (qs ? `?${qs}` : '');
  }

  async raw(path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: opts.accept ?? 'application/json',
    };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path, opts.query), { method: opts.method ?? 'GET', headers, body, signal: opts.signal });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new StatusError(503, { message: `unable to connect to the server: ${(e as Error).message}`, reason: 'ServiceUnavailable' });
    }
    if (!res.ok) throw await this.errorOf(res);
    return res;
  }

  private async errorOf(res: Response): Promise<StatusError> {
    const text = await res.text().catch(() => '');
    try {
      const body: unknown = JSON.parse(text);
      if (isObj(body) && body.kind === 'Status') return new StatusError(res.status, body);
    } catch {
      // not a Status
    }
    return new StatusError(res.status, { message: `the server responded with the status code ${res.status} but did not return more information`, reason: '' });
  }

  async json<T = Obj>(path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(path, opts);
    return (await res.json()) as T;
  }

  /** The served resources, from the aggregated discovery documents (cached for the emulator's life). */
  resources(): Promise<ApiResource[]> {
    this.discovery ??= (async () => {
      const [core, groups] = await Promise.all([
        this.json('/api', { accept: DISCOVERY_ACCEPT }),
        this.json('/apis', { accept: DISCOVERY_ACCEPT }),
      ]);
      const out: ApiResource[] = [];
      for (const doc of [core, groups]) {
        for (const g of (doc.items ?? []) as Obj[]) {
          const group: string = g.metadata?.name ?? '';
          const versions = (g.versions ?? []) as Obj[];
          // The first version is the preferred one; resources of other versions only if not already seen.
          for (const v of versions) {
            for (const r of (v.resources ?? []) as Obj[]) {
              if (out.some((x) => x.group === group && x.resource === r.resource)) continue;
              out.push({
                group,
                version: v.version,
                resource: r.resource,
                singular: r.singularResource ?? '',
                kind: r.responseKind?.kind ?? '',
                namespaced: r.scope === 'Namespaced',
                shortNames: r.shortNames ?? [],
                verbs: r.verbs ?? [],
                categories: r.categories ?? [],
                subresources: ((r.subresources ?? []) as Obj[]).map((s) => s.subresource),
              });
            }
          }
        }
      }
      return out;
    })();
    this.discovery.catch(() => (this.discovery = null));
    return this.discovery;
  }
}

export const groupVersion = (r: { group: string; version: string }) => (r.group ? `${r.group}/${r.version}` : r.version);

/** The REST path of a resource's collection (namespace '' for cluster-scoped or all namespaces). */
export function collectionPath(r: ApiResource, namespace: string): string {
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${r.resource}` : `${prefix}/${r.resource}`;
}

export const objectPath = (r: ApiResource, namespace: string, name: string) =>
  `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;

/** "pod", "deployment.apps": how kubectl names a kind in `-o name` and messages. */
export const kindGroup = (r: ApiResource) => (r.group ? `${r.kind.toLowerCase()}.${r.group}` : r.kind.toLowerCase());

/** The plural with its group, as in `pods "x" not found` / `deployments.apps "x" not found`. */
export const resourceGroup = (r: ApiResource) => (r.group ? `${r.resource}.${r.group}` : r.resource);
