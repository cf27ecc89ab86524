/**
 * A kubectl emulator for the browser: parses a kubectl command line like kubectl 1.32, calls the sandbox's
 * Kubernetes API with the requests kubectl sends, and prints what kubectl prints. No DOM: it runs in Node
 * for the tests, and the terminal UI is a thin layer over it.
 */
import { parseAllDocuments } from 'yaml';
import { FlagError, flagAll, flagBool, flagStr, parseFlags, splitCommandLine, type FlagSpec, type Parsed } from './args.ts';
import {
  ApiClient,
  StatusError,
  TABLE_ACCEPT,
  collectionPath,
  groupVersion,
  kindGroup,
  objectPath,
  resourceGroup,
  serverErrorText,
  type ApiResource,
  type FetchLike,
} from './api.ts';
import { describeDeployment, describeGeneric, describeNode, describePod, describeService, selectorString } from './describe.ts';
import { JsonPathError } from './jsonpath.ts';
import { evaluate } from './jsonpath.ts';
import { jsonpathPrint, printCustomColumns, tableLines, tableWrite, toJson, toYaml, type Table } from './printers.ts';
import { isObj, type Obj } from './util.ts';

export interface KubectlIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** aborted by Ctrl-C: stops a watch, a follow, a wait */
  signal?: AbortSignal;
}

/** Where `-f NAME` reads from (the room's shared files, later). */
export interface FileSource {
  read(name: string): Promise<string | null>;
  list?(): Promise<string[]>;
}

export interface KubectlOptions {
  /** the API's base URL, e.g. `/s/<id>/k8s` or `http://host/s/<id>/k8s` */
  base: string;
  token: string;
  fetch?: FetchLike;
  files?: FileSource;
  /** wall clock for ages kubectl computes itself (describe); default Date.now */
  now?: () => number;
  /** the server URL cluster-info prints; default: base */
  serverUrl?: string;
  /** real-time sleep between polls (ms) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

class CmdError extends Error {}

const COMMON: FlagSpec[] = [
  { name: 'namespace', short: 'n', value: true },
  { name: 'all-namespaces', short: 'A', value: false },
  { name: 'output', short: 'o', value: true },
  { name: 'selector', short: 'l', value: true },
  { name: 'field-selector', value: true },
  { name: 'watch', short: 'w', value: false },
  { name: 'watch-only', value: false },
  { name: 'show-labels', value: false },
  { name: 'sort-by', value: true },
  { name: 'no-headers', value: false },
  { name: 'label-columns', short: 'L', value: true, repeat: true },
  { name: 'filename', short: 'f', value: true, repeat: true },
  { name: 'recursive', short: 'R', value: false },
  { name: 'container', short: 'c', value: true },
  { name: 'follow', value: false },
  { name: 'tail', value: true },
  { name: 'previous', short: 'p', value: false },
  { name: 'timestamps', value: false },
  { name: 'image', value: true },
  { name: 'replicas', value: true },
  { name: 'port', value: true },
  { name: 'labels', value: true },
  { name: 'env', value: true, repeat: true },
  { name: 'restart', value: true },
  { name: 'command', value: false },
  { name: 'overwrite', value: false },
  { name: 'all', value: false },
  { name: 'grace-period', value: true },
  { name: 'force', value: false },
  { name: 'now', value: false },
  { name: 'wait', value: false },
  { name: 'timeout', value: true },
  { name: 'dry-run', value: true },
  { name: 'from-literal', value: true, repeat: true },
  { name: 'show-events', value: false },
  { name: 'kubeconfig', value: true },
  { name: 'context', value: true },
  { name: 'request-timeout', value: true },
  { name: 'v', short: 'v', value: true },
  { name: 'chunk-size', value: true },
  { name: 'ignore-not-found', value: false },
  { name: 'api-group', value: true },
  { name: 'namespaced', value: true },
  { name: 'field-manager', value: true },
  { name: 'validate', value: true },
  { name: 'since', value: true },
  { name: 'revision', value: true },
  { name: 'help', short: 'h', value: false },
  { name: 'target-port', value: true },
  { name: 'protocol', value: true },
  { name: 'type', value: true },
  { name: 'name', value: true },
];

export const COMMANDS = [
  'annotate',
  'api-resources',
  'api-versions',
  'apply',
  'cluster-info',
  'create',
  'delete',
  'describe',
  'explain',
  'expose',
  'get',
  'label',
  'logs',
  'rollout',
  'run',
  'scale',
  'set',
  'version',
];

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

interface Target {
  r: ApiResource;
  names: string[];
}

export class Kubectl {
  readonly api: ApiClient;
  private readonly files: FileSource | undefined;
  private readonly now: () => number;
  private readonly serverUrl: string;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private version: Obj | null = null;

  constructor(opts: KubectlOptions) {
    this.api = new ApiClient(opts.base, opts.token, opts.fetch);
    this.files = opts.files;
    this.now = opts.now ?? (() => Date.now());
    this.serverUrl = opts.serverUrl ?? opts.base;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** Runs one command line (with or without the leading "kubectl"); returns the exit code. */
  async run(line: string | string[], io: KubectlIO): Promise<number> {
    let argv: string[];
    try {
      argv = typeof line === 'string' ? splitCommandLine(line) : line;
    } catch (e) {
      io.stderr(`error: ${(e as Error).message}\n`);
      return 1;
    }
    if (argv[0] === 'kubectl' || argv[0] === 'k') argv = argv.slice(1);
    if (argv.length === 0) {
      io.stdout('kubectl controls the Kubernetes cluster manager.\n\nCommands: ' + COMMANDS.join(', ') + '\n');
      return 0;
    }
    const [cmd, ...rest] = argv;
    let p: Parsed;
    try {
      p = parseFlags(rest, COMMON);
    } catch (e) {
      if (e instanceof FlagError) {
        if (!COMMANDS.includes(cmd!)) return this.unknown(cmd!, io);
        io.stderr(`Error: ${e.message}\nSee 'kubectl ${cmd} --help' for usage.\n`);
        return 1;
      }
      throw e;
    }
    try {
      switch (cmd) {
        case 'get':
          return await this.get(p, io);
        case 'describe':
          return await this.describe(p, io);
        case 'logs':
          return await this.logs(p, io);
        case 'run':
          return await this.runPod(p, io);
        case 'create':
          return await this.create(p, io);
        case 'apply':
          return await this.apply(p, io);
        case 'delete':
          return await this.delete(p, io);
        case 'scale':
          return await this.scale(p, io);
        case 'expose':
          return await this.expose(p, io);
        case 'label':
          return await this.labelOrAnnotate(p, io, 'labels');
        case 'annotate':
          return await this.labelOrAnnotate(p, io, 'annotations');
        case 'set':
          return await this.set(p, io);
        case 'rollout':
          return await this.rollout(p, io);
        case 'api-resources':
          return await this.apiResources(p, io);
        case 'api-versions':
          return await this.apiVersions(io);
        case 'version':
          return await this.versionCmd(io);
        case 'cluster-info':
          return await this.clusterInfo(io);
        case 'explain':
          io.stderr('error: explain is not available in this terminal yet; use the real kubectl with the sandbox\'s kubeconfig\n');
          return 1;
        default:
          return this.unknown(cmd!, io);
      }
    } catch (e) {
      if (io.signal?.aborted) return 130;
      if (e instanceof StatusError) io.stderr(`${serverErrorText(e)}\n`);
      else if (e instanceof CmdError || e instanceof JsonPathError) io.stderr(`${e.message}\n`);
      else io.stderr(`error: ${(e as Error).message}\n`);
      return 1;
    }
  }

