// The "Files" tab: the room's shared manifests, edited together, checked inline and applied.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EditorHandle } from './editor';
import { FILE_NAME, listFiles, openFile, TEMPLATE, type FileLink } from './files';
import { useLock, whyReadOnly } from './lock';
import { applyManifest, type ApplyLine } from './manifest';
import type { TeachProps } from './slots';
import { setViewState, useViewState } from './view-state';

export function FilesTab({ id, token, session }: TeachProps) {
  const lock = useLock(session);
  const why = whyReadOnly(session?.role, lock);
  const [files, setFiles] = useState<string[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const view = useViewState();
  const current = view.file;

  const refresh = () =>
    listFiles(id, token).then(
      (list) => {
        setListError(null);
        setFiles(list);
      },
      (e: Error) => setListError(e.message),
    );
  useEffect(() => {
    void refresh();
    const timer = setInterval(refresh, 4000);
    return () => clearInterval(timer);
  }, [id, token]);
  useEffect(() => {
    if (!current && files.length) setViewState({ file: files[0] });
  }, [current, files]);

  const shown = current && !files.includes(current) ? [...files, current].sort() : files;
  const create = (e: Event) => {
    e.preventDefault();
    let name = newName.trim();
    if (name && !/\.ya?ml$/.test(name)) name += '.yaml';
    if (!FILE_NAME.test(name)) {
      setNameError('A file name has letters, digits, ".", "_" or "-" (at most 64), e.g. web.yaml');
      return;
    }
    setNameError(null);
    setNewName('');
    setCreated(name);
    setViewState({ tab: 'files', file: name });
  };

  return (
    <div class="teach-files" data-testid="files-tab">
      <nav class="teach-files__list" aria-label="Shared files">
        <h2 class="teach-h">Shared files</h2>
        {listError && <p class="error">{listError}</p>}
        {shown.length === 0 && <p class="muted">No files yet.</p>}
        <ul>
          {shown.map((f) => (
            <li key={f}>
              <button
                type="button"
                class={`teach-file ${f === current ? 'is-current' : ''}`}
                aria-current={f === current ? 'true' : undefined}
                onClick={() => setViewState({ file: f })}
              >
                {f}
              </button>
            </li>
          ))}
        </ul>
        <form class="teach-newfile" onSubmit={create}>
          <label for="teach-newfile-name">New file</label>
          <div class="invite-row">
            <input
              id="teach-newfile-name"
              class="link-field"
              placeholder="web.yaml"
              value={newName}
              disabled={!!why}
              title={why ?? undefined}
              onInput={(e) => setNewName(e.currentTarget.value)}
            />
            <button type="submit" class="btn btn--small" disabled={!!why} title={why ?? undefined}>
              Create
            </button>
          </div>
          {nameError && <p class="error" role="alert">{nameError}</p>}
        </form>
      </nav>
      {current ? (
        <FileEditor key={current} id={id} token={token} name={current} readOnlyWhy={why} fresh={created === current} />
      ) : (
        <p class="muted teach-files__empty">Pick a file or create one: everyone here edits it with you.</p>
      )}
    </div>
  );
}

interface FileEditorProps {
  id: string;
  token: string;
  name: string;
  readOnlyWhy: string | null;
  /** created here just now: filled with a template once synced (if still empty) */
  fresh: boolean;
}

function FileEditor({ id, token, name, readOnlyWhy, fresh }: FileEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<EditorHandle | null>(null);
  const link = useRef<FileLink | null>(null);
  const [synced, setSynced] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ApplyLine[] | null>(null);
  const writable = !readOnlyWhy;
  const writableRef = useRef(writable);
  writableRef.current = writable;

  useEffect(() => {
    const file = openFile(id, token, name, setRefused);
    link.current = file;
    let cancelled = false;
    const onSync = (isSynced: boolean) => {
      if (!isSynced || cancelled) return;
      if (fresh && writableRef.current && file.text.length === 0) file.text.insert(0, TEMPLATE(name));
      setSynced(true);
      if (editor.current || !host.current) return;
      import('./editor').then(
        ({ mountEditor }) => {
          if (cancelled || !host.current || editor.current) return;
          editor.current = mountEditor({
            parent: host.current,
            ytext: file.text,
            awareness: file.provider.awareness,
            readOnly: !writableRef.current,
            server: writableRef.current ? { id, token } : null,
            label: `Manifest ${name}`,
          });
        },
        (e: Error) => setLoadError(`The editor could not be loaded: ${e.message}`),
      );
    };
    file.provider.on('sync', onSync);
    return () => {
      cancelled = true;
      file.provider.off('sync', onSync);
      editor.current?.destroy();
      editor.current = null;
      file.destroy();
      link.current = null;
    };
  }, [id, token, name]);

  useEffect(() => {
    editor.current?.setReadOnly(!writable, writable ? { id, token } : null);
    if (writable) setRefused(null);
  }, [writable, synced]);

  const apply = async () => {
    const text = editor.current?.text() ?? link.current?.text.toString() ?? '';
    setBusy(true);
    setResult(null);
    try {
      setResult(await applyManifest(id, token, name, text));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="teach-editor" aria-label={`File ${name}`}>
      <header class="teach-editor__head">
        <h2 class="teach-h">{name}</h2>
        <span class={`badge ${synced ? 'tone-ok' : 'tone-wait'}`}>{synced ? 'live' : 'connecting…'}</span>
        {!writable && <span class="badge tone-off">read-only</span>}
        <div class="teach-apply">
          <button
            type="button"
            class="btn btn--primary"
            data-testid="apply"
            disabled={!writable || busy || !synced}
            title={readOnlyWhy ?? 'kubectl apply -f ' + name}
            onClick={apply}
          >
            {busy ? 'Applying…' : 'Apply'}
          </button>
          {!writable && <span class="teach-why" data-testid="apply-why">{readOnlyWhy}</span>}
        </div>
      </header>
      {(result || refused) && (
        <div class="teach-result" role="status" aria-live="polite" data-testid="apply-result">
          {refused && <p class="error">The room refused your edit: {refused}</p>}
          {result?.length === 0 && <p class="muted">Nothing to apply: the file has no objects.</p>}
          {result?.map((l, i) => (
            <p key={i} class={l.ok ? 'ok' : 'error'}>
              {l.text}
            </p>
          ))}
        </div>
      )}
      {loadError && <p class="error">{loadError}</p>}
      <div class="teach-editor__cm" ref={host} data-testid="editor" />
    </section>
  );
}
