// A tiny Markdown renderer for scenario tasks and hints: paragraphs, lists, headings, `code`, **bold**, *emphasis*
// and fenced code blocks. It builds elements, never HTML: whatever a scenario file holds is shown as text.
import type { ComponentChildren, VNode } from 'preact';

/** Inline Markdown: `code`, **bold**, *emphasis* (no links, no HTML). */
export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let k = 0;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code key={k++}>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong key={k++}>{inline(m[2])}</strong>);
    else out.push(<em key={k++}>{m[3]}</em>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const FENCE = /^\s*(```|~~~)/;

/** Block Markdown to elements. */
export function Markdown({ text, class: cls }: { text: string; class?: string }) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: VNode[] = [];
  let i = 0;
  let k = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!);
      i++; // the closing fence
      blocks.push(
        <pre key={k++} class="md-code">
          <code>{body.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push(
        <p key={k++} class="md-heading">
          <strong>{inline(heading[2]!)}</strong>
        </p>,
      );
      i++;
      continue;
    }
    const list = BULLET.test(line) ? BULLET : NUMBERED.test(line) ? NUMBERED : null;
    if (list) {
      const items: string[] = [];
      while (i < lines.length && lines[i]!.trim()) {
        const item = list.exec(lines[i]!);
        if (item) items.push(item[1]!);
        else if (items.length && !FENCE.test(lines[i]!)) items[items.length - 1] += ` ${lines[i]!.trim()}`;
        else break;
        i++;
      }
      const children = items.map((t, j) => <li key={j}>{inline(t)}</li>);
      blocks.push(list === BULLET ? <ul key={k++}>{children}</ul> : <ol key={k++}>{children}</ol>);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() && !FENCE.test(lines[i]!) && !HEADING.test(lines[i]!) && !BULLET.test(lines[i]!) && !NUMBERED.test(lines[i]!)) para.push(lines[i++]!.trim());
    blocks.push(<p key={k++}>{inline(para.join(' '))}</p>);
  }
  return <div class={`md ${cls ?? ''}`.trim()}>{blocks}</div>;
}
