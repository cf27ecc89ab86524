/**
 * Server-side printing: turns objects into a `meta.k8s.io/v1` Table, as the API server answers
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` sends).
 */
import type { ResourceInfo } from '../resources.ts';
import type { KObject } from '../types.ts';
import type { TableColumnDefinition } from './format.ts';
import { DEFAULT_PRINTER, PRINTERS, SCALE_PRINTER, type Printer } from './printers.ts';

export { podStatusReason, podSummary, type PodSummary } from './pod.ts';
export { nodeRoles, nodeStatus } from './printers.ts';
export type { TableColumnDefinition } from './format.ts';

export interface TableRow {
  cells: unknown[];
  conditions?: Record<string, unknown>[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** null when headers were not asked for (watch events after the first) */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

export interface TableOptions {
  /** what each row carries: nothing, the object's metadata (default) or the whole object */
  includeObject?: 'None' | 'Metadata' | 'Object';
  /** omit the column definitions (the API server does on every watch event but the first) */
  noHeaders?: boolean;
  /** the list's metadata (resourceVersion, continue, remainingItemCount) */
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** the table of a subresource (only `scale` has its own printer) */
  subresource?: string;
}

export function printerFor(info: ResourceInfo, subresource?: string): Printer {
  if (subresource === 'scale') return SCALE_PRINTER;
  return PRINTERS[`${info.group}/${info.resource}`] ?? DEFAULT_PRINTER;
}

/** The column definitions of a resource's table. */
export function columnsFor(info: ResourceInfo, subresource?: string): TableColumnDefinition[] {
  return printerFor(info, subresource).columns;
}

/** Builds the Table for `objects` (a list's items, or one object) at virtual time `nowMs`. */
export function toTable(info: ResourceInfo, objects: KObject[], nowMs: number, opts: TableOptions = {}): Table {
  const printer = printerFor(info, opts.subresource);
  const include = opts.includeObject ?? 'Metadata';
  const rows = objects.map((o) => {
    const row: TableRow = { cells: printer.row(o, nowMs) };
    const conditions = printer.conditions?.(o);
    if (conditions) row.conditions = conditions;
    if (include === 'Object') row.object = o;
    else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.listMeta) {
    if (opts.listMeta.resourceVersion) metadata.resourceVersion = opts.listMeta.resourceVersion;
    if (opts.listMeta.continue) metadata.continue = opts.listMeta.continue;
    if (opts.listMeta.remainingItemCount !== undefined) metadata.remainingItemCount = opts.listMeta.remainingItemCount;
  } else if (objects.length === 1 && objects[0].metadata.resourceVersion) {
    metadata.resourceVersion = objects[0].metadata.resourceVersion;
  }
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? null : printer.columns,
    rows,
  };
}
