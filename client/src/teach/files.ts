// The room's shared files: the list (`GET /api/files`) and one y-websocket doc per file.
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { presence } from './presence';
import { quietAwareness } from './quiet-awareness';

export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function listFiles(id: string, token: string): Promise<string[]> {
  const res = await fetch(`/s/${encodeURIComponent(id)}/api/files`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`the file list could not be read (HTTP ${res.status})`);
  const body = (await res.json()) as { items?: unknown };
  const items = Array.isArray(body.items) ? (body.items as unknown[]) : [];
  return items.filter((d): d is string => typeof d === 'string' && d.startsWith('file:')).map((d) => d.slice(5)).sort();
}

function syncBase(id: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/s/${encodeURIComponent(id)}/sync`;
}

export interface FileLink {
  name: string;
  doc: Y.Doc;
  text: Y.Text;
  provider: WebsocketProvider;
  destroy(): void;
}

const MESSAGE_AUTH = 2;

/**
 * Opens a shared file's doc. The room refuses a viewer's (or a locked editor's) writes with a y-websocket
 * auth message (permission-denied, with the reason); `onRefused` hears that reason.
 */
export function openFile(id: string, token: string, name: string, onRefused: (reason: string) => void): FileLink {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(syncBase(id), encodeURIComponent(`file:${name}`), doc, {
    params: { token, name: presence.user.name },
    disableBc: true,
  });
  provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
    if (decoding.readVarUint(decoder) === 0) onRefused(decoding.readVarString(decoder));
  };
  quietAwareness(provider);
  provider.awareness.setLocalStateField('user', presence.user);
  return {
    name,
    doc,
    text: doc.getText('content'),
    provider,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export const TEMPLATE = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name.replace(/\.(ya?ml)$/, '').toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'web'}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

/**
 * The shared files as `kubectl apply -f NAME` reads them in the terminal: a short-lived read of the file's
 * doc (opened, synced, read, closed). `null` when there is no such file.
 */
export function sharedFileSource(id: string, token: string): { read(name: string): Promise<string | null>; list(): Promise<string[]> } {
  return {
    list: () => listFiles(id, token),
    async read(name: string) {
      if (!FILE_NAME.test(name) || !(await listFiles(id, token)).includes(name)) return null;
      const file = openFile(id, token, name, () => undefined);
      try {
        return await new Promise<string | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), 10_000);
          file.provider.on('sync', (synced: boolean) => {
            if (!synced) return;
            clearTimeout(timer);
            resolve(file.text.toString());
          });
        });
      } finally {
        file.destroy();
      }
    },
  };
}
