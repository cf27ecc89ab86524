import type { ClockAction, ClockState, CreatedSandbox, Session } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function describeFailure(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).trim();
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object') {
      const { error, message } = body as { error?: unknown; message?: unknown };
      const detail = typeof message === 'string' ? message : typeof error === 'string' ? error : null;
      if (detail) return detail;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text && text.length <= 200 ? text : `HTTP ${res.status} ${res.statusText}`.trim();
}

async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new ApiError(res.status, await describeFailure(res));
  return (await res.json()) as T;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export const createSandbox = (): Promise<CreatedSandbox> =>
  request('/api/sandboxes', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });

export const fetchSession = (id: string, token: string): Promise<Session> =>
  request(`/s/${encodeURIComponent(id)}/api/session`, { headers: bearer(token) });

export const postClock = (id: string, token: string, action: ClockAction): Promise<ClockState> =>
  request(`/s/${encodeURIComponent(id)}/api/clock`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify(action),
  });

/** Path of the kubeconfig download for this sandbox and token. */
export const kubeconfigPath = (id: string, token: string): string =>
  `/s/${encodeURIComponent(id)}/kubeconfig?token=${encodeURIComponent(token)}`;
