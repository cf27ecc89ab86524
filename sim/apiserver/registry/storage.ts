/** StorageClasses, PersistentVolumes and PersistentVolumeClaims: defaulting, validation and admission. */
import { findResource } from '../resources.ts';
import type { FieldError } from '../errors.ts';
import type { Strategy } from '../strategy.ts';
import type { KObject } from '../types.ts';
import { parseQuantity, QUANTITY_ERROR } from '../../util/quantity.ts';
import { assertShape, PV_SHAPE, PVC_SHAPE, STORAGE_CLASS_SHAPE } from '../../network/shape.ts';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const VOLUME_SOURCES = ['hostPath', 'local', 'nfs', 'csi', 'iscsi', 'fc', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile', 'cephfs', 'rbd', 'cinder', 'flexVolume', 'glusterfs', 'portworxVolume', 'vsphereVolume', 'quobyte', 'scaleIO', 'storageos', 'photonPersistentDisk', 'flocker'];
const STORAGE_CLASSES = findResource('storage.k8s.io', 'storageclasses')!;

export interface PVCSpec {
  accessModes?: string[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  storageClassName?: string | null;
  volumeName?: string;
  volumeMode?: string;
  selector?: unknown;
  volumeAttributesClassName?: string;
}

export interface PVSpec {
  capacity?: Record<string, string>;
  accessModes?: string[];
  persistentVolumeReclaimPolicy?: string;
  storageClassName?: string;
  volumeMode?: string;
  claimRef?: { kind?: string; apiVersion?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string };
  nodeAffinity?: unknown;
  hostPath?: { path: string; type?: string };
  [source: string]: unknown;
}

function isDefaultClass(o: KObject): boolean {
  const a = o.metadata.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/** The default StorageClass: the newest of those marked default (as the DefaultStorageClass admission picks). */
export function defaultStorageClass(list: KObject[]): KObject | undefined {
  let best: KObject | undefined;
  for (const sc of list) {
    if (!isDefaultClass(sc)) continue;
    if (!best || String(sc.metadata.creationTimestamp) > String(best.metadata.creationTimestamp) || (sc.metadata.creationTimestamp === best.metadata.creationTimestamp && sc.metadata.name! < best.metadata.name!)) best = sc;
  }
  return best;
}

function validateAccessModes(modes: unknown, field: string, errs: FieldError[]): void {
  if (!Array.isArray(modes) || modes.length === 0) {
    errs.push({ type: 'FieldValueRequired', field, detail: 'at least 1 access mode is required' });
    return;
  }
  for (const m of modes) if (!ACCESS_MODES.includes(m)) errs.push({ type: 'FieldValueNotSupported', field, value: m, supported: ACCESS_MODES });
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) errs.push({ type: 'FieldValueForbidden', field, detail: 'may not use ReadWriteOncePod with other access modes' });
}

function validateStorage(q: unknown, field: string, errs: FieldError[]): void {
  if (q === undefined) {
    errs.push({ type: 'FieldValueRequired', field });
    return;
  }
  const v = parseQuantity(q);
  if (v === undefined) errs.push({ type: 'FieldValueInvalid', field, value: q, detail: QUANTITY_ERROR });
  else if (v <= 0) errs.push({ type: 'FieldValueInvalid', field, value: q, detail: 'must be greater than zero' });
}

export const storageClassStrategy: Strategy = {
  defaults(obj) {
    assertShape(obj, 'StorageClass', 'storage.k8s.io/v1', STORAGE_CLASS_SHAPE);
    obj.reclaimPolicy ??= 'Delete';
    obj.volumeBindingMode ??= 'Immediate';
  },
  validate(obj) {
    const errs: FieldError[] = [];
    if (!obj.provisioner) errs.push({ type: 'FieldValueRequired', field: 'provisioner' });
    if (!RECLAIM_POLICIES.includes(String(obj.reclaimPolicy))) errs.push({ type: 'FieldValueNotSupported', field: 'reclaimPolicy', value: obj.reclaimPolicy, supported: RECLAIM_POLICIES });
    if (!BINDING_MODES.includes(String(obj.volumeBindingMode))) errs.push({ type: 'FieldValueNotSupported', field: 'volumeBindingMode', value: obj.volumeBindingMode, supported: BINDING_MODES });
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    if (obj.provisioner !== old.provisioner) errs.push({ type: 'FieldValueForbidden', field: 'provisioner', detail: 'updates to provisioner are forbidden.' });
    if (JSON.stringify(obj.parameters ?? {}) !== JSON.stringify(old.parameters ?? {})) errs.push({ type: 'FieldValueForbidden', field: 'parameters', detail: 'updates to parameters are forbidden.' });
    if (obj.reclaimPolicy !== old.reclaimPolicy) errs.push({ type: 'FieldValueForbidden', field: 'reclaimPolicy', detail: 'updates to reclaimPolicy are forbidden.' });
    if (obj.volumeBindingMode !== old.volumeBindingMode) errs.push({ type: 'FieldValueInvalid', field: 'volumeBindingMode', value: obj.volumeBindingMode, detail: 'field is immutable' });
    return errs;
  },
};

export const pvcStrategy: Strategy = {
  hasStatus: true,
  defaults(obj) {
    assertShape(obj, 'PersistentVolumeClaim', 'v1', PVC_SHAPE);
    const spec = ((obj.spec ??= {}) as PVCSpec);
    spec.volumeMode ??= 'Filesystem';
  },
  prepareForCreate(obj, ctx) {
    const spec = obj.spec as PVCSpec;
    // DefaultStorageClass admission: a claim that names no class gets the default one.
    if (spec.storageClassName === undefined || spec.storageClassName === null) {
      const sc = ctx.store && defaultStorageClass(ctx.store.list(STORAGE_CLASSES));
      if (sc) spec.storageClassName = sc.metadata.name;
    }
    // StorageObjectInUseProtection admission.
    const fin = (obj.metadata.finalizers ??= []);
    if (!fin.includes('kubernetes.io/pvc-protection')) fin.push('kubernetes.io/pvc-protection');
    obj.status = { phase: 'Pending' };
  },
  validate(obj) {
    const spec = obj.spec as PVCSpec;
    const errs: FieldError[] = [];
    validateAccessModes(spec.accessModes, 'spec.accessModes', errs);
    validateStorage(spec.resources?.requests?.storage, 'spec.resources[storage]', errs);
    if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push({ type: 'FieldValueNotSupported', field: 'spec.volumeMode', value: spec.volumeMode, supported: VOLUME_MODES });
    return errs;
  },
  validateUpdate(obj, old) {
    const errs = pvcStrategy.validate!(obj, undefined as never);
    if (errs.length) return errs;
    const a = { ...(obj.spec as PVCSpec), resources: undefined, volumeAttributesClassName: undefined };
    const b = { ...(old.spec as PVCSpec), resources: undefined, volumeAttributesClassName: undefined };
    // The binder fills in volumeName once; anything else is fixed after creation.
    if (!b.volumeName) delete a.volumeName, delete b.volumeName;
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      return [{ type: 'FieldValueForbidden', field: 'spec', detail: 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' }];
    }
    const was = parseQuantity((old.spec as PVCSpec).resources?.requests?.storage) ?? 0;
    const now = parseQuantity((obj.spec as PVCSpec).resources?.requests?.storage) ?? 0;
    if (now < was) return [{ type: 'FieldValueForbidden', field: 'spec.resources.requests.storage', detail: 'field can not be less than status.capacity' }];
    if (now !== was && old.status && (old.status as { phase?: string }).phase !== 'Bound') {
      return [{ type: 'FieldValueForbidden', field: 'spec', detail: 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' }];
    }
    return [];
  },
};

export const pvStrategy: Strategy = {
  hasStatus: true,
  defaults(obj) {
    assertShape(obj, 'PersistentVolume', 'v1', PV_SHAPE);
    const spec = ((obj.spec ??= {}) as PVSpec);
    spec.persistentVolumeReclaimPolicy ??= 'Retain';
    spec.volumeMode ??= 'Filesystem';
  },
  prepareForCreate(obj) {
    const fin = (obj.metadata.finalizers ??= []);
    if (!fin.includes('kubernetes.io/pv-protection')) fin.push('kubernetes.io/pv-protection');
    obj.status = { phase: 'Pending' };
  },
  validate(obj) {
    const spec = obj.spec as PVSpec;
    const errs: FieldError[] = [];
    validateAccessModes(spec.accessModes, 'spec.accessModes', errs);
    if (!spec.capacity) errs.push({ type: 'FieldValueRequired', field: 'spec.capacity' });
    else validateStorage(spec.capacity.storage, 'spec.capacity[storage]', errs);
    const sources = VOLUME_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
    if (sources.length === 0) errs.push({ type: 'FieldValueRequired', field: 'spec', detail: 'must specify a volume type' });
    else if (sources.length > 1) errs.push({ type: 'FieldValueForbidden', field: `spec.${sources[1]}`, detail: 'may not specify more than 1 volume type' });
    if (!RECLAIM_POLICIES.includes(String(spec.persistentVolumeReclaimPolicy))) {
      errs.push({ type: 'FieldValueNotSupported', field: 'spec.persistentVolumeReclaimPolicy', value: spec.persistentVolumeReclaimPolicy, supported: RECLAIM_POLICIES });
    }
    return errs;
  },
};
