import { PRINTERS } from '../../sim/apiserver/printers/printers.ts';
import type { ResourceInfo } from '../../sim/apiserver/resources.ts';
import type { KObject } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';

/** The cells `kubectl get` prints for one object (the wide columns included). */
export function printTableRow(c: Cluster, info: ResourceInfo, obj: KObject): unknown[] {
  const p = PRINTERS[`${info.group}/${info.resource}`];
  if (!p) throw new Error(`no printer for ${info.resource}`);
  return p.row(obj as never, c.now());
}