  private unknown(cmd: string, io: KubectlIO): number {
    io.stderr(`Error: unknown command "${cmd}" for "kubectl"\n`);
    return 1;
  }

  // ---- resource resolution --------------------------------------------------------------------------

  async resolve(token: string): Promise<ApiResource> {
    const all = await this.api.resources();
    const t = token.toLowerCase();
    const dot = t.indexOf('.');
    const name = dot >= 0 ? t.slice(0, dot) : t;
    const groupPart = dot >= 0 ? t.slice(dot + 1) : null;
    const matchesGroup = (r: ApiResource) => {
      if (groupPart === null) return true;
      // "deployments.apps", "deployments.v1.apps", "pods.v1."
      return groupPart === r.group || groupPart === `${r.version}.${r.group}` || (groupPart === `${r.version}.` && r.group === '') || (groupPart === r.version && r.group === '');
    };
    const tests: ((r: ApiResource) => boolean)[] = [
      (r) => r.resource === name,
      (r) => r.singular === name,
      (r) => r.shortNames.includes(name),
      (r) => r.kind.toLowerCase() === name,
    ];
    for (const test of tests) {
      const hit = all.find((r) => test(r) && matchesGroup(r));
      if (hit) return hit;
    }
    throw new CmdError(`error: the server doesn't have a resource type "${token}"`);
  }

  /** kubectl's argument forms: `type name...`, `type/name ...`, `type1,type2`. */
  private async targets(args: string[], opts: { requireName?: boolean } = {}): Promise<Target[]> {
    if (args.length === 0) return [];
    if (args.some((a) => a.includes('/'))) {
      const out: Target[] = [];
      for (const a of args) {
        const slash = a.indexOf('/');
        if (slash < 0) throw new CmdError(`error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
        const r = await this.resolve(a.slice(0, slash));
        const name = a.slice(slash + 1);
        const existing = out.find((t) => t.r === r);
        if (existing) existing.names.push(name);
        else out.push({ r, names: [name] });
      }
      return out;
    }
    const [types, ...names] = args;
    const out: Target[] = [];
    for (const t of types!.split(',').filter(Boolean)) {
      if (t === 'all') {
        for (const r of (await this.api.resources()).filter((x) => x.categories.includes('all'))) out.push({ r, names: [...names] });
        continue;
      }
      out.push({ r: await this.resolve(t), names: [...names] });
    }
    if (opts.requireName && names.length === 0) throw new CmdError('error: resource name may not be empty');
    return out;
  }

  private namespace(p: Parsed): string {
    return flagStr(p, 'namespace') ?? 'default';
  }

  // ---- get --------------------------------------------------------------------------------------------

  private async get(p: Parsed, io: KubectlIO): Promise<number> {
    if (p.args.length === 0 && flagAll(p, 'filename').length === 0) {
      io.stderr(
        'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\n' +
          'error: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\n' +
          "See 'kubectl get -h' for help and examples\n",
      );
      return 1;
    }
    const targets = await this.targets(p.args);
    const allNs = flagBool(p, 'all-namespaces');
    const ns = allNs ? '' : this.namespace(p);
    const output = flagStr(p, 'output') ?? '';
    const wide = output === 'wide';
    const human = output === '' || wide;
    const query = {
      labelSelector: flagStr(p, 'selector'),
      fieldSelector: flagStr(p, 'field-selector'),
    };
    const withKind = targets.length > 1 || (targets.length === 1 && targets[0]!.r.categories.includes('all') && p.args[0] === 'all');
    const errors: string[] = [];
    let exit = 0;

    if (human) {
      const sortBy = flagStr(p, 'sort-by');
      let printed = false;
      let anyRows = false;
      for (const { r, names } of targets) {
        const tables: Table[] = [];
        const q = { ...query, ...(sortBy ? { includeObject: 'Object' } : {}) };
        if (names.length > 0) {
          for (const name of names) {
            try {
              tables.push(await this.api.json<Table>(objectPath(r, ns, name), { accept: TABLE_ACCEPT, query: q }));
            } catch (e) {
              if (!(e instanceof StatusError)) throw e;
              errors.push(serverErrorText(e));
              exit = 1;
            }
          }
        } else {
          tables.push(await this.api.json<Table>(collectionPath(r, ns), { accept: TABLE_ACCEPT, query: { ...q, limit: 500 } }));
        }
        if (tables.length === 0) continue;
        const table: Table = { columnDefinitions: tables[0]!.columnDefinitions, rows: tables.flatMap((t) => t.rows), metadata: tables[0]!.metadata };
        if (sortBy) sortRows(table, sortBy);
        if (table.rows.length === 0) continue;
        anyRows = true;
        const opts = {
          wide,
          noHeaders: flagBool(p, 'no-headers'),
          withNamespace: allNs && r.namespaced,
          showLabels: flagBool(p, 'show-labels'),
          labelColumns: flagAll(p, 'label-columns').flatMap((l) => l.split(',')),
          kindPrefix: withKind ? `${kindGroup(r)}/` : undefined,
        };
        if (printed) io.stdout('\n');
        const lines = tableLines(table, opts);
        const text = tableWrite(lines);
        io.stdout(text);
        printed = true;
        if (flagBool(p, 'watch') && targets.length === 1) {
          for (const e of errors) io.stderr(`${e}\n`);
          return this.watch(r, ns, names, table, opts, lines, query, io);
        }
      }
      if (!anyRows && errors.length === 0) {
        const r0 = targets[0]?.r;
        if (r0 && r0.namespaced && !allNs) io.stderr(`No resources found in ${ns} namespace.\n`);
        else io.stderr('No resources found\n');
        if (flagBool(p, 'watch') && targets.length === 1) {
          const t = targets[0]!;
          const empty = await this.api.json<Table>(collectionPath(t.r, ns), { accept: TABLE_ACCEPT, query: { ...query, limit: 1 } });
          return this.watch(t.r, ns, t.names, { ...empty, rows: [] }, { wide, withNamespace: allNs && t.r.namespaced }, [], query, io);
        }
      }
      for (const e of errors) io.stderr(`${e}\n`);
      return exit;
    }

    // Object output formats.
    const objects: Obj[] = [];
    let single = false;
    for (const { r, names } of targets) {
      if (names.length > 0) {
        for (const name of names) {
          try {
            objects.push(withTypeMeta(await this.api.json(objectPath(r, ns, name)), r));
          } catch (e) {
            if (!(e instanceof StatusError)) throw e;
            errors.push(serverErrorText(e));
            exit = 1;
          }
        }
        if (targets.length === 1 && names.length === 1) single = true;
      } else {
        const list = await this.api.json(collectionPath(r, ns), { query: { ...query, limit: 500 } });
        for (const item of (list.items ?? []) as Obj[]) objects.push(withTypeMeta(item, r));
      }
    }
    const sortBy = flagStr(p, 'sort-by');
    if (sortBy) sortObjects(objects, sortBy);
    const data = single && objects.length === 1 ? objects[0]! : { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
    if (objects.length === 0 && !single && errors.length === 0 && output !== 'json' && output !== 'yaml') {
      const r0 = targets[0]?.r;
      if (r0 && r0.namespaced && !allNs) io.stderr(`No resources found in ${ns} namespace.\n`);
      else io.stderr('No resources found\n');
    }
    if (objects.length > 0 || !single) {
      if (output === 'yaml') io.stdout(toYaml(data));
      else if (output === 'json') io.stdout(toJson(data));
      else if (output === 'name') for (const o of objects) io.stdout(`${nameOf(o, await this.resources())}\n`);
      else if (output.startsWith('jsonpath=') || output.startsWith('jsonpath-as-json=')) {
        const tpl = output.slice(output.indexOf('=') + 1);
        if (objects.length > 0 || !single) io.stdout(jsonpathPrint(tpl, data));
      } else if (output.startsWith('custom-columns=')) io.stdout(printCustomColumns(output.slice('custom-columns='.length), objects, flagBool(p, 'no-headers')));
      else {
        io.stderr(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n`);
        return 1;
      }
    }
    for (const e of errors) io.stderr(`${e}\n`);
    return exit;
  }

