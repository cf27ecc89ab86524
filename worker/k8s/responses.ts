/** Responses as kube-apiserver writes them: compact JSON (or YAML) with a trailing newline, errors as `Status`. */
import { stringify as toYaml } from 'yaml';
import { StatusError, type Status } from '../../sim/apiserver/errors.ts';

export const JSON_TYPE = 'application/json';

const COMMON_HEADERS: Record<string, string> = { 'Cache-Control': 'no-cache, private' };

export interface Rendering {
  /** Content-Type of the answer (e.g. `application/json;as=Table;v=v1;g=meta.k8s.io`) */
  contentType: string;
  yaml?: boolean;
  pretty?: boolean;
}

export function encodeBody(body: unknown, r: Rendering): string {
  if (r.yaml) return toYaml(body, { lineWidth: 0 });
  return (r.pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body)) + '\n';
}

export function objectResponse(body: unknown, status: number, r: Rendering = { contentType: JSON_TYPE }, headers: Record<string, string> = {}): Response {
  return new Response(encodeBody(body, r), { status, headers: { ...COMMON_HEADERS, 'Content-Type': r.contentType, ...headers } });
}

export function statusBody(e: StatusError): Status {
  return e.toStatus();
}

export function errorResponse(e: StatusError, r: Rendering = { contentType: JSON_TYPE }): Response {
  const headers: Record<string, string> = {};
  if (e.details?.retryAfterSeconds) headers['Retry-After'] = String(e.details.retryAfterSeconds);
  // Errors are always JSON or YAML Status objects, never tables.
  const rendering: Rendering = r.yaml ? { contentType: 'application/yaml', yaml: true } : { contentType: JSON_TYPE, pretty: r.pretty };
  return objectResponse(statusBody(e), e.code, rendering, headers);
}

export function textResponse(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers } });
}

/** The router's 404 for a path under /api or /apis that names no served resource. */
export function notFoundRoute(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function methodNotAllowed(): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

/** A `Status` of success: `code` is set by some handlers (binding, eviction), not by a finished delete. */
export function successStatus(code?: number, details?: Record<string, unknown>): Record<string, unknown> {
  const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  if (details) s.details = details;
  if (code !== undefined) s.code = code;
  return s;
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}
