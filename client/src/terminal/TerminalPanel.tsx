import type { FetchLike } from '../kubectl/api';
import { nameHeaders } from '../teach/presence';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'preact/hooks';
import { Kubectl, type FileSource } from '../kubectl/kubectl';
import { LineEditor, PROMPT } from './line-editor';

const LIGHT: ITheme = {
  background: '#ffffff',
  foreground: '#1b1f24',
  cursor: '#2f5fd0',
  cursorAccent: '#ffffff',
  selectionBackground: '#b6cbf5',
  black: '#1b1f24',
  red: '#c62828',
  green: '#1a7f37',
  yellow: '#8a5a00',
  blue: '#2f5fd0',
  magenta: '#8e3fb0',
  cyan: '#0b7285',
  white: '#5c6570',
};

const DARK: ITheme = {
  background: '#11151a',
  foreground: '#e6e9ee',
  cursor: '#8fb1ff',
  cursorAccent: '#11151a',
  selectionBackground: '#33466e',
  black: '#2c323b',
  red: '#ff7b7b',
  green: '#5fd38a',
  yellow: '#f2c25c',
  blue: '#6f9bff',
  magenta: '#d68cf2',
  cyan: '#5fc8d8',
  white: '#e6e9ee',
};

/** The room's shared files come later (issue 7's manifest editor); until then `-f` finds nothing. */
const NO_FILES: FileSource = { read: async () => null };

const historyKey = (id: string) => `kuberoom:history:${id}`;

function loadHistory(id: string): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(historyKey(id)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function saveHistory(id: string, history: string[]): void {
  try {
    localStorage.setItem(historyKey(id), JSON.stringify(history.slice(-500)));
  } catch {
    // storage disabled: history lives as long as the page
  }
}

/** The text of the terminal's buffer, wrapped rows joined into their logical lines (a test hook). */
function bufferText(term: Terminal): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) {
    const line = buf.getLine(i);
    if (!line) continue;
    const text = line.translateToString(true);
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

export interface TerminalPanelProps {
  id: string;
  token: string;
  files?: FileSource;
}

/** The in-page terminal: kubectl commands typed here run against the sandbox's API like the real kubectl. */
export function TerminalPanel({ id, token, files }: TerminalPanelProps) {
  const host = useRef<HTMLDivElement>(null);
  const mirror = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const dark = matchMedia('(prefers-color-scheme: dark)');
    const term = new Terminal({
      convertEol: true,
      cursorBlink: true,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 13,
      scrollback: 5000,
      theme: dark.matches ? DARK : LIGHT,
      screenReaderMode: false,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    refit();
    const resize = new ResizeObserver(refit);
    resize.observe(el);
    const onScheme = () => (term.options.theme = dark.matches ? DARK : LIGHT);
    dark.addEventListener('change', onScheme);

    const base = `/s/${encodeURIComponent(id)}/k8s`;
    // cluster-info prints the server of the kubeconfig this page hands out (over http the token is in its path).
    const serverUrl =
      location.protocol === 'http:' ? `${location.origin}${base}/t/${encodeURIComponent(token)}` : `${location.origin}${base}`;
    // Writes from the terminal carry the person's name, so the activity feed says who did them.
    const named: FetchLike = (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), ...nameHeaders() } });
    const kubectl = new Kubectl({ base, token, files: files ?? NO_FILES, serverUrl, fetch: named });
    let abort: AbortController | null = null;
    let output = '';
    const setMirror = (state: 'idle' | 'running') => {
      const m = mirror.current;
      if (!m) return;
      m.textContent = output;
      m.dataset.state = state;
    };

    const editor = new LineEditor(
      {
        write: (data) => term.write(data),
        cols: () => term.cols,
        clear: () => term.clear(),
        interrupt: () => {
          term.write('^C\r\n');
          abort?.abort();
        },
        complete: (before) => kubectl.complete(before),
        submit: (line) => {
          const words = line.trim().split(/\s+/);
          output = '';
          setMirror('running');
          const done = (code: number) => {
            abort = null;
            void code;
            setMirror('idle');
            editor.prompt();
          };
          if (words[0] === 'clear') {
            term.clear();
            return done(0);
          }
          if (words[0] === 'help') {
            const text = 'Type kubectl commands, e.g. "kubectl get pods -o wide" or "kubectl describe node node-1".\nTab completes commands, kinds and names; Up/Down recall history; Ctrl-C stops a watch or a follow.\n';
            term.write(text);
            output = text;
            return done(0);
          }
          if (words[0] !== 'kubectl' && words[0] !== 'k') {
            const text = `${words[0]}: command not found (this terminal runs kubectl)\n`;
            term.write(text);
            output = text;
            return done(127);
          }
          abort = new AbortController();
          const write = (text: string) => {
            output += text;
            term.write(text);
          };
          kubectl
            .run(line, { stdout: write, stderr: write, signal: abort.signal })
            .catch((e: unknown) => {
              write(`error: ${(e as Error).message}\n`);
              return 1;
            })
            .then(done);
        },
      },
      loadHistory(id),
      (history) => saveHistory(id, history),
    );
    term.onData((data) => editor.input(data));
    term.attachCustomKeyEventHandler((e) => {
      // Ctrl-Shift-C / Cmd-C with a selection copies; Ctrl-Shift-V / Cmd-V pastes (the browser's paste event).
      if (e.type === 'keydown' && (e.key === 'C' || e.key === 'c') && (e.metaKey || (e.ctrlKey && e.shiftKey)) && term.hasSelection()) {
        void navigator.clipboard?.writeText(term.getSelection()).catch(() => {});
        return false;
      }
      if (e.type === 'keydown' && (e.key === 'V' || e.key === 'v') && e.ctrlKey && e.shiftKey) return false;
      // Tab completes inside the terminal; Escape hands the keyboard back to the page (no focus trap).
      if (e.type === 'keydown' && e.key === 'Escape') {
        term.blur();
        return false;
      }
      return true;
    });
    term.write('Kuberoom terminal: type kubectl commands (Tab completes, Up/Down history, Ctrl-C stops, Esc leaves).\r\n');
    editor.prompt();
    (window as unknown as { kuberoomTerminal?: unknown }).kuberoomTerminal = {
      text: () => bufferText(term),
      focus: () => term.focus(),
      prompt: PROMPT,
    };
    setMirror('idle');

    return () => {
      abort?.abort();
      resize.disconnect();
      dark.removeEventListener('change', onScheme);
      term.dispose();
    };
  }, [id, token, files]);

  return (
    <section class="card terminal-card" aria-labelledby="terminal-title" data-testid="terminal">
      <header class="card-head">
        <h2 id="terminal-title">Terminal</h2>
        <span class="muted terminal-hint">kubectl against this sandbox · Esc leaves the terminal</span>
      </header>
      <div class="terminal-host" ref={host} role="group" aria-label="kubectl terminal" />
      <pre class="terminal-mirror" ref={mirror} data-testid="terminal-output" aria-hidden="true" />
    </section>
  );
}
