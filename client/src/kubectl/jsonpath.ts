/**
 * kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath): text with `{...}` actions; fields,
 * `[n]`, `[a:b]`, `[*]`, `..name`, `['key']`, filters `[?(@.a=="x")]`, `{range ...}{end}`, string literals.
 * Missing keys print nothing (kubectl allows missing keys for -o jsonpath).
 */
import { isObj } from './util.ts';

type Step =
  | { t: 'field'; name: string }
  | { t: 'recursive'; name: string }
  | { t: 'all' }
  | { t: 'index'; start: number | null; end: number | null; step: number | null; single: boolean }
  | { t: 'filter'; left: Step[]; op: string | null; right: Step[] | { lit: unknown } | null };

type Node =
  | { t: 'text'; text: string }
  | { t: 'path'; steps: Step[] }
  | { t: 'lit'; text: string }
  | { t: 'range'; steps: Step[]; body: Node[] };

export class JsonPathError extends Error {}

/** Parses a template; throws JsonPathError with kubectl-like wording on bad syntax. */
export function parseTemplate(template: string): Node[] {
  const actions: ({ t: 'text'; text: string } | { t: 'action'; src: string })[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      actions.push({ t: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) actions.push({ t: 'text', text: template.slice(i, open) });
    // find the matching close, skipping quoted strings
    let j = open + 1;
    let quote: string | null = null;
    for (; j < template.length; j++) {
      const c = template[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}') break;
    }
    if (j >= template.length) throw new JsonPathError(`unclosed action`);
    actions.push({ t: 'action', src: template.slice(open + 1, j).trim() });
    i = j + 1;
  }
  // Build the tree (range ... end).
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const a of actions) {
    const cur = stack[stack.length - 1]!;
    if (a.t === 'text') {
      cur.push(a);
      continue;
    }
    const src = a.src;
    if (src === 'end') {
      if (stack.length === 1) throw new JsonPathError('not in range, nothing to end');
      stack.pop();
    } else if (src.startsWith('range ')) {
      const node: Node = { t: 'range', steps: parsePath(src.slice(6).trim()), body: [] };
      cur.push(node);
      stack.push(node.body);
    } else if (/^"(?:[^"\\]|\\.)*"$/.test(src) || /^'(?:[^'\\]|\\.)*'$/.test(src)) {
      cur.push({ t: 'lit', text: unquote(src) });
    } else {
      cur.push({ t: 'path', steps: parsePath(src) });
    }
  }
  if (stack.length !== 1) throw new JsonPathError('unclosed range');
  return root;
}

function unquote(s: string): string {
  const body = s.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function parsePath(src: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  if (src[0] === '$' || src[0] === '@') i = 1;
  const readName = (): string => {
    let name = '';
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\' && i + 1 < src.length) {
        name += src[i + 1];
        i += 2;
        continue;
      }
      if (c === '.' || c === '[' || c === ' ' || c === ')') break;
      name += c;
      i++;
    }
    return name;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '.') {
      if (src[i + 1] === '.') {
        i += 2;
        steps.push({ t: 'recursive', name: readName() });
        continue;
      }
      i++;
      if (src[i] === '*') {
        i++;
        steps.push({ t: 'all' });
        continue;
      }
      const name = readName();
      if (name) steps.push({ t: 'field', name });
    } else if (c === '[') {
      let depth = 0;
      let j = i;
      let quote: string | null = null;
      for (; j < src.length; j++) {
        const d = src[j]!;
        if (quote) {
          if (d === quote) quote = null;
        } else if (d === '"' || d === "'") quote = d;
        else if (d === '[') depth++;
        else if (d === ']' && --depth === 0) break;
      }
      if (j >= src.length) throw new JsonPathError(`unterminated array`);
      const inner = src.slice(i + 1, j).trim();
      i = j + 1;
      if (inner === '*') steps.push({ t: 'all' });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ t: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1).trim()));
      else {
        const m = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?$/.exec(inner);
        if (!m) throw new JsonPathError(`invalid array index ${inner}`);
        const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
        steps.push({ t: 'index', start: num(m[1]), end: num(m[2]), step: num(m[3]), single: m[2] === undefined });
      }
    } else if (c === ' ') i++;
    else throw new JsonPathError(`unrecognized character in action: U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} '${c}'`);
  }
  return steps;
}

