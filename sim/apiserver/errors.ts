/** Kubernetes `Status` errors: the same reasons, codes and message shapes the real API server returns. */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: StatusDetails;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** `pods "web" not found` — resource is the plural with its group, e.g. `deployments.apps`. */
export function notFound(qualifiedResource: string, name: string, group = ''): StatusError {
  const kind = qualifiedResource.split('.')[0];
  return new StatusError(404, 'NotFound', `${qualifiedResource} "${name}" not found`, { name, group: group || undefined, kind });
}

export function alreadyExists(qualifiedResource: string, name: string, group = ''): StatusError {
  const kind = qualifiedResource.split('.')[0];
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource} "${name}" already exists`, { name, group: group || undefined, kind });
}

export function conflict(qualifiedResource: string, name: string, why: string, group = ''): StatusError {
  const kind = qualifiedResource.split('.')[0];
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource} "${name}": ${why}`, { name, group: group || undefined, kind });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function methodNotSupported(qualifiedResource: string, verb: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualifiedResource}"`, { kind: qualifiedResource });
}

/**
 * `pods "web" is forbidden: User "bob" cannot delete resource "pods" in API group "" in the namespace "default"`
 * (the authorizer's words; `why` is appended after ": " when given, `name` and `subresource` when known).
 */
export function forbidden(user: string, verb: string, qualifiedResource: string, namespace: string | undefined, why: string, name?: string, subresource?: string): StatusError {
  const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
  const [resource, ...group] = qualifiedResource.split('.');
  const target = subresource ? `${resource}/${subresource}` : resource;
  const subject = name ? `${qualifiedResource} "${name}"` : qualifiedResource;
  return new StatusError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${target}" in API group "${group.join('.')}"${scope}${why ? `: ${why}` : ''}`,
    { name: name || undefined, kind: resource, group: group.join('.') || undefined },
  );
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function requestEntityTooLarge(message: string): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', message);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/** One field problem, in the words field.ErrorList uses. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTypeInvalid';
  field: string;
  /** the detail after the type's words, e.g. the regex explanation */
  detail?: string;
  value?: unknown;
  /** the bad value as Go's `%#v` renders it, when JSON cannot say it (e.g. `[]networking.IngressRule(nil)`) */
  goValue?: string;
  supported?: string[];
}

export function fieldErrorMessage(e: FieldError): string {
  const v = e.goValue ?? formatValue(e.value);
  switch (e.type) {
    case 'FieldValueRequired':
      return 'Required value' + (e.detail ? `: ${e.detail}` : '');
    case 'FieldValueInvalid':
      return `Invalid value: ${v}` + (e.detail ? `: ${e.detail}` : '');
    case 'FieldValueNotSupported':
      return `Unsupported value: ${v}` + (e.supported ? `: supported values: ${e.supported.map((s) => `"${s}"`).join(', ')}` : '');
    case 'FieldValueDuplicate':
      return `Duplicate value: ${v}`;
    case 'FieldValueForbidden':
      return 'Forbidden' + (e.detail ? `: ${e.detail}` : '');
    case 'FieldValueTooLong':
      return `Too long: ${e.detail ?? ''}`;
    case 'FieldValueTypeInvalid':
      return `Invalid value: ${v}` + (e.detail ? `: ${e.detail}` : '');
  }
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** `Pod "Bad" is invalid: metadata.name: Invalid value: ...` (422); kubectl prints it as `The Pod "Bad" is invalid: ...`. */
export function invalid(kind: string, name: string, errors: FieldError[], group = ''): StatusError {
  const causes = errors.map((e) => ({ reason: e.type, message: fieldErrorMessage(e), field: e.field }));
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  // The message names the qualified kind (`Deployment.apps`), the details the plain kind.
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}