  private resources() {
    return this.api.resources();
  }

  private async watch(
    r: ApiResource,
    ns: string,
    names: string[],
    table: Table,
    opts: Parameters<typeof tableLines>[1],
    initialLines: string[],
    query: { labelSelector?: string; fieldSelector?: string },
    io: KubectlIO,
  ): Promise<number> {
    // Column widths from the first print, kept (tabwriter.RememberWidths); a longer cell widens its column.
    const widths: number[] = [];
    for (const l of initialLines) l.split('\t').forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 6, [...c].length + 3)));
    let headerPrinted = initialLines.length > 0;
    const rv = String(table.metadata?.resourceVersion ?? '');
    const fieldSelector = names.length === 1 ? [query.fieldSelector, `metadata.name=${names[0]}`].filter(Boolean).join(',') : query.fieldSelector;
    const res = await this.api.raw(collectionPath(r, ns), {
      accept: TABLE_ACCEPT,
      query: { labelSelector: query.labelSelector, fieldSelector, resourceVersion: rv, watch: 'true' },
      signal: io.signal,
    });
    const reader = res.body?.getReader();
    if (!reader) return 0;
    const decoder = new TextDecoder();
    let buf = '';
    const printLines = (lines: string[]) => {
      let out = '';
      for (const l of lines) {
        const cells = l.split('\t');
        cells.forEach((c, i) => {
          if (i < cells.length - 1) widths[i] = Math.max(widths[i] ?? 6, [...c].length + 3);
        });
        out += cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('') + '\n';
      }
      io.stdout(out);
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          let ev: Obj;
          try {
            ev = JSON.parse(line);
          } catch {
            continue;
          }
          if (ev.type === 'ERROR') {
            io.stderr(`${serverErrorText(new StatusError(ev.object?.code ?? 500, ev.object ?? {}))}\n`);
            return 1;
          }
          if (ev.type === 'BOOKMARK') continue;
          const t = ev.object as Table;
          if (!t?.columnDefinitions && !t?.rows) continue;
          const full: Table = { columnDefinitions: t.columnDefinitions?.length ? t.columnDefinitions : table.columnDefinitions, rows: t.rows ?? [] };
          printLines(tableLines(full, opts, !headerPrinted));
          headerPrinted = true;
        }
      }
    } catch (e) {
      if (io.signal?.aborted) return 0;
      throw e;
    } finally {
      reader.cancel().catch(() => {});
    }
    return 0;
  }

  // ---- describe ---------------------------------------------------------------------------------------

  private async describe(p: Parsed, io: KubectlIO): Promise<number> {
    if (p.args.length === 0) {
      io.stderr('You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.\n');
      return 1;
    }
    const targets = await this.targets(p.args);
    const allNs = flagBool(p, 'all-namespaces');
    const ns = allNs ? '' : this.namespace(p);
    const showEvents = p.flags.has('show-events') ? flagBool(p, 'show-events') : true;
    const objects: { r: ApiResource; o: Obj }[] = [];
    for (const { r, names } of targets) {
      if (names.length > 0) {
        for (const name of names) objects.push({ r, o: await this.api.json(objectPath(r, ns, name)) });
      } else {
        const list = await this.api.json(collectionPath(r, ns), { query: { labelSelector: flagStr(p, 'selector'), limit: 500 } });
        for (const o of (list.items ?? []) as Obj[]) objects.push({ r, o });
        if ((list.items ?? []).length === 0) {
          io.stderr(r.namespaced && !allNs ? `No resources found in ${ns} namespace.\n` : 'No resources found\n');
          return 0;
        }
      }
    }
    let first = true;
    for (const { r, o } of objects) {
      const text = await this.describeOne(r, o, showEvents);
      io.stdout(first ? text : `\n\n${text}`);
      first = false;
    }
    return 0;
  }

  private async events(namespace: string, fields: Record<string, string>): Promise<Obj[]> {
    const fieldSelector = Object.keys(fields)
      .sort()
      .map((k) => `${k}=${fields[k]}`)
      .join(',');
    const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events';
    const list = await this.api.json(path, { query: { fieldSelector, limit: 500 } });
    return (list.items ?? []) as Obj[];
  }

  private async describeOne(r: ApiResource, o: Obj, showEvents: boolean): Promise<string> {
    const meta = o.metadata ?? {};
    const now = this.now();
    if (r.group === '' && r.resource === 'pods') {
      const events = showEvents
        ? await this.events(meta.namespace, { 'involvedObject.name': meta.name, 'involvedObject.namespace': meta.namespace, 'involvedObject.uid': meta.uid }).catch(() => [])
        : null;
      return describePod(o, events, now);
    }
    if (r.group === '' && r.resource === 'nodes') {
      const podList = await this.api.json('/api/v1/pods', {
        query: { fieldSelector: `spec.nodeName=${meta.name},status.phase!=Failed,status.phase!=Succeeded`, limit: 500 },
      });
      let lease: Obj | string;
      try {
        lease = await this.api.json(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(meta.name)}`);
      } catch (e) {
        lease = e instanceof StatusError ? e.message : String(e);
      }
      let events: Obj[] | null = null;
      if (showEvents) {
        const base = { 'involvedObject.kind': 'Node', 'involvedObject.name': meta.name };
        const a = await this.events('', { ...base, 'involvedObject.uid': meta.uid }).catch(() => []);
        const b = await this.events('', { ...base, 'involvedObject.uid': meta.name }).catch(() => []);
        events = [...a, ...b];
      }
      return describeNode(o, (podList.items ?? []) as Obj[], events, lease, now);
    }
    if (r.group === '' && r.resource === 'services') {
      const slices = await this.api
        .json(`/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(meta.namespace)}/endpointslices`, {
          query: { labelSelector: `kubernetes.io/service-name=${meta.name}` },
        })
        .then((l) => (l.items ?? []) as Obj[])
        .catch(() => []);
      const events = showEvents
        ? await this.events(meta.namespace, { 'involvedObject.kind': 'Service', 'involvedObject.name': meta.name, 'involvedObject.namespace': meta.namespace, 'involvedObject.uid': meta.uid }).catch(() => [])
        : null;
      return describeService(o, slices, events, now);
    }
    if (r.group === 'apps' && r.resource === 'deployments') {
      const rsList = await this.api.json(`/apis/apps/v1/namespaces/${encodeURIComponent(meta.namespace)}/replicasets`, {
        query: { labelSelector: selectorString(o.spec?.selector), limit: 500 },
      });
      const owned = ((rsList.items ?? []) as Obj[]).filter((rs) =>
        ((rs.metadata?.ownerReferences ?? []) as Obj[]).some((ref) => ref.controller === true && ref.uid === meta.uid),
      );
      // The new ReplicaSet is the one whose template equals the Deployment's (its pod-template-hash aside).
      const strip = (t: Obj | undefined) => {
        const copy = JSON.parse(JSON.stringify(t ?? {})) as Obj;
        if (isObj(copy.metadata?.labels)) delete copy.metadata.labels['pod-template-hash'];
        return JSON.stringify(sortValue(copy));
      };
      const want = strip(o.spec?.template);
      const byAge = [...owned].sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)));
      const newRS = byAge.find((rs) => strip(rs.spec?.template) === want);
      // All the other ReplicaSets it owns, in the server's list order (kubectl shows scaled-down ones too).
      const oldRSs = owned.filter((rs) => rs !== newRS);
      const events = showEvents
        ? await this.events(meta.namespace, { 'involvedObject.kind': 'Deployment', 'involvedObject.name': meta.name, 'involvedObject.namespace': meta.namespace, 'involvedObject.uid': meta.uid }).catch(() => [])
        : null;
      return describeDeployment(o, oldRSs, newRS ? [newRS] : [], events, now);
    }
    const events = showEvents
      ? await this.events(r.namespaced ? meta.namespace : '', {
          'involvedObject.kind': r.kind,
          'involvedObject.name': meta.name,
          ...(r.namespaced ? { 'involvedObject.namespace': meta.namespace } : {}),
          'involvedObject.uid': meta.uid,
        }).catch(() => [])
      : null;
    return describeGeneric({ ...o, kind: r.kind }, events, now);
  }

  // ---- logs -------------------------------------------------------------------------------------------

  private async logs(p: Parsed, io: KubectlIO): Promise<number> {
    if (p.args.length === 0) {
      io.stderr("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n");
      return 1;
    }
    let podName = p.args[0]!;
    if (podName.includes('/')) {
      const [type, name] = podName.split('/', 2) as [string, string];
      const r = await this.resolve(type);
      if (r.resource !== 'pods') throw new CmdError(`error: cannot get the logs from ${kindGroup(r)}: selector for ${r.resource} is not supported in this terminal yet`);
      podName = name;
    }
    const ns = this.namespace(p);
    let pod: Obj;
    try {
      pod = await this.api.json(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(podName)}`);
    } catch (e) {
      // kubectl logs words a missing pod its own way.
      if (e instanceof StatusError && e.code === 404) throw new CmdError(`error: error from server (NotFound): ${e.message} in namespace "${ns}"`);
      throw e;
    }
    let container = flagStr(p, 'container') ?? p.args[1];
    if (!container) {
      const containers = ((pod.spec?.containers ?? []) as Obj[]).map((c) => c.name as string);
      const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
      container = annotated && containers.includes(annotated) ? annotated : containers[0];
      if (!annotated && containers.length > 1) io.stderr(`Defaulted container "${container}" out of: ${containers.join(', ')}\n`);
    }
    const follow = flagBool(p, 'follow');
    const query: Record<string, string | undefined> = {
      container,
      follow: follow ? 'true' : undefined,
      previous: flagBool(p, 'previous') ? 'true' : undefined,
      tailLines: flagStr(p, 'tail') !== undefined && flagStr(p, 'tail') !== '-1' ? flagStr(p, 'tail') : undefined,
      timestamps: flagBool(p, 'timestamps') ? 'true' : undefined,
    };
    const res = await this.api.raw(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(podName)}/log`, {
      query,
      accept: '*/*',
      signal: io.signal,
    });
    const reader = res.body?.getReader();
    if (!reader) return 0;
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        io.stdout(decoder.decode(value, { stream: true }));
      }
    } catch (e) {
      if (io.signal?.aborted) return 0;
      throw e;
    } finally {
      reader.cancel().catch(() => {});
    }
    return 0;
  }

  // ---- writes -----------------------------------------------------------------------------------------

  private async runPod(p: Parsed, io: KubectlIO): Promise<number> {
    const name = p.args[0];
    if (!name) {
      io.stderr("error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n");
      return 1;
    }
    const image = flagStr(p, 'image');
    if (!image) {
      io.stderr('error: required flag(s) "image" not set\n');
      return 1;
    }
    const labels: Obj = {};
    if (flagStr(p, 'labels')) for (const kv of flagStr(p, 'labels')!.split(',')) labels[kv.split('=')[0]!] = kv.split('=').slice(1).join('=');
    else labels.run = name;
    const container: Obj = { name, image, resources: {} };
    const extra = [...p.args.slice(1), ...p.rest];
    if (extra.length) container[flagBool(p, 'command') ? 'command' : 'args'] = extra;
    if (flagStr(p, 'port')) container.ports = [{ containerPort: Number(flagStr(p, 'port')) }];
    const env = flagAll(p, 'env');
    if (env.length) container.env = env.map((kv) => ({ name: kv.split('=')[0], value: kv.split('=').slice(1).join('=') }));
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { labels, name },
      spec: { containers: [container], dnsPolicy: 'ClusterFirst', restartPolicy: flagStr(p, 'restart') ?? 'Always' },
      status: {},
    };
    const ns = this.namespace(p);
    await this.api.json(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { method: 'POST', body: pod, query: { fieldManager: 'kubectl-run' } });
    io.stdout(`pod/${name} created\n`);
    return 0;
  }

  private async create(p: Parsed, io: KubectlIO): Promise<number> {
    const files = flagAll(p, 'filename');
    if (files.length) return this.fromFiles(files, p, io, 'create');
    const [what, name] = p.args;
    const ns = this.namespace(p);
    if (!what) {
      io.stderr("error: must specify one of -f and -k\n\nSee 'kubectl create -h' for help and examples\n");
      return 1;
    }
    if (!name) {
      io.stderr(`error: exactly one NAME is required, got 0\nSee 'kubectl create ${what} -h' for help and examples\n`);
      return 1;
    }
    const post = async (path: string, body: Obj, shown: string) => {
      await this.api.json(path, { method: 'POST', body, query: { fieldManager: 'kubectl-create', fieldValidation: 'Strict' } });
      io.stdout(`${shown}/${name} created\n`);
      return 0;
    };
    switch (what) {
      case 'namespace':
      case 'ns':
        return post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: {}, status: {} }, 'namespace');
      case 'configmap':
      case 'cm': {
        const data: Obj = {};
        for (const kv of flagAll(p, 'from-literal')) {
          const eq = kv.indexOf('=');
          if (eq <= 0) throw new CmdError(`error: invalid literal source ${kv}, expected key=value`);
          data[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        return post(`/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...(Object.keys(data).length ? { data } : {}) }, 'configmap');
      }
      case 'deployment':
      case 'deploy': {
        const image = flagStr(p, 'image');
        if (!image) {
          io.stderr('error: required flag(s) "image" not set\n');
          return 1;
        }
        const base = image.split('/').pop()!.split(':')[0]!.split('@')[0]!;
        const container: Obj = { image, name: base, resources: {} };
        if (flagStr(p, 'port')) container.ports = [{ containerPort: Number(flagStr(p, 'port')) }];
        const body = {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { labels: { app: name }, name },
          spec: {
            replicas: Number(flagStr(p, 'replicas') ?? 1),
            selector: { matchLabels: { app: name } },
            strategy: {},
            template: { metadata: { labels: { app: name } }, spec: { containers: [container] } },
          },
          status: {},
        };
        return post(`/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`, body, 'deployment.apps');
      }
      default:
        io.stderr(`error: unknown command "${what}" for "kubectl create"\n`);
        return 1;
    }
  }

  private async readManifests(files: string[]): Promise<Obj[]> {
    const docs: Obj[] = [];
    for (const f of files) {
      const text = this.files ? await this.files.read(f) : null;
      if (text === null) throw new CmdError(`error: the path "${f}" does not exist`);
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length) throw new CmdError(`error: error parsing ${f}: ${doc.errors[0]!.message}`);
        const o = doc.toJSON() as unknown;
        if (!isObj(o)) continue;
        if (o.kind === 'List' && Array.isArray(o.items)) docs.push(...(o.items as Obj[]));
        else docs.push(o);
      }
    }
    return docs;
  }

  private async resourceForObject(o: Obj): Promise<ApiResource> {
    const [group, version] = String(o.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion ?? '')];
    const all = await this.api.resources();
    const r = all.find((x) => x.kind === o.kind && x.group === group) ?? all.find((x) => x.kind === o.kind);
    if (!r) throw new CmdError(`error: resource mapping not found for name: "${o.metadata?.name ?? ''}" namespace: "${o.metadata?.namespace ?? ''}" from "": no matches for kind "${o.kind}" in version "${o.apiVersion}"\nensure CRDs are installed first`);
    return { ...r, version: version || r.version };
  }

  private async fromFiles(files: string[], p: Parsed, io: KubectlIO, verb: 'create' | 'apply' | 'delete'): Promise<number> {
    const docs = await this.readManifests(files);
    let exit = 0;
    for (const o of docs) {
      const r = await this.resourceForObject(o);
      const ns = r.namespaced ? (o.metadata?.namespace ?? this.namespace(p)) : '';
      const name = String(o.metadata?.name ?? '');
      const shown = `${kindGroup(r)}/${name}`;
      try {
        if (verb === 'create') {
          await this.api.json(collectionPath(r, ns), { method: 'POST', body: o, query: { fieldManager: 'kubectl-create', fieldValidation: 'Strict' } });
          io.stdout(`${shown} created\n`);
        } else if (verb === 'delete') {
          await this.api.json(objectPath(r, ns, name), { method: 'DELETE', body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
          io.stdout(`${kindGroup(r)} "${name}" deleted\n`);
        } else {
          const applied = JSON.parse(JSON.stringify(o)) as Obj;
          const lastApplied = `${JSON.stringify(sortDeep(o))}\n`;
          applied.metadata = { ...(applied.metadata ?? {}), annotations: { ...(applied.metadata?.annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } };
          let existing: Obj | null = null;
          try {
            existing = await this.api.json(objectPath(r, ns, name));
          } catch (e) {
            if (!(e instanceof StatusError) || e.code !== 404) throw e;
          }
          if (!existing) {
            await this.api.json(collectionPath(r, ns), { method: 'POST', body: applied, query: { fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' } });
            io.stdout(`${shown} created\n`);
          } else if (existing.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] === lastApplied) {
            io.stdout(`${shown} unchanged\n`);
          } else {
            await this.api.json(objectPath(r, ns, name), {
              method: 'PATCH',
              body: applied,
              contentType: 'application/merge-patch+json',
              query: { fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' },
            });
            io.stdout(`${shown} configured\n`);
          }
        }
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        io.stderr(`${serverErrorText(e)}\n`);
        exit = 1;
      }
    }
    return exit;
  }

  private async apply(p: Parsed, io: KubectlIO): Promise<number> {
    const files = flagAll(p, 'filename');
    if (!files.length) {
      io.stderr("error: must specify one of -f and -k\n\nSee 'kubectl apply -h' for help and examples\n");
      return 1;
    }
    return this.fromFiles(files, p, io, 'apply');
  }

  private async delete(p: Parsed, io: KubectlIO): Promise<number> {
    const files = flagAll(p, 'filename');
    if (files.length) return this.fromFiles(files, p, io, 'delete');
    if (p.args.length === 0) {
      io.stderr("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n");
      return 1;
    }
    const targets = await this.targets(p.args);
    const allNs = flagBool(p, 'all-namespaces');
    const ns = this.namespace(p);
    const selector = flagStr(p, 'selector');
    const all = flagBool(p, 'all');
    const victims: { r: ApiResource; ns: string; name: string }[] = [];
    for (const { r, names } of targets) {
      if (names.length > 0) for (const name of names) victims.push({ r, ns, name });
      else if (selector || all) {
        const list = await this.api.json(collectionPath(r, allNs ? '' : ns), { query: { labelSelector: selector, limit: 500 } });
        for (const o of (list.items ?? []) as Obj[]) victims.push({ r, ns: o.metadata?.namespace ?? '', name: o.metadata?.name });
      } else {
        io.stderr(`error: resource(s) were provided, but no name was specified\n`);
        return 1;
      }
    }
    if (victims.length === 0) {
      io.stderr(allNs || !targets[0]?.r.namespaced ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`);
      return 0;
    }
    const body: Obj = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' };
    const grace = flagStr(p, 'grace-period');
    if (flagBool(p, 'now')) body.gracePeriodSeconds = 1;
    if (grace !== undefined && Number(grace) >= 0) body.gracePeriodSeconds = Number(grace);
    if (flagBool(p, 'force')) {
      io.stderr('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
      if (grace === undefined) body.gracePeriodSeconds = 0;
    }
    let exit = 0;
    const deleted: typeof victims = [];
    for (const v of victims) {
      try {
        await this.api.json(objectPath(v.r, v.ns, v.name), { method: 'DELETE', body });
        io.stdout(flagBool(p, 'force') ? `${kindGroup(v.r)} "${v.name}" force deleted\n` : `${kindGroup(v.r)} "${v.name}" deleted\n`);
        deleted.push(v);
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        if (e.code === 404 && flagBool(p, 'ignore-not-found')) continue;
        io.stderr(`${serverErrorText(e)}\n`);
        exit = 1;
      }
    }
    // kubectl waits until the objects are gone (--wait defaults to true).
    const wait = p.flags.has('wait') ? flagBool(p, 'wait') : true;
    if (wait) {
      for (const v of deleted) {
        for (;;) {
          if (io.signal?.aborted) return 130;
          try {
            await this.api.json(objectPath(v.r, v.ns, v.name));
          } catch (e) {
            if (e instanceof StatusError && e.code === 404) break;
            throw e;
          }
          await this.sleep(1000, io.signal);
        }
      }
    }
    return exit;
  }

  private async singleTarget(p: Parsed): Promise<{ r: ApiResource; name: string }[]> {
    const targets = await this.targets(p.args.slice(0, p.args[0]?.includes('/') ? p.args.filter((a) => a.includes('/')).length : 2));
    const out = targets.flatMap((t) => t.names.map((name) => ({ r: t.r, name })));
    if (out.length === 0) throw new CmdError(`error: resource(s) were provided, but no name was specified`);
    return out;
  }

  private async scale(p: Parsed, io: KubectlIO): Promise<number> {
    const replicas = flagStr(p, 'replicas');
    if (replicas === undefined) {
      io.stderr("error: required flag(s) \"replicas\" not set\n");
      return 1;
    }
    const ns = this.namespace(p);
    for (const { r, name } of await this.singleTarget(p)) {
      if (!r.subresources.includes('scale')) throw new CmdError(`error: no scaler has been implemented for ${JSON.stringify({ Group: r.group, Kind: r.kind })}`);
      await this.api.json(`${objectPath(r, ns, name)}/scale`, {
        method: 'PATCH',
        body: { spec: { replicas: Number(replicas) } },
        contentType: 'application/merge-patch+json',
      });
      io.stdout(`${kindGroup(r)}/${name} scaled\n`);
    }
    return 0;
  }

  private async expose(p: Parsed, io: KubectlIO): Promise<number> {
    const targets = await this.targets(p.args);
    const ns = this.namespace(p);
    for (const { r, names } of targets) {
      for (const name of names) {
        const obj = await this.api.json(objectPath(r, ns, name));
        let selector: Obj | undefined;
        if (r.kind === 'Pod' || r.kind === 'Service') selector = r.kind === 'Pod' ? obj.metadata?.labels : obj.spec?.selector;
        else if (isObj(obj.spec?.selector)) {
          if (obj.spec.selector.matchExpressions?.length) throw new CmdError(`error: couldn't convert expressions - "${selectorString(obj.spec.selector)}" to map: expressions cannot be converted`);
          selector = obj.spec.selector.matchLabels;
        }
        if (!isObj(selector) || Object.keys(selector).length === 0)
          throw new CmdError(`error: couldn't retrieve selectors via --selector flag or introspection: the ${r.kind} has no selector`);
        let port = flagStr(p, 'port');
        if (port === undefined) {
          const containers = (r.kind === 'Pod' ? obj.spec?.containers : obj.spec?.template?.spec?.containers) as Obj[] | undefined;
          const first = containers?.flatMap((c) => (c.ports ?? []) as Obj[])[0];
          if (!first) throw new CmdError(`error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples`);
          port = String(first.containerPort);
        }
        const target = flagStr(p, 'target-port');
        const svcPort: Obj = { port: Number(port), protocol: flagStr(p, 'protocol') ?? 'TCP', targetPort: target === undefined ? Number(port) : /^\d+$/.test(target) ? Number(target) : target };
        const svcName = flagStr(p, 'name') ?? name;
        const body: Obj = {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { ...(isObj(obj.metadata?.labels) ? { labels: obj.metadata.labels } : {}), name: svcName },
          spec: { ports: [svcPort], selector, ...(flagStr(p, 'type') ? { type: flagStr(p, 'type') } : {}) },
          status: { loadBalancer: {} },
        };
        await this.api.json(`/api/v1/namespaces/${encodeURIComponent(ns)}/services`, { method: 'POST', body, query: { fieldManager: 'kubectl-expose' } });
        io.stdout(`service/${svcName} exposed\n`);
      }
    }
    return 0;
  }

  private async labelOrAnnotate(p: Parsed, io: KubectlIO, field: 'labels' | 'annotations'): Promise<number> {
    const pairs = p.args.filter((a) => /^[^/=]+(\/[^=]+)?=/.test(a) || /-$/.test(a));
    const rest = p.args.filter((a) => !pairs.includes(a));
    const ns = this.namespace(p);
    const targets = await this.targets(rest);
    const changes: Obj = {};
    for (const kv of pairs) {
      if (kv.endsWith('-') && !kv.includes('=')) changes[kv.slice(0, -1)] = null;
      else changes[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
    }
    const verb = field === 'labels' ? 'labeled' : 'annotated';
    for (const { r, names } of targets) {
      for (const name of names) {
        const obj = await this.api.json(objectPath(r, ns, name));
        const current: Obj = obj.metadata?.[field] ?? {};
        if (!flagBool(p, 'overwrite')) {
          for (const [k, v] of Object.entries(changes)) {
            if (v !== null && k in current && current[k] !== v) throw new CmdError(`error: '${k}' already has a value (${current[k]}), and --overwrite is false`);
          }
        }
        const unchanged = Object.entries(changes).every(([k, v]) => (v === null ? !(k in current) : current[k] === v));
        if (!unchanged) {
          await this.api.json(objectPath(r, ns, name), {
            method: 'PATCH',
            body: { metadata: { [field]: changes } },
            contentType: 'application/merge-patch+json',
            query: { fieldManager: `kubectl-${field === 'labels' ? 'label' : 'annotate'}` },
          });
        }
        io.stdout(`${kindGroup(r)}/${name} ${unchanged ? `not ${verb}` : verb}\n`);
      }
    }
    return 0;
  }

  private async set(p: Parsed, io: KubectlIO): Promise<number> {
    const [sub, ...args] = p.args;
    if (sub !== 'image') {
      io.stderr(`error: unknown command "${sub ?? ''}" for "kubectl set"\n`);
      return 1;
    }
    const pairs = args.filter((a) => a.includes('='));
    const targets = await this.targets(args.filter((a) => !a.includes('=')));
    const ns = this.namespace(p);
    for (const { r, names } of targets) {
      for (const name of names) {
        const obj = await this.api.json(objectPath(r, ns, name));
        const podSpec: Obj = r.kind === 'Pod' ? obj.spec : r.kind === 'CronJob' ? obj.spec?.jobTemplate?.spec?.template?.spec : obj.spec?.template?.spec;
        const containers = (podSpec?.containers ?? []) as Obj[];
        const updates: Obj[] = [];
        for (const kv of pairs) {
          const [c, img] = [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)];
          const matched = c === '*' ? containers : containers.filter((x) => x.name === c);
          if (matched.length === 0) throw new CmdError(`error: unable to find container named "${c}"`);
          for (const m of matched) updates.push({ name: m.name, image: img });
        }
        const patchSpec = { containers: updates };
        const body = r.kind === 'Pod' ? { spec: patchSpec } : r.kind === 'CronJob' ? { spec: { jobTemplate: { spec: { template: { spec: patchSpec } } } } } : { spec: { template: { spec: patchSpec } } };
        await this.api.json(objectPath(r, ns, name), { method: 'PATCH', body, contentType: 'application/strategic-merge-patch+json', query: { fieldManager: 'kubectl-set' } });
        io.stdout(`${kindGroup(r)}/${name} image updated\n`);
      }
    }
    return 0;
  }

  private async rollout(p: Parsed, io: KubectlIO): Promise<number> {
    const [sub, ...args] = p.args;
    if (sub !== 'status') {
      io.stderr(`error: unknown command "${sub ?? ''}" for "kubectl rollout"\n`);
      return 1;
    }
    const targets = await this.targets(args);
    const ns = this.namespace(p);
    for (const { r, names } of targets) {
      for (const name of names) {
        if (r.kind !== 'Deployment') throw new CmdError(`error: no status viewer has been implemented for ${r.kind}`);
        let last = '';
        for (;;) {
          if (io.signal?.aborted) return 130;
          const d = await this.api.json(objectPath(r, ns, name));
          const st = d.status ?? {};
          let msg: string;
          let done = false;
          if ((d.metadata?.generation ?? 0) <= (st.observedGeneration ?? 0)) {
            const cond = ((st.conditions ?? []) as Obj[]).find((c) => c.type === 'Progressing');
            if (cond?.reason === 'ProgressDeadlineExceeded') throw new CmdError(`error: deployment "${name}" exceeded its progress deadline`);
            const want = d.spec?.replicas ?? 1;
            const updated = st.updatedReplicas ?? 0;
            if (updated < want) msg = `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...\n`;
            else if ((st.replicas ?? 0) > updated) msg = `Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - updated} old replicas are pending termination...\n`;
            else if ((st.availableReplicas ?? 0) < updated) msg = `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${updated} updated replicas are available...\n`;
            else {
              msg = `deployment "${name}" successfully rolled out\n`;
              done = true;
            }
          } else msg = 'Waiting for deployment spec update to be observed...\n';
          if (msg !== last) io.stdout(msg);
          last = msg;
          if (done) break;
          await this.sleep(1000, io.signal);
        }
      }
    }
    return 0;
  }

  private async apiResources(p: Parsed, io: KubectlIO): Promise<number> {
    const all = await this.api.resources();
    const rows = [...all].sort((a, b) => (a.group === b.group ? (a.resource < b.resource ? -1 : 1) : a.group < b.group ? -1 : 1));
    const filtered = rows.filter((r) => {
      const g = flagStr(p, 'api-group');
      if (g !== undefined && r.group !== g) return false;
      const n = flagStr(p, 'namespaced');
      if (n !== undefined && String(r.namespaced) !== n) return false;
      return true;
    });
    const output = flagStr(p, 'output');
    if (output === 'name') {
      for (const r of filtered) io.stdout(`${resourceGroup(r)}\n`);
      return 0;
    }
    const lines = [['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'].join('\t')];
    for (const r of filtered) lines.push([r.resource, r.shortNames.join(','), groupVersion(r), String(r.namespaced), r.kind].join('\t'));
    io.stdout(tableWrite(lines));
    return 0;
  }

  private async clusterInfo(io: KubectlIO): Promise<number> {
    let out = `Kubernetes control plane is running at ${this.serverUrl}\n`;
    const list = await this.api.json('/api/v1/namespaces/kube-system/services', { query: { labelSelector: 'kubernetes.io/cluster-service=true' } });
    for (const svc of (list.items ?? []) as Obj[]) {
      let name: string = svc.metadata?.name ?? '';
      const ports = (svc.spec?.ports ?? []) as Obj[];
      const ingress = (svc.status?.loadBalancer?.ingress ?? []) as Obj[];
      let link: string;
      if (ingress.length > 0) {
        const ip = ingress[0]!.ip || ingress[0]!.hostname;
        link = ports.length ? `http://${ip}:${ports[0]!.port}` : `http://${ip}`;
      } else {
        if (ports.length > 0) {
          const port = ports[0]!;
          const scheme = port.name === 'https' || port.port === 443 ? 'https' : '';
          const portName = port.name ?? '';
          name = scheme ? `${scheme}:${name}:${portName}` : portName ? `${name}:${portName}` : name;
        }
        link = `${this.serverUrl}/api/v1/namespaces/${svc.metadata?.namespace}/services/${name}/proxy`;
      }
      out += `${svc.metadata?.labels?.['kubernetes.io/name'] || svc.metadata?.name} is running at ${link}\n`;
    }
    io.stdout(`${out}\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`);
    return 0;
  }

  private async apiVersions(io: KubectlIO): Promise<number> {
    const all = await this.api.resources();
    const set = new Set(all.map((r) => groupVersion(r)));
    io.stdout([...set].sort().map((s) => `${s}\n`).join(''));
    return 0;
  }

  private async versionCmd(io: KubectlIO): Promise<number> {
    const version: Obj = this.version ?? (await this.api.json('/version'));
    this.version = version;
    io.stdout(`Client Version: v1.32.4\nKustomize Version: v5.5.0\nServer Version: ${version.gitVersion}\n`);
    return 0;
  }

  // ---- completion -------------------------------------------------------------------------------------

  /** Completions for the word under the cursor: commands, resource types, then names from the API. */
  async complete(line: string): Promise<{ word: string; candidates: string[] }> {
    const endsWithSpace = /\s$/.test(line);
    let words: string[];
    try {
      words = splitCommandLine(line);
    } catch {
      return { word: '', candidates: [] };
    }
    if (words[0] === 'kubectl' || words[0] === 'k') words = words.slice(1);
    else if (words.length === 1 && !endsWithSpace) return { word: words[0]!, candidates: ['kubectl'].filter((c) => c.startsWith(words[0]!)) };
    const word = endsWithSpace ? '' : (words.pop() ?? '');
    const positional = words.filter((w, i) => !w.startsWith('-') && !(i > 0 && /^-(n|o|l|c|f)$|^--(namespace|output|selector|container|filename)$/.test(words[i - 1]!)));
    const nsIdx = words.findIndex((w) => w === '-n' || w === '--namespace');
    const ns = nsIdx >= 0 ? (words[nsIdx + 1] ?? 'default') : 'default';
    const prev = words.at(-1);
    const filter = (list: string[]) => [...new Set(list)].filter((c) => c.startsWith(word)).sort();
    try {
      if (prev === '-n' || prev === '--namespace') {
        const list = await this.api.json('/api/v1/namespaces');
        return { word, candidates: filter(((list.items ?? []) as Obj[]).map((o) => o.metadata.name)) };
      }
      if (prev === '-o' || prev === '--output') return { word, candidates: filter(['json', 'yaml', 'wide', 'name', 'jsonpath=', 'custom-columns=']) };
      if (positional.length === 0) return { word, candidates: filter(COMMANDS) };
      const cmd = positional[0]!;
      const typeArgCommands = ['get', 'describe', 'delete', 'label', 'annotate', 'scale', 'explain', 'edit'];
      let typeIdx = 1;
      if (cmd === 'rollout' || cmd === 'set') typeIdx = 2;
      if (cmd === 'logs') {
        const list = await this.api.json(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { query: { limit: 500 } });
        return { word, candidates: filter(((list.items ?? []) as Obj[]).map((o) => o.metadata.name)) };
      }
      if (cmd === 'rollout' && positional.length === 1) return { word, candidates: filter(['status']) };
      if (cmd === 'set' && positional.length === 1) return { word, candidates: filter(['image']) };
      if (cmd === 'create' && positional.length === 1) return { word, candidates: filter(['deployment', 'namespace', 'configmap']) };
      if (!typeArgCommands.includes(cmd) && cmd !== 'rollout' && cmd !== 'set') return { word, candidates: [] };
      const resources = await this.api.resources();
      if (positional.length === typeIdx && !word.includes('/')) {
        const types = resources.filter((r) => r.verbs.includes('list')).flatMap((r) => [r.resource, r.singular, ...r.shortNames]);
        return { word, candidates: filter(types) };
      }
      // names
      const typeWord = word.includes('/') ? word.slice(0, word.indexOf('/')) : positional[typeIdx];
      if (!typeWord) return { word, candidates: [] };
      const r = await this.resolve(typeWord.split(',')[0]!);
      const list = await this.api.json(collectionPath(r, ns), { query: { limit: 500 } });
      const names = ((list.items ?? []) as Obj[]).map((o) => o.metadata.name as string);
      return { word, candidates: filter(word.includes('/') ? names.map((n) => `${typeWord}/${n}`) : names) };
    } catch {
      return { word, candidates: [] };
    }
  }
}

const sortValue = (v: unknown): unknown => sortDeep(v);

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) out[k] = sortDeep(v[k]);
    return out;
  }
  return v;
}

/** The object as kubectl prints it: kind and apiVersion set, managedFields hidden (--show-managed-fields=false). */
function withTypeMeta(o: Obj, r: ApiResource): Obj {
  const out: Obj = o.kind && o.apiVersion ? { ...o } : { apiVersion: groupVersion(r), kind: r.kind, ...o };
  if (isObj(out.metadata) && 'managedFields' in out.metadata) {
    const { managedFields: _hidden, ...meta } = out.metadata;
    out.metadata = meta;
  }
  return out;
}

function nameOf(o: Obj, all: ApiResource[]): string {
  const [group] = String(o.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/') : [''];
  const r = all.find((x) => x.kind === o.kind && x.group === group);
  const kind = r ? kindGroup(r) : String(o.kind).toLowerCase();
  return `${kind}/${o.metadata?.name ?? ''}`;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = a === undefined ? '' : typeof a === 'string' ? a : JSON.stringify(a);
  const sb = b === undefined ? '' : typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function sortObjects(objects: Obj[], expr: string): void {
  const key = (o: Obj) => evaluate(expr, o)[0];
  objects.sort((a, b) => compareValues(key(a), key(b)));
}

function sortRows(table: Table, expr: string): void {
  const key = (row: { object?: Obj }) => (row.object ? evaluate(expr, row.object)[0] : undefined);
  table.rows.sort((a, b) => compareValues(key(a), key(b)));
}
