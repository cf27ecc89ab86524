/**
 * Content negotiation as the API server does it: the first media range in `Accept` the server can produce wins.
 * Besides plain JSON and YAML, clients ask for conversions with parameters: `as=Table;v=v1;g=meta.k8s.io`
 * (kubectl get), `as=PartialObjectMetadata[List]` (metadata-only informers) and
 * `as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2` (aggregated discovery).
 */
import { StatusError } from '../../sim/apiserver/errors.ts';

export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | null): MediaRange[] {
  if (!header || !header.trim()) return [{ type: '*/*', params: {} }];
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    if (!type) continue;
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
    }
    if (params.q === '0') continue;
    out.push({ type: type.toLowerCase(), params });
  }
  return out.length ? out : [{ type: '*/*', params: {} }];
}

export type ObjectFormat =
  | { kind: 'object' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1'; list: boolean };

export interface Negotiated {
  format: ObjectFormat;
  yaml: boolean;
  /** Content-Type of the answer */
  contentType: string;
}

function isJsonLike(type: string): 'json' | 'yaml' | undefined {
  if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'json';
  if (type === 'application/yaml') return 'yaml';
  return undefined;
}

/** Chooses the representation of an API object (or list) the client asked for. */
export function negotiateObject(accept: string | null): Negotiated {
  for (const r of parseAccept(accept)) {
    const enc = isJsonLike(r.type);
    if (!enc) continue;
    const as = r.params.as;
    if (!as) {
      return { format: { kind: 'object' }, yaml: enc === 'yaml', contentType: enc === 'yaml' ? 'application/yaml' : 'application/json' };
    }
    const g = r.params.g;
    const v = r.params.v;
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    const base = enc === 'yaml' ? 'application/yaml' : 'application/json';
    const contentType = `${base};as=${as};v=${v};g=meta.k8s.io`;
    if (as === 'Table') return { format: { kind: 'table', version: v }, yaml: enc === 'yaml', contentType };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      return { format: { kind: 'partial', version: v, list: as === 'PartialObjectMetadataList' }, yaml: enc === 'yaml', contentType };
    }
  }
  throw notAcceptable();
}

export function notAcceptable(): StatusError {
  return new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

/** The aggregated discovery version asked for, if any (v2 or v2beta1), else legacy discovery. */
export function negotiateDiscovery(accept: string | null): 'v2' | 'v2beta1' | 'legacy' {
  for (const r of parseAccept(accept)) {
    if (r.params.as === 'APIGroupDiscoveryList' && r.params.g === 'apidiscovery.k8s.io' && r.type === 'application/json') {
      if (r.params.v === 'v2') return 'v2';
      if (r.params.v === 'v2beta1') return 'v2beta1';
      continue;
    }
    if (isJsonLike(r.type) && !r.params.as) return 'legacy';
  }
  return 'legacy';
}
