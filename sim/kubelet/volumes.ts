/**
 * The kubelet's volume manager: sets up a pod's volumes before its containers start and mounts them into the
 * containers' filesystems (sim/shell/fs.ts mount points).
 * - configMap, secret, downwardAPI and projected volumes: their files are computed when the pod's volumes are
 *   set up and kept (as the kubelet's atomic writer keeps them on disk); a change to a ConfigMap or Secret
 *   reaches the mounted files at the kubelet's next periodic sync (40-70 s of virtual time), never the env;
 * - emptyDir: a per-pod file tree shared by its containers, kept across container restarts, gone with the pod;
 * - persistentVolumeClaim: the bound PV's file store (sim/storage/volumes.ts), so data outlives the pod.
 * A required ConfigMap, Secret or key that is missing, or a claim not bound, fails the set-up (FailedMount);
 * the kubelet retries with back-off.
 *
 * Records: `kubelet:volumes` key pod uid → PodVolumes; `kubelet:emptydir` key "<uid>\u0000<volume>" → FsTree.
 * In memory: which pods use which ConfigMap/Secret (rebuilt by restore()).
 */
import { findResource, PODS } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Container, KObject, Pod } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { normalizePath, type FsTree, type Mount, type MountBackend } from '../shell/fs.ts';
import { decodeBase64, encodeBase64 } from '../util/base64.ts';
import { deleteFile, listFiles, MAX_FILE_BYTES, MAX_FILES_PER_VOLUME, readFile, volumeForClaim, writeFile } from '../storage/volumes.ts';

const CONFIGMAPS = findResource('', 'configmaps')!;
const SECRETS = findResource('', 'secrets')!;
const PVCS = findResource('', 'persistentvolumeclaims')!;
const TABLE = 'kubelet:volumes';
const EMPTY = 'kubelet:emptydir';
/** Keeps an empty directory in a PV's file store (which holds files only); never listed. */
const DIR_MARKER = '.kuberoom-dir';
/** The kubelet's periodic sync that refreshes projected files: 1 min plus jitter, as seen on real clusters. */
export const REFRESH_MIN_MS = 40_000;
export const REFRESH_MAX_MS = 70_000;

/** What the kubelet set up for one pod: plain data. */
export interface PodVolumes {
  /** configMap / secret / downwardAPI / projected volumes: their files, relative to the volume root */
  trees: Record<string, FsTree>;
  /** the files as first set up, for subPath mounts (a bind mount of one file: never refreshed) */
  subPathTrees?: Record<string, FsTree>;
  /** persistentVolumeClaim volumes: the PV each mounts */
  pvs: Record<string, string>;
  /** emptyDir volume names */
  empty: string[];
  /** "configmaps/ns/name" and "secrets/ns/name" the files come from */
  refs: string[];
  /** a pending refresh (timer seq) */
  refresh?: number;
  /** some volume shows the pod's own metadata (downwardAPI): refreshed when the pod's labels/annotations change */
  downward?: boolean;
}

/** A volume could not be set up: the FailedMount event's message. */
export class MountError extends Error {}

/**
 * Why set-up failed: `setup` (MountVolume.SetUp of a configMap/secret...) or `process` (the volume manager
 * could not even process the volume: a claim missing or not bound).
 */
export interface MountFailure {
  volume: string;
  message: string;
  stage: 'setup' | 'process';
}

/** The kubelet's FailedMount event message for a failure. */
export function failedMountMessage(f: MountFailure): string {
  if (f.stage === 'setup') return `MountVolume.SetUp failed for volume "${f.volume}" : ${f.message}`;
  return `Unable to attach or mount volumes: unmounted volumes=[${f.volume}], unattached volumes=[${f.volume}], failed to process volumes=[${f.volume}]: ${f.message}`;
}

interface KeyToPath {
  key: string;
  path: string;
}
interface DownwardItem {
  path: string;
  fieldRef?: { fieldPath: string };
}
interface VolumeSpec {
  name: string;
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { secretName?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardItem[] };
  projected?: { sources?: ProjectionSource[] };
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}
interface ProjectionSource {
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardItem[] };
  serviceAccountToken?: { path: string; expirationSeconds?: number; audience?: string };
}
interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

