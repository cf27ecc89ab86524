// The shared manifest editor: CodeMirror 6 bound to the file's Y.Text (everyone's cursors through the
// file doc's awareness), YAML highlighting and inline problems. Loaded on demand (its own chunk).
import { defaultKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, defaultHighlightStyle, foldGutter, HighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import { lintGutter, linter, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { checkManifest, dryRun } from './manifest';

export interface EditorOptions {
  parent: HTMLElement;
  ytext: Y.Text;
  awareness: Awareness;
  readOnly: boolean;
  /** server checks (dry run) for people who may write */
  server: { id: string; token: string } | null;
  label: string;
}

export interface EditorHandle {
  setReadOnly(readOnly: boolean, server: EditorOptions['server']): void;
  text(): string;
  destroy(): void;
}

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px' },
  '.cm-scroller': { fontFamily: 'var(--mono, ui-monospace, monospace)' },
});

/** Colours from CSS variables (styles.css), so the editor follows the page's light or dark scheme. */
const highlight = HighlightStyle.define([
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--syn-key)' },
  { tag: [t.string, t.content, t.attributeValue], color: 'var(--syn-string)' },
  { tag: [t.number, t.bool, t.null, t.keyword], color: 'var(--syn-number)' },
  { tag: [t.comment, t.lineComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [t.meta, t.labelName, t.typeName, t.special(t.string)], color: 'var(--syn-meta)' },
]);

export function mountEditor(opts: EditorOptions): EditorHandle {
  const editable = new Compartment();
  let server = opts.server;
  let abort: AbortController | null = null;
  const lint = linter(
    async (view): Promise<Diagnostic[]> => {
      const text = view.state.doc.toString();
      const parsed = checkManifest(text);
      const local: Diagnostic[] = parsed.problems.map((p) => ({ ...p, source: 'yaml' }));
      if (local.length || !server || !text.trim()) return local;
      abort?.abort();
      abort = new AbortController();
      const remote = await dryRun(server.id, server.token, parsed, abort.signal);
      const len = view.state.doc.length;
      return remote.map((p) => ({ ...p, from: Math.min(p.from, len), to: Math.min(p.to, len), source: 'API server (dry run)' }));
    },
    { delay: 700 },
  );
  const readOnlyExt = (ro: boolean) => [EditorState.readOnly.of(ro), EditorView.editable.of(!ro)];
  const undoManager = new Y.UndoManager(opts.ytext);
  const view = new EditorView({
    parent: opts.parent,
    state: EditorState.create({
      doc: opts.ytext.toString(),
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        foldGutter(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(highlight),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(),
        lintGutter(),
        lint,
        keymap.of([...yUndoManagerKeymap, ...defaultKeymap, indentWithTab]),
        yCollab(opts.ytext, opts.awareness, { undoManager }),
        editable.of(readOnlyExt(opts.readOnly)),
        EditorView.contentAttributes.of({ 'aria-label': opts.label }),
        theme,
      ],
    }),
  });
  return {
    setReadOnly(readOnly, srv) {
      server = srv;
      view.dispatch({ effects: editable.reconfigure(readOnlyExt(readOnly)) });
    },
    text: () => view.state.doc.toString(),
    destroy() {
      abort?.abort();
      view.destroy();
      undoManager.destroy();
    },
  };
}
