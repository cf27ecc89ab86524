/**
 * The PersistentVolume controller (pkg/controller/volume/persistentvolume) with the protection controllers
 * and a simulated external provisioner:
 * - a Pending claim binds to the smallest Available PV that fits (class, access modes, size, volume mode),
 *   or, when its class has a provisioner the sim runs, gets a new PV: at once for `Immediate` classes, once a
 *   pod using it is scheduled for `WaitForFirstConsumer` ones (event WaitForFirstConsumer meanwhile);
 * - binding writes both sides (PV claimRef and phase Bound; claim volumeName, annotations, status);
 * - a PV whose claim is gone is Released, then deleted with its data (reclaim policy Delete) or kept (Retain);
 * - `kubernetes.io/pvc-protection` keeps a claim a pod uses until the pod is gone, `kubernetes.io/pv-protection`
 *   keeps a PV until it is no longer Bound.
 * Provisioning takes a second of virtual time (timer `storage.provision`).
 */
import { StatusError } from '../apiserver/errors.ts';
import { findResource, PODS } from '../apiserver/resources.ts';
import { defaultStorageClass, type PVCSpec, type PVSpec } from '../apiserver/registry/storage.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject, Pod } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { parseQuantity } from '../util/quantity.ts';
import { provisionedVolume, SIMULATED_PROVISIONERS } from '../storage/provisioner.ts';
import { deleteVolumeData } from '../storage/volumes.ts';

export const PVCS = findResource('', 'persistentvolumeclaims')!;
export const PVS = findResource('', 'persistentvolumes')!;
export const STORAGE_CLASSES = findResource('storage.k8s.io', 'storageclasses')!;
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const PROVISION_DELAY_MS = 1000;
const SOURCE = { component: 'persistentvolume-controller' };

type Claim = KObject & { spec: PVCSpec; status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string> } };
type Volume = KObject & { spec: PVSpec; status?: { phase?: string; reason?: string; message?: string } };

function claimKey(ns: string, name: string): string {
  return `${ns}/${name}`;
}

function podClaims(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of (pod.spec.volumes ?? []) as { persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown; name?: string }[]) {
    if (v.persistentVolumeClaim?.claimName) out.push(claimKey(pod.metadata.namespace!, v.persistentVolumeClaim.claimName));
  }
  return out;
}

