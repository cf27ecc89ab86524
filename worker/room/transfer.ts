import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster, type ClusterSnapshot } from '../../sim/cluster.ts';
import * as Y from 'yjs';

/** An exported sandbox: its whole cluster state and its shared documents. No tokens: an import gets new ones. */
export interface SandboxFile {
  format: 'kuberoom.sandbox/v1';
  exportedAt: string;
  /** the sandbox it was exported from */
  source?: string;
  clock: { paused: boolean; speed: number };
  cluster: ClusterSnapshot;
  /** shared docs (`notes`, `file:<name>`) as base64 Yjs updates */
  docs: Record<string, string>;
}

export const SANDBOX_FILE_FORMAT = 'kuberoom.sandbox/v1';
/** Largest sandbox file an import accepts. */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

export class ImportError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Checks a sandbox file and loads its cluster once (so a file the sim cannot continue from is refused here,
 * before any sandbox is made). Throws ImportError with the reason.
 */
export function validateSandboxFile(value: unknown): SandboxFile {
  if (!isObject(value)) throw new ImportError('the file must be a JSON object');
  if (value.format !== SANDBOX_FILE_FORMAT) throw new ImportError(`format must be "${SANDBOX_FILE_FORMAT}" (is this a Kuberoom export?)`);
  const cluster = value.cluster;
  if (!isObject(cluster) || cluster.format !== 'kuberoom.cluster/v1') throw new ImportError('cluster.format must be "kuberoom.cluster/v1"');
  const records = cluster.records;
  if (!isObject(records)) throw new ImportError('cluster.records must be an object of tables');
  for (const [table, rows] of Object.entries(records)) {
    if (!isObject(rows)) throw new ImportError(`cluster.records.${table} must be an object of records`);
  }
  const meta = records.meta;
  if (!isObject(meta) || !Array.isArray(meta.rng) || meta.rng.length !== 4 || !meta.rng.every((x) => Number.isInteger(x)) || typeof meta.now !== 'number' || !Number.isFinite(meta.now)) {
    throw new ImportError('cluster.records.meta must hold the random source (rng) and the clock (now)');
  }
  const clock = isObject(value.clock) ? value.clock : {};
  const speed = typeof clock.speed === 'number' && clock.speed >= 0.5 && clock.speed <= 100 ? clock.speed : 1;
  const docs: Record<string, string> = {};
  if (value.docs !== undefined) {
    if (!isObject(value.docs)) throw new ImportError('docs must be an object of base64 Yjs updates');
    for (const [name, b64] of Object.entries(value.docs)) {
      if (typeof b64 !== 'string') throw new ImportError(`docs.${name} must be a base64 string`);
      try {
        Y.applyUpdate(new Y.Doc(), fromBase64(b64));
      } catch {
        throw new ImportError(`docs.${name} is not a valid Yjs update`);
      }
      docs[name] = b64;
    }
  }
  try {
    restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(cluster)) as unknown as ClusterSnapshot));
  } catch (e) {
    throw new ImportError(`the cluster state does not load: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    format: SANDBOX_FILE_FORMAT,
    exportedAt: typeof value.exportedAt === 'string' ? value.exportedAt : '',
    source: typeof value.source === 'string' ? value.source : undefined,
    clock: { paused: clock.paused === true, speed },
    cluster: cluster as unknown as ClusterSnapshot,
    docs,
  };
}

/** Parses the text of a sandbox file; throws ImportError with the reason. */
export function parseSandboxFile(text: string): SandboxFile {
  if (text.length > MAX_IMPORT_BYTES) throw new ImportError(`the file is larger than ${MAX_IMPORT_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ImportError(`the file is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return validateSandboxFile(value);
}
