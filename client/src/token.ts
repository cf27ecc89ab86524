/** The sandbox id from a `/s/<id>` path, or null. */
export function sandboxIdFromPath(pathname: string): string | null {
  const match = /^\/s\/([^/]+)\/?$/.exec(pathname);
  return match ? decodeURIComponent(match[1]) : null;
}

/** The token in the address bar's `#token=` fragment, if any. */
export const fragmentToken = (): string | null => new URLSearchParams(location.hash.slice(1)).get('token');

const storageKey = (id: string) => `kuberoom:token:${id}`;

function readStored(id: string): string | null {
  try {
    return localStorage.getItem(storageKey(id));
  } catch {
    return null; // storage disabled (private mode, blocked cookies)
  }
}

function store(id: string, token: string): void {
  try {
    localStorage.setItem(storageKey(id), token);
  } catch {
    // storage disabled: the token lives only as long as this page
  }
}

/**
 * The sandbox token: taken from the `#token=` fragment when present (then kept in localStorage and
 * removed from the address bar so it does not end up in screenshots or history), else from localStorage.
 */
export function takeToken(id: string): string | null {
  const fromFragment = fragmentToken();
  if (fromFragment) {
    store(id, fromFragment);
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromFragment;
  }
  return readStored(id);
}