function podActive(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export class PersistentVolumeController implements Component {
  readonly name = 'persistentvolume-controller';
  private claims = new Set<string>();
  private volumes = new Set<string>();
  /** claim key → pods (keys) whose volumes name it */
  private users = new Map<string, Set<string>>();
  private cluster: Cluster;

  readonly timers = {
    'storage.provision': (d: { claim: string; uid: string; node?: string }) => this.provision(d.claim, d.uid, d.node),
  };

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  restore(): void {
    this.users.clear();
    for (const p of this.cluster.store.list(PODS)) this.indexPod(undefined, p as Pod);
    for (const c of this.cluster.store.list(PVCS)) this.claims.add(claimKey(c.metadata.namespace!, c.metadata.name!));
    for (const v of this.cluster.store.list(PVS)) this.volumes.add(v.metadata.name!);
  }

  private indexPod(old: Pod | undefined, now: Pod | undefined): void {
    const key = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;
    if (old) for (const c of podClaims(old)) this.users.get(c)?.delete(key(old));
    if (now) {
      for (const c of podClaims(now)) {
        let s = this.users.get(c);
        if (!s) this.users.set(c, (s = new Set()));
        s.add(key(now));
      }
    }
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === PODS) {
      const now = ev.type === 'DELETED' ? undefined : (ev.object as Pod);
      this.indexPod(ev.old as Pod | undefined, now);
      // A pod scheduled (WaitForFirstConsumer), finished or gone (protection) changes its claims.
      const scheduledNow = now?.spec.nodeName && !(ev.old as Pod | undefined)?.spec.nodeName;
      const ended = !now || !podActive(now) || !!now.metadata.deletionTimestamp;
      if (scheduledNow || ended || ev.type === 'ADDED') for (const c of podClaims((now ?? ev.old ?? ev.object) as Pod)) this.claims.add(c);
    } else if (ev.info === PVCS) {
      this.claims.add(claimKey(ev.object.metadata.namespace!, ev.object.metadata.name!));
      const vol = (ev.object as Claim).spec?.volumeName;
      if (vol) this.volumes.add(vol);
    } else if (ev.info === PVS) {
      this.volumes.add(ev.object.metadata.name!);
      const ref = (ev.object as Volume).spec?.claimRef;
      if (ref?.namespace && ref.name) this.claims.add(claimKey(ref.namespace, ref.name));
      // A new volume may serve claims that wait (the real controller finds them at its 15 s claim resync).
      if (ev.type === 'ADDED' && !ref) for (const c of this.cluster.store.list(PVCS)) if ((c as Claim).status?.phase === 'Pending') this.claims.add(claimKey(c.metadata.namespace!, c.metadata.name!));
    } else if (ev.info === STORAGE_CLASSES && ev.type === 'ADDED') {
      // A class that appears may serve claims that waited for it.
      for (const c of this.cluster.store.list(PVCS)) if ((c as Claim).status?.phase === 'Pending') this.claims.add(claimKey(c.metadata.namespace!, c.metadata.name!));
    }
  }

  runQueue(): boolean {
    if (this.claims.size === 0 && this.volumes.size === 0) return false;
    const claims = [...this.claims];
    const volumes = [...this.volumes];
    this.claims.clear();
    this.volumes.clear();
    for (const c of claims) this.guard(() => this.syncClaim(c));
    for (const v of volumes) this.guard(() => this.syncVolume(v));
    return true;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }

  private event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, source = SOURCE): void {
    this.cluster.events.record(obj, type, reason, message, source);
  }

  private activeUsers(key: string): Pod[] {
    const out: Pod[] = [];
    for (const k of this.users.get(key) ?? []) {
      const i = k.indexOf('/');
      const p = this.cluster.store.get(PODS, k.slice(0, i), k.slice(i + 1)) as Pod | undefined;
      if (p && podActive(p)) out.push(p);
    }
    return out;
  }

  private syncClaim(key: string): void {
    const { store, api } = this.cluster;
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const name = key.slice(i + 1);
    const claim = store.get(PVCS, ns, name) as Claim | undefined;
    if (!claim) return;
    if (claim.metadata.deletionTimestamp) {
      // pvc-protection: the claim goes once no pod uses it.
      if (this.activeUsers(key).length === 0 && claim.metadata.finalizers?.includes('kubernetes.io/pvc-protection')) {
        const fin = claim.metadata.finalizers.filter((f) => f !== 'kubernetes.io/pvc-protection');
        api.update(PVCS, ns, name, { ...claim, metadata: { ...claim.metadata, finalizers: fin } });
      }
      if (claim.spec.volumeName) this.volumes.add(claim.spec.volumeName);
      return;
    }
    const phase = claim.status?.phase ?? 'Pending';
    if (phase === 'Bound' || phase === 'Lost') {
      const pv = claim.spec.volumeName ? (store.get(PVS, undefined, claim.spec.volumeName) as Volume | undefined) : undefined;
      if (phase === 'Bound' && !pv) {
        this.setClaimStatus(claim, { phase: 'Lost' });
        this.event(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    // Pre-bound to a named PV.
    if (claim.spec.volumeName) {
      const pv = store.get(PVS, undefined, claim.spec.volumeName) as Volume | undefined;
      if (!pv) {
        this.event(claim, 'Normal', 'FailedBinding', `volume "${claim.spec.volumeName}" not found`);
        return;
      }
      const ref = pv.spec.claimRef;
      if (ref && (ref.namespace !== ns || ref.name !== name || (ref.uid && ref.uid !== claim.metadata.uid))) {
        this.event(claim, 'Warning', 'FailedBinding', `volume "${pv.metadata.name}" already bound to a different claim.`);
        return;
      }
      this.bind(claim, pv);
      return;
    }
    const className = this.claimClass(claim);
    const pv = this.findVolume(claim, className);
    if (pv) {
      this.bind(claim, pv);
      return;
    }
    if (!className) {
      this.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    const sc = store.get(STORAGE_CLASSES, undefined, className);
    if (!sc) {
      this.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    if (sc.volumeBindingMode === 'WaitForFirstConsumer') {
      const selected = claim.metadata.annotations?.[SELECTED_NODE] ?? this.activeUsers(key).find((p) => p.spec.nodeName)?.spec.nodeName;
      if (!selected) {
        this.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        return;
      }
      if (claim.metadata.annotations?.[SELECTED_NODE] !== selected) {
        const next = { ...claim, metadata: { ...claim.metadata, annotations: { ...(claim.metadata.annotations ?? {}), [SELECTED_NODE]: selected } } };
        api.update(PVCS, ns, name, next);
        return;
      }
      this.startProvisioning(claim, sc, selected);
      return;
    }
    if (sc.provisioner === 'kubernetes.io/no-provisioner') {
      this.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    this.startProvisioning(claim, sc, undefined);
  }

  private claimClass(claim: Claim): string {
    return claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? claim.spec.storageClassName ?? '';
  }

  private startProvisioning(claim: Claim, sc: KObject, node: string | undefined): void {
    const prov = String(sc.provisioner);
    const ann = claim.metadata.annotations ?? {};
    if (ann['volume.kubernetes.io/storage-provisioner'] !== prov) {
      const next = { ...claim, metadata: { ...claim.metadata, annotations: { ...ann, 'volume.beta.kubernetes.io/storage-provisioner': prov, 'volume.kubernetes.io/storage-provisioner': prov } } };
      this.cluster.api.update(PVCS, claim.metadata.namespace, claim.metadata.name!, next);
      this.event(claim, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${prov}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
      if (!SIMULATED_PROVISIONERS.has(prov)) return;
      this.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claim.metadata.namespace}/${claim.metadata.name}"`, { component: `${prov}_kuberoom-provisioner` });
      this.cluster.timers.add(this.cluster.now() + PROVISION_DELAY_MS, 'storage.provision', { claim: claimKey(claim.metadata.namespace!, claim.metadata.name!), uid: claim.metadata.uid, node });
    }
  }

  /** The simulated provisioner finishes: a PV for the claim, which the controller then binds. */
  private provision(key: string, uid: string, node: string | undefined): void {
    this.guard(() => {
      const i = key.indexOf('/');
      const claim = this.cluster.store.get(PVCS, key.slice(0, i), key.slice(i + 1)) as Claim | undefined;
      if (!claim || claim.metadata.uid !== uid || claim.metadata.deletionTimestamp || claim.spec.volumeName) return;
      const sc = this.cluster.store.get(STORAGE_CLASSES, undefined, this.claimClass(claim));
      if (!sc) return;
      const pv = provisionedVolume(claim, sc, node);
      if (!this.cluster.store.get(PVS, undefined, pv.metadata.name!)) this.cluster.api.create(PVS, undefined, pv);
      this.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`, { component: `${sc.provisioner}_kuberoom-provisioner` });
      this.claims.add(key);
    });
  }

  /** The smallest Available PV that fits the claim (or one already reserved for it). */
  private findVolume(claim: Claim, className: string): Volume | undefined {
    const want = parseQuantity(claim.spec.resources?.requests?.storage) ?? 0;
    const modes = claim.spec.accessModes ?? [];
    let best: Volume | undefined;
    let bestSize = Infinity;
    for (const v of this.cluster.store.list(PVS) as Volume[]) {
      if (v.metadata.deletionTimestamp) continue;
      const ref = v.spec.claimRef;
      if (ref) {
        if (ref.namespace !== claim.metadata.namespace || ref.name !== claim.metadata.name) continue;
        if (ref.uid && ref.uid !== claim.metadata.uid) continue;
        return v;
      }
      if (v.status?.phase && v.status.phase !== 'Available' && v.status.phase !== 'Pending') continue;
      if ((v.spec.storageClassName ?? '') !== className) continue;
      if ((v.spec.volumeMode ?? 'Filesystem') !== (claim.spec.volumeMode ?? 'Filesystem')) continue;
      if (!modes.every((m) => (v.spec.accessModes ?? []).includes(m))) continue;
      const size = parseQuantity(v.spec.capacity?.storage) ?? 0;
      if (size < want) continue;
      if (size < bestSize) {
        best = v;
        bestSize = size;
      }
    }
    return best;
  }

  private bind(claim: Claim, pv: Volume): void {
    const { api } = this.cluster;
    const ns = claim.metadata.namespace!;
    const name = claim.metadata.name!;
    // The PV side first, as the controller does.
    let vol = pv;
    if (!vol.spec.claimRef || vol.spec.claimRef.uid !== claim.metadata.uid) {
      vol = api.update(PVS, undefined, pv.metadata.name!, {
        ...pv,
        metadata: { ...pv.metadata, annotations: { ...(pv.metadata.annotations ?? {}), 'pv.kubernetes.io/bound-by-controller': 'yes' } },
        spec: { ...pv.spec, claimRef: { kind: 'PersistentVolumeClaim', namespace: ns, name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion } },
      }) as Volume;
    }
    if (vol.status?.phase !== 'Bound') vol = api.update(PVS, undefined, vol.metadata.name!, { ...vol, status: { phase: 'Bound' } }, { subresource: 'status' }) as Volume;
    let c = this.cluster.store.get(PVCS, ns, name) as Claim;
    if (c.spec.volumeName !== vol.metadata.name || c.metadata.annotations?.['pv.kubernetes.io/bind-completed'] !== 'yes') {
      const ann: Record<string, string> = { ...(c.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes' };
      if (!c.spec.volumeName) ann['pv.kubernetes.io/bound-by-controller'] = 'yes';
      c = api.update(PVCS, ns, name, { ...c, metadata: { ...c.metadata, annotations: ann }, spec: { ...c.spec, volumeName: vol.metadata.name } }) as Claim;
    }
    this.setClaimStatus(c, { phase: 'Bound', accessModes: vol.spec.accessModes, capacity: vol.spec.capacity });
  }

  private setClaimStatus(claim: Claim, status: Record<string, unknown>): void {
    if (JSON.stringify(claim.status ?? {}) === JSON.stringify(status)) return;
    this.cluster.api.update(PVCS, claim.metadata.namespace, claim.metadata.name!, { ...claim, status }, { subresource: 'status' });
  }

  private syncVolume(name: string): void {
    const { store, api } = this.cluster;
    const pv = store.get(PVS, undefined, name) as Volume | undefined;
    if (!pv) return;
    const phase = pv.status?.phase ?? 'Pending';
    if (pv.metadata.deletionTimestamp) {
      if (phase !== 'Bound' && pv.metadata.finalizers?.includes('kubernetes.io/pv-protection')) {
        api.update(PVS, undefined, name, { ...pv, metadata: { ...pv.metadata, finalizers: pv.metadata.finalizers.filter((f) => f !== 'kubernetes.io/pv-protection') } });
      }
      return;
    }
    const ref = pv.spec.claimRef;
    if (!ref) {
      if (phase !== 'Available') api.update(PVS, undefined, name, { ...pv, status: { phase: 'Available' } }, { subresource: 'status' });
      return;
    }
    const claim = ref.namespace && ref.name ? (store.get(PVCS, ref.namespace, ref.name) as Claim | undefined) : undefined;
    const claimGone = !claim || (ref.uid && claim.metadata.uid !== ref.uid) || !!claim.metadata.deletionTimestamp && !claim.metadata.finalizers?.length;
    if (!claimGone) {
      if (phase === 'Pending' || phase === 'Available') {
        // Pre-bound (claimRef written by a user or the provisioner): the claim's sync binds both sides.
        if (claim) this.claims.add(claimKey(claim.metadata.namespace!, claim.metadata.name!));
        if (phase === 'Pending') api.update(PVS, undefined, name, { ...pv, status: { phase: 'Available' } }, { subresource: 'status' });
      }
      return;
    }
    if (!ref.uid && !claim) {
      // Reserved for a claim that does not exist yet.
      if (phase !== 'Available') api.update(PVS, undefined, name, { ...pv, status: { phase: 'Available' } }, { subresource: 'status' });
      return;
    }
    if (phase === 'Bound' || phase === 'Pending' || phase === 'Available') {
      api.update(PVS, undefined, name, { ...pv, status: { phase: 'Released' } }, { subresource: 'status' });
      return;
    }
    if (phase === 'Released') {
      const policy = pv.spec.persistentVolumeReclaimPolicy ?? 'Retain';
      if (policy === 'Delete') {
        deleteVolumeData(this.cluster, name);
        api.delete(PVS, undefined, name);
      } else if (policy === 'Recycle') {
        deleteVolumeData(this.cluster, name);
        const { claimRef: _gone, ...spec } = pv.spec;
        const next = api.update(PVS, undefined, name, { ...pv, spec }) as Volume;
        api.update(PVS, undefined, name, { ...next, status: { phase: 'Available' } }, { subresource: 'status' });
      }
    }
  }
}

/** For tests and tools: the default StorageClass of a cluster. */
export function clusterDefaultClass(cluster: Cluster): KObject | undefined {
  return defaultStorageClass(cluster.store.list(STORAGE_CLASSES));
}
