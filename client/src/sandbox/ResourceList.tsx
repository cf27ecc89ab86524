// Lists of every kind like `kubectl get`: the server's Table columns (as=Table), a kind picker and a
// namespace filter; live through a watch of the kind (each change refetches the table, at most twice a second).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { TABLE_ACCEPT, collectionPath, type ApiResource } from '../kubectl/api';
import type { Table } from '../kubectl/printers';
import { isObj, type Obj } from '../kubectl/util';
import { apiClient, errorText, listAndWatch } from './k8s';
import { memo } from './memo';
import type { OnSelect } from './ClusterBoard';

const ALL = '';

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') {
    const nl = cell.indexOf('\n');
    return nl >= 0 ? `${cell.slice(0, nl)}...` : cell;
  }
  return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}

/** The listable kinds, most used first as kubectl users think of them, then by name. */
const FIRST = ['pods', 'deployments', 'replicasets', 'services', 'endpointslices', 'nodes', 'events', 'configmaps', 'secrets', 'namespaces'];

function listable(resources: ApiResource[]): ApiResource[] {
  const out = resources.filter((r) => !r.resource.includes('/') && r.verbs.includes('list') && !(r.group === 'events.k8s.io'));
  const rank = (r: ApiResource) => {
    const i = FIRST.indexOf(r.resource);
    return i < 0 ? FIRST.length : i;
  };
  return out.sort((a, b) => rank(a) - rank(b) || a.kind.localeCompare(b.kind));
}

const resKey = (r: ApiResource) => (r.group ? `${r.resource}.${r.group}` : r.resource);

interface Row {
  key: string;
  namespace: string;
  name: string;
  cells: string[];
}

const TableRowView = memo(function TableRowView({ row, withNs, kind }: { row: Row; withNs: boolean; kind: string }) {
  return (
    <tr data-testid="resource-row" data-name={row.name} data-namespace={row.namespace}>
      {withNs && <td>{row.namespace}</td>}
      {row.cells.map((c, i) =>
        i === 0 ? (
          <td key={i}>
            <button type="button" class="linkish" data-open={`${kind}/${row.namespace}/${row.name}`}>
              {c}
            </button>
          </td>
        ) : (
          <td key={i}>{c}</td>
        ),
      )}
    </tr>
  );
}, (a, b) => a.withNs === b.withNs && a.kind === b.kind && a.row.cells.join('\t') === b.row.cells.join('\t') && a.row.key === b.row.key);

export function ResourceList({ id, token, onSelect }: { id: string; token: string; onSelect: OnSelect }) {
  const api = apiClient(id, token);
  const [resources, setResources] = useState<ApiResource[]>([]);
  const [kind, setKind] = useState('pods');
  const [namespace, setNamespace] = useState<string>(ALL);
  const [namespaces, setNamespaces] = useState<string[]>([]);
  const [table, setTable] = useState<{ columns: string[]; rows: Row[]; withNs: boolean; kind: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.resources().then((all) => setResources(listable(all)), (e) => setError(errorText(e)));
    api.json('/api/v1/namespaces').then(
      (l) => setNamespaces(((l.items ?? []) as Obj[]).map((n) => String(n.metadata?.name)).sort()),
      () => {},
    );
  }, [api]);

  const r = useMemo(() => resources.find((x) => resKey(x) === kind), [resources, kind]);

  useEffect(() => {
    if (!r) return;
    const ctl = new AbortController();
    const ns = r.namespaced ? namespace : '';
    const path = collectionPath(r, ns);
    const withNs = r.namespaced && ns === ALL;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const load = async (): Promise<string> => {
      const t = (await api.json(path, { accept: TABLE_ACCEPT, query: { limit: 500 }, signal: ctl.signal })) as unknown as Table & { metadata?: Obj };
      const cols = t.columnDefinitions.map((c, i) => ({ ...c, i })).filter((c) => !c.priority);
      const rows = t.rows.map((row): Row => {
        const meta: Obj = isObj(row.object?.metadata) ? row.object!.metadata : {};
        return {
          key: String(meta.uid ?? `${meta.namespace}/${meta.name}`),
          namespace: String(meta.namespace ?? ''),
          name: String(meta.name ?? ''),
          cells: cols.map((c) => cellText(row.cells[c.i])),
        };
      });
      if (!ctl.signal.aborted) {
        setTable({ columns: [...(withNs ? ['NAMESPACE'] : []), ...cols.map((c) => c.name.toUpperCase())], rows, withNs, kind: r.kind });
        setError(null);
      }
      last = Date.now();
      return String(t.metadata?.resourceVersion ?? '');
    };
    const refetch = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        load().catch((e) => !ctl.signal.aborted && setError(errorText(e)));
      }, Math.max(0, 500 - (Date.now() - last)));
    };
    setTable(null);
    if (r.verbs.includes('watch')) {
      void listAndWatch(api, path, load, refetch, ctl.signal).catch(() => {});
    } else {
      load().catch((e) => setError(errorText(e)));
    }
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [r, namespace, api]);

  return (
    <section class="card resources" aria-labelledby="resources-title" data-testid="resources">
      <header class="card-head">
        <h2 id="resources-title">Resources</h2>
        <div class="filters">
          <label>
            Kind{' '}
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value)} data-testid="kind-picker">
              {resources.length === 0 && <option value="pods">Pod</option>}
              {resources.map((x) => (
                <option key={resKey(x)} value={resKey(x)}>
                  {x.kind}
                  {x.group ? ` (${x.group})` : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            Namespace{' '}
            <select value={namespace} onChange={(e) => setNamespace(e.currentTarget.value)} disabled={r ? !r.namespaced : false} data-testid="namespace-picker">
              <option value={ALL}>all namespaces</option>
              {namespaces.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!table ? (
        !error && <p class="placeholder">Loading…</p>
      ) : table.rows.length === 0 ? (
        <p class="empty" data-testid="resources-empty">
          {r?.namespaced && namespace ? `No resources found in ${namespace} namespace.` : 'No resources found'}
        </p>
      ) : (
        <div
          class="table-wrap"
          onClick={(e) => {
            const key = (e.target as Element).closest?.('[data-open]')?.getAttribute('data-open');
            if (!key) return;
            const a = key.indexOf('/');
            const b = key.indexOf('/', a + 1);
            onSelect({ kind: key.slice(0, a), namespace: key.slice(a + 1, b), name: key.slice(b + 1) });
          }}
        >
          <table class="ktable" data-testid="resource-table">
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <TableRowView key={row.key} row={row} withNs={table.withNs} kind={table.kind} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
