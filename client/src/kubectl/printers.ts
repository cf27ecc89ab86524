/** kubectl's printers: the human-readable table, -o yaml/json/name/jsonpath/custom-columns. */
import { stringify } from 'yaml';
import { evaluate, execute, valueText } from './jsonpath.ts';
import { tabwrite } from './tabwriter.ts';
import { isObj, sortKeys, type Obj } from './util.ts';

export interface TableOptions {
  wide?: boolean;
  noHeaders?: boolean;
  withNamespace?: boolean;
  showLabels?: boolean;
  labelColumns?: string[];
  /** prefix for the name column, e.g. "pod/" when several kinds are printed */
  kindPrefix?: string;
}

export interface TableColumn {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  object?: Obj;
}

export interface Table {
  columnDefinitions: TableColumn[];
  rows: TableRow[];
  metadata?: Obj;
}

export const formatLabels = (labels: unknown): string => {
  if (!isObj(labels) || Object.keys(labels).length === 0) return '<none>';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
};

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') {
    const nl = cell.indexOf('\n');
    return nl >= 0 ? `${cell.slice(0, nl)}...` : cell;
  }
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return JSON.stringify(cell);
}

/** The header line and row lines of a Table, tab-separated (before the tabwriter). */
export function tableLines(table: Table, opts: TableOptions, header = true): string[] {
  const cols = table.columnDefinitions.map((c, i) => ({ ...c, i })).filter((c) => opts.wide || !c.priority);
  const lines: string[] = [];
  if (header && !opts.noHeaders) {
    const h: string[] = [];
    if (opts.withNamespace) h.push('NAMESPACE');
    for (const c of cols) h.push(c.name.toUpperCase());
    for (const l of opts.labelColumns ?? []) h.push(labelColumnHeader(l));
    if (opts.showLabels) h.push('LABELS');
    lines.push(h.join('\t'));
  }
  for (const row of table.rows) {
    const meta: Obj = isObj(row.object?.metadata) ? row.object!.metadata : {};
    const r: string[] = [];
    if (opts.withNamespace) r.push(String(meta.namespace ?? ''));
    for (const c of cols) {
      let text = cellText(row.cells[c.i]);
      if (c.format === 'name' && opts.kindPrefix) text = opts.kindPrefix + text;
      r.push(text);
    }
    for (const l of opts.labelColumns ?? []) r.push(isObj(meta.labels) && l in meta.labels ? String(meta.labels[l]) : '');
    if (opts.showLabels) r.push(formatLabels(meta.labels));
    lines.push(r.join('\t'));
  }
  return lines;
}

function labelColumnHeader(key: string): string {
  const slash = key.lastIndexOf('/');
  return (slash >= 0 ? key.slice(slash + 1) : key).toUpperCase();
}

/** kubectl's tabwriter for tables: minwidth 6, padding 3. */
export const tableWrite = (lines: string[]): string => (lines.length ? tabwrite(lines.join('\n') + '\n', { minwidth: 6, padding: 3 }) : '');

export function printTable(table: Table, opts: TableOptions): string {
  return tableWrite(tableLines(table, opts));
}

/** kubectl -o yaml: sigs.k8s.io/yaml (go-yaml v2): sorted keys, block style, "- " lists at the key's indent. */
export function toYaml(obj: unknown): string {
  return stringify(sortKeys(obj), {
    version: '1.1',
    indentSeq: false,
    lineWidth: 0,
    singleQuote: false,
    defaultStringType: 'PLAIN',
    defaultKeyType: 'PLAIN',
    nullStr: 'null',
    trueStr: 'true',
    falseStr: 'false',
    aliasDuplicateObjects: false,
  });
}

/** kubectl -o json: sorted keys, four-space indent. */
export const toJson = (obj: unknown): string => `${JSON.stringify(sortKeys(obj), null, 4)}\n`;

/** custom-columns=HEADER:expr,... */
export function printCustomColumns(spec: string, objects: Obj[], noHeaders: boolean): string {
  const cols = spec.split(',').map((part) => {
    const idx = part.indexOf(':');
    if (idx < 0) throw new Error(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, idx), expr: part.slice(idx + 1) };
  });
  const lines: string[] = [];
  if (!noHeaders) lines.push(cols.map((c) => c.header).join('\t'));
  for (const o of objects) {
    lines.push(
      cols
        .map((c) => {
          const vals = evaluate(c.expr, o);
          return vals.length === 0 ? '<none>' : vals.map(valueText).join(',');
        })
        .join('\t'),
    );
  }
  return tableWrite(lines);
}

export const jsonpathPrint = (template: string, data: unknown): string => execute(template, data);