function addFile(tree: FsTree, path: string, content: string): void {
  const p = normalizePath(path);
  if (p === '/') return;
  const parts = p.split('/').slice(1);
  for (let i = 1; i < parts.length; i++) tree['/' + parts.slice(0, i).join('/')] = null;
  tree[p] = content;
}

function objData(obj: KObject, secret: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((obj.data as Record<string, string>) ?? {})) out[k] = secret ? decodeBase64(v) : v;
  if (!secret) for (const [k, v] of Object.entries((obj.binaryData as Record<string, string>) ?? {})) out[k] = decodeBase64(v);
  return out;
}

/** The files of a ConfigMap or Secret (all keys, or the items), into `tree`. */
function keysInto(cluster: Cluster, tree: FsTree, ns: string, secret: boolean, name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, refs: Set<string>): void {
  refs.add(`${secret ? 'secrets' : 'configmaps'}/${ns}/${name}`);
  const obj = cluster.store.get(secret ? SECRETS : CONFIGMAPS, ns, name);
  if (!obj) {
    if (optional) return;
    throw new MountError(`${secret ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const d = objData(obj, secret);
  if (!items?.length) {
    for (const [k, v] of Object.entries(d)) addFile(tree, k, v);
    return;
  }
  for (const it of items) {
    if (!(it.key in d)) {
      if (optional) continue;
      throw new MountError(`${secret ? 'secret' : 'configmap'} references non-existent ${secret ? 'secret' : 'config'} key: ${it.key}`);
    }
    addFile(tree, it.path, d[it.key]);
  }
}

function mapFile(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

function downwardValue(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return (pod.metadata[m[1] as 'labels'] ?? {})[m[2]] ?? '';
  switch (path) {
    case 'metadata.labels': return mapFile(pod.metadata.labels);
    case 'metadata.annotations': return mapFile(pod.metadata.annotations);
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
  }
  return '';
}

function downwardInto(tree: FsTree, pod: Pod, items: DownwardItem[] | undefined): void {
  for (const it of items ?? []) if (it.fieldRef) addFile(tree, it.path, downwardValue(pod, it.fieldRef.fieldPath));
}

/**
 * The token file as stored: when it was issued and for how long. The JWT (~900 bytes) is a pure function of
 * this and the pod, so it is written out only when a container reads it, not kept once per pod.
 */
const TOKEN_MARK = '\u0000serviceAccountToken:';

function tokenFile(cluster: Cluster, src: { expirationSeconds?: number; audience?: string }): string {
  return TOKEN_MARK + JSON.stringify([Math.floor(cluster.now() / 1000), src.expirationSeconds ?? 3607, src.audience ?? null]);
}

/** A tree with its token files written out for the pod. */
function materialize(tree: FsTree, pod: Pod): FsTree {
  let out: FsTree | undefined;
  for (const [path, v] of Object.entries(tree)) {
    if (typeof v !== 'string' || !v.startsWith(TOKEN_MARK)) continue;
    const [iat, exp, aud] = JSON.parse(v.slice(TOKEN_MARK.length)) as [number, number, string | null];
    out ??= { ...tree };
    out[path] = serviceAccountToken(iat, pod, { expirationSeconds: exp, audience: aud ?? undefined });
  }
  return out ?? tree;
}

/** A bound ServiceAccount token as the kubelet's token manager writes it: a JWT (unsigned here). */
function serviceAccountToken(now: number, pod: Pod, src: { expirationSeconds?: number; audience?: string }): string {
  const b64url = (s: string) => encodeBase64(s).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const ns = pod.metadata.namespace ?? 'default';
  const sa = (pod.spec.serviceAccountName as string | undefined) ?? 'default';
  const claims = {
    aud: [src.audience ?? 'https://kubernetes.default.svc.cluster.local'],
    exp: now + (src.expirationSeconds ?? 3607),
    iat: now,
    iss: 'https://kubernetes.default.svc.cluster.local',
    'kubernetes.io': { namespace: ns, pod: { name: pod.metadata.name, uid: pod.metadata.uid }, serviceaccount: { name: sa } },
    nbf: now,
    sub: `system:serviceaccount:${ns}:${sa}`,
  };
  return `${b64url(JSON.stringify({ alg: 'RS256', kid: 'kuberoom' }))}.${b64url(JSON.stringify(claims))}.${b64url(`sig:${pod.metadata.uid}`)}`;
}

/** The files of one configMap/secret/downwardAPI/projected volume, or undefined for other kinds. */
function treeOf(cluster: Cluster, pod: Pod, v: VolumeSpec, refs: Set<string>): FsTree | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  const tree: FsTree = {};
  if (v.configMap) keysInto(cluster, tree, ns, false, v.configMap.name ?? '', v.configMap.items, v.configMap.optional, refs);
  else if (v.secret) keysInto(cluster, tree, ns, true, v.secret.secretName ?? '', v.secret.items, v.secret.optional, refs);
  else if (v.downwardAPI) downwardInto(tree, pod, v.downwardAPI.items);
  else if (v.projected) {
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) keysInto(cluster, tree, ns, false, s.configMap.name ?? '', s.configMap.items, s.configMap.optional, refs);
      else if (s.secret) keysInto(cluster, tree, ns, true, s.secret.name ?? '', s.secret.items, s.secret.optional, refs);
      else if (s.downwardAPI) downwardInto(tree, pod, s.downwardAPI.items);
      else if (s.serviceAccountToken) addFile(tree, s.serviceAccountToken.path, tokenFile(cluster, s.serviceAccountToken));
    }
  } else return undefined;
  return tree;
}

function treeBackend(tree: FsTree): MountBackend {
  return {
    readOnly: true,
    entry: (rel) => (rel === '/' ? null : tree[rel]),
    write: () => false,
    mkdir: () => false,
    remove: () => false,
    list: (rel) => childNames(Object.keys(tree), rel),
  };
}

function childNames(paths: Iterable<string>, dir: string): string[] {
  const pre = dir === '/' ? '/' : dir + '/';
  const names = new Set<string>();
  for (const k of paths) if (k.startsWith(pre) && k !== dir) names.add(k.slice(pre.length).split('/')[0]);
  return [...names].sort();
}

/** The kubelet's volumes: set-up, mounts, refresh after a ConfigMap/Secret change, clean-up. */
export class VolumeManager {
  readonly cluster: Cluster;
  /** "configmaps/ns/name" → uids of pods whose volumes read it (in memory, rebuilt by restore()) */
  private users = new Map<string, Set<string>>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  get(uid: string): PodVolumes | undefined {
    return this.cluster.records.get<PodVolumes>(TABLE, uid);
  }

  /** Sets up every volume of a pod; throws MountError (with the volume's name) when one cannot be. */
  setUp(pod: Pod): MountFailure | undefined {
    const uid = pod.metadata.uid!;
    const ns = pod.metadata.namespace ?? 'default';
    const vols: PodVolumes = { trees: {}, pvs: {}, empty: [], refs: [] };
    const refs = new Set<string>();
    for (const v of (pod.spec.volumes ?? []) as VolumeSpec[]) {
      try {
        if (v.persistentVolumeClaim) {
          const claim = v.persistentVolumeClaim.claimName;
          if (!this.cluster.store.get(PVCS, ns, claim)) return { volume: v.name, stage: 'process', message: `error processing PVC ${ns}/${claim}: failed to fetch PVC from API server: persistentvolumeclaims "${claim}" not found` };
          const pv = volumeForClaim(this.cluster, ns, claim);
          if (!pv) return { volume: v.name, stage: 'process', message: `error processing PVC ${ns}/${claim}: PVC is not bound` };
          vols.pvs[v.name] = pv;
        } else if (v.emptyDir) vols.empty.push(v.name);
        else {
          const tree = treeOf(this.cluster, pod, v, refs);
          if (tree) vols.trees[v.name] = tree;
        }
      } catch (e) {
        if (!(e instanceof MountError)) throw e;
        return { volume: v.name, stage: 'setup', message: e.message };
      }
    }
    vols.refs = [...refs].sort();
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      for (const vm of ((c as { volumeMounts?: VolumeMount[] }).volumeMounts ?? []) as VolumeMount[]) {
        if (vm.subPath && vm.name in vols.trees) vols.subPathTrees = { ...(vols.subPathTrees ?? {}), [vm.name]: vols.trees[vm.name] };
      }
    }
    if (((pod.spec.volumes ?? []) as VolumeSpec[]).some((v) => v.downwardAPI || v.projected?.sources?.some((s) => s.downwardAPI))) vols.downward = true;
    this.cluster.records.set(TABLE, uid, vols);
    this.index(uid, vols.refs);
    return undefined;
  }

  private index(uid: string, refs: string[]): void {
    for (const r of refs) {
      let s = this.users.get(r);
      if (!s) this.users.set(r, (s = new Set()));
      s.add(uid);
    }
  }

  restore(): void {
    this.users.clear();
    for (const [uid, v] of this.cluster.records.table(TABLE)) this.index(uid, (v as PodVolumes).refs);
  }

  /** A ConfigMap or Secret changed: the pods that mount it see the change at their next sync. */
  onStoreEvent(ev: StoreEvent): void {
    if (ev.info !== CONFIGMAPS && ev.info !== SECRETS) return;
    const key = `${ev.info.resource}/${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
    for (const uid of this.users.get(key) ?? []) this.scheduleRefresh(uid);
  }

  /** The pod itself changed: a downwardAPI volume follows its labels and annotations at the next sync. */
  podChanged(pod: Pod, old: Pod | undefined): void {
    const vols = this.get(pod.metadata.uid!);
    if (!vols?.downward || !old) return;
    if (JSON.stringify(old.metadata.labels ?? {}) === JSON.stringify(pod.metadata.labels ?? {}) && JSON.stringify(old.metadata.annotations ?? {}) === JSON.stringify(pod.metadata.annotations ?? {})) return;
    this.scheduleRefresh(pod.metadata.uid!);
  }

  private scheduleRefresh(uid: string): void {
    const vols = this.get(uid);
    if (!vols || vols.refresh !== undefined) return;
    const at = this.cluster.now() + this.cluster.rng.int(REFRESH_MIN_MS, REFRESH_MAX_MS);
    this.cluster.records.set(TABLE, uid, { ...vols, refresh: this.cluster.timers.add(at, 'kubelet.volumes', { uid }) });
  }

  /** The periodic sync: rewrites the files of configMap/secret/projected volumes (a volume that fails keeps its files). */
  refresh(uid: string): void {
    const vols = this.get(uid);
    if (!vols) return;
    const ns = this.cluster.records.get<{ namespace: string; name: string }>('kubelet', uid);
    const pod = ns && (this.cluster.store.get(PODS, ns.namespace, ns.name) as Pod | undefined);
    const next: PodVolumes = { ...vols, trees: { ...vols.trees }, refresh: undefined };
    if (pod && pod.metadata.uid === uid) {
      for (const v of (pod.spec.volumes ?? []) as VolumeSpec[]) {
        if (!(v.name in vols.trees)) continue;
        try {
          next.trees[v.name] = treeOf(this.cluster, pod, v, new Set()) ?? {};
        } catch (e) {
          if (!(e instanceof MountError)) throw e;
        }
      }
    }
    delete next.refresh;
    this.cluster.records.set(TABLE, uid, next);
  }

  /** The mounts of one container (from its volumeMounts). */
  mounts(pod: Pod, container: Container): Mount[] {
    const uid = pod.metadata.uid!;
    const vols = this.get(uid);
    if (!vols) return [];
    const out: Mount[] = [];
    for (const vm of ((container as { volumeMounts?: VolumeMount[] }).volumeMounts ?? []) as VolumeMount[]) {
      const frozen = vm.subPath ? vols.subPathTrees?.[vm.name] : undefined;
      const backend = frozen ? treeBackend(materialize(frozen, pod)) : this.backend(pod, vols, vm.name);
      if (!backend) continue;
      const ro = vm.readOnly || backend.readOnly;
      out.push({ path: normalizePath(vm.mountPath), subPath: normalizePath(vm.subPath ?? '/'), backend: ro ? { ...backend, readOnly: true } : backend });
    }
    return out;
  }

  private backend(pod: Pod, vols: PodVolumes, name: string): MountBackend | undefined {
    const uid = pod.metadata.uid!;
    if (name in vols.trees) return treeBackend(materialize(vols.trees[name], pod));
    if (name in vols.pvs) return this.pvBackend(vols.pvs[name]);
    if (vols.empty.includes(name)) return this.emptyDirBackend(`${uid}\u0000${name}`);
    return undefined;
  }

  private emptyDirBackend(key: string): MountBackend {
    const records = this.cluster.records;
    const tree = (): FsTree => records.get<FsTree>(EMPTY, key) ?? {};
    const entry = (rel: string) => (rel === '/' ? null : tree()[rel]);
    const parentOk = (rel: string) => entry(rel.slice(0, rel.lastIndexOf('/')) || '/') === null;
    return {
      entry,
      write: (rel, content) => {
        const t = tree();
        if (!parentOk(rel) || t[rel] === null || content.length > MAX_FILE_BYTES) return false;
        if (!(rel in t) && Object.keys(t).length >= MAX_FILES_PER_VOLUME) return false;
        records.set(EMPTY, key, { ...t, [rel]: content });
        return true;
      },
      mkdir: (rel) => {
        const t = tree();
        if (rel in t || !parentOk(rel) || Object.keys(t).length >= MAX_FILES_PER_VOLUME) return false;
        records.set(EMPTY, key, { ...t, [rel]: null });
        return true;
      },
      remove: (rel) => {
        const t: FsTree = { ...tree() };
        if (!(rel in t)) return false;
        for (const k of Object.keys(t)) if (k === rel || k.startsWith(rel + '/')) delete t[k];
        records.set(EMPTY, key, t);
        return true;
      },
      list: (rel) => childNames(Object.keys(tree()), rel),
    };
  }

  /** A PV's file store: directories are implied by the files under them (an empty one keeps a hidden marker file). */
  private pvBackend(pv: string): MountBackend {
    const cluster = this.cluster;
    const isDir = (rel: string) => rel === '/' || listFiles(cluster, pv).some((p) => p.startsWith(rel + '/'));
    const hidden = (rel: string) => rel === DIR_MARKER || rel.endsWith('/' + DIR_MARKER);
    return {
      entry: (rel) => (hidden(rel) ? undefined : isDir(rel) ? null : readFile(cluster, pv, rel)),
      write: (rel, content) => {
        try {
          writeFile(cluster, pv, rel, content);
          return true;
        } catch {
          return false;
        }
      },
      mkdir: (rel) => {
        try {
          writeFile(cluster, pv, `${rel}/${DIR_MARKER}`, '');
          return true;
        } catch {
          return false;
        }
      },
      remove: (rel) => {
        if (!isDir(rel)) return deleteFile(cluster, pv, rel);
        for (const p of listFiles(cluster, pv)) if (p.startsWith(rel + '/')) deleteFile(cluster, pv, p);
        return true;
      },
      list: (rel) => childNames(listFiles(cluster, pv), rel).filter((n) => n !== DIR_MARKER),
    };
  }

  /** The pod is gone: its emptyDirs and projected files go too (a PV's files stay). */
  forget(uid: string): void {
    const vols = this.get(uid);
    if (!vols) return;
    if (vols.refresh !== undefined) this.cluster.timers.cancel(vols.refresh);
    for (const name of vols.empty) this.cluster.records.delete(EMPTY, `${uid}\u0000${name}`);
    for (const r of vols.refs) {
      const s = this.users.get(r);
      s?.delete(uid);
      if (s && s.size === 0) this.users.delete(r);
    }
    this.cluster.records.delete(TABLE, uid);
  }
}