function parseFilter(src: string): Step {
  const m = /^(.*?)\s*(==|!=|<=|>=|<|>|=~)\s*(.*)$/.exec(src);
  if (!m) return { t: 'filter', left: parsePath(src), op: null, right: null };
  const rightSrc = m[3]!.trim();
  let right: Step[] | { lit: unknown };
  if (/^'.*'$|^".*"$/.test(rightSrc)) right = { lit: rightSrc.slice(1, -1) };
  else if (/^-?\d+(\.\d+)?$/.test(rightSrc)) right = { lit: Number(rightSrc) };
  else if (rightSrc === 'true' || rightSrc === 'false') right = { lit: rightSrc === 'true' };
  else right = parsePath(rightSrc);
  return { t: 'filter', left: parsePath(m[1]!.trim()), op: m[2]!, right };
}

function evalSteps(values: unknown[], steps: Step[], root: unknown): unknown[] {
  let cur = values;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (step.t) {
        case 'field':
          if (isObj(v) && step.name in v) next.push(v[step.name]);
          break;
        case 'recursive':
          collectRecursive(v, step.name, next);
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (isObj(v)) for (const k of Object.keys(v).sort()) next.push(v[k]);
          break;
        case 'index': {
          if (!Array.isArray(v)) break;
          const len = v.length;
          if (step.single) {
            let idx = step.start ?? 0;
            if (idx < 0) idx += len;
            if (idx >= 0 && idx < len) next.push(v[idx]);
            else throw new JsonPathError(`array index out of bounds: index ${step.start}, length ${len}`);
            break;
          }
          let s = step.start ?? 0;
          let e = step.end ?? len;
          if (s < 0) s += len;
          if (e < 0) e += len;
          s = Math.max(0, Math.min(s, len));
          e = Math.max(0, Math.min(e, len));
          const by = step.step ?? 1;
          for (let k = s; k < e; k += by > 0 ? by : 1) next.push(v[k]);
          break;
        }
        case 'filter': {
          const items = Array.isArray(v) ? v : isObj(v) ? Object.values(v) : [];
          for (const item of items) if (matches(item, step, root)) next.push(item);
          break;
        }
      }
    }
    cur = next;
  }
  return cur;
}

function collectRecursive(v: unknown, name: string, out: unknown[]): void {
  if (isObj(v)) {
    if (name && name in v) out.push(v[name]);
    for (const k of Object.keys(v).sort()) collectRecursive(v[k], name, out);
  } else if (Array.isArray(v)) for (const x of v) collectRecursive(x, name, out);
}

function matches(item: unknown, f: Extract<Step, { t: 'filter' }>, root: unknown): boolean {
  const left = evalSteps([item], f.left, root);
  if (f.op === null) return left.length > 0;
  const right = f.right && 'lit' in f.right ? [f.right.lit] : evalSteps([item], (f.right ?? []) as Step[], root);
  if (left.length === 0 || right.length === 0) return false;
  const a = left[0];
  const b = right[0];
  switch (f.op) {
    case '==': return a === b || String(a) === String(b);
    case '!=': return !(a === b || String(a) === String(b));
    case '<': return Number(a) < Number(b);
    case '>': return Number(a) > Number(b);
    case '<=': return Number(a) <= Number(b);
    case '>=': return Number(a) >= Number(b);
    case '=~': return new RegExp(String(b)).test(String(a));
  }
  return false;
}

/** How jsonpath prints one value: strings raw, objects and arrays as compact JSON. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Evaluates a template against data. */
export function execute(template: string | Node[], data: unknown): string {
  const nodes = typeof template === 'string' ? parseTemplate(template) : template;
  let out = '';
  const run = (list: Node[], cur: unknown) => {
    for (const n of list) {
      if (n.t === 'text' || n.t === 'lit') out += n.text;
      else if (n.t === 'path') {
        const start = n.steps.length === 0 ? [cur] : [cur];
        out += evalSteps(start, n.steps, data).map(valueText).join(' ');
      } else {
        for (const item of evalSteps([cur], n.steps, data)) run(n.body, item);
      }
    }
  };
  run(nodes, data);
  return out;
}

/** The values of one path expression (for custom-columns and --sort-by). */
export function evaluate(expr: string, data: unknown): unknown[] {
  let src = expr.trim();
  if (src.startsWith('{') && src.endsWith('}')) src = src.slice(1, -1);
  if (!src.startsWith('.') && !src.startsWith('$') && !src.startsWith('@') && !src.startsWith('[')) src = `.${src}`;
  return evalSteps([data], parsePath(src), data);
}
