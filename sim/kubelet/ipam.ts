import type { Node } from '../apiserver/types.ts';
import type { RecordStore } from '../state/records.ts';

interface NodeAllocations {
  /** last host number handed out (the host-local plugin goes round the range) */
  last: number;
  used: Record<string, string>; // ip -> pod uid
}

const TABLE = 'ipam';

/** Pod IPs from each node's pod CIDR (a /24), handed out like the host-local CNI plugin: in turn, no reuse until the range wraps. */
export class PodIPAM {
  private records: RecordStore;

  constructor(records: RecordStore) {
    this.records = records;
  }

  allocate(node: Node, uid: string): string {
    const cidr = node.spec.podCIDR ?? '10.244.0.0/24';
    const base = cidr.split('/')[0].split('.').slice(0, 3).join('.');
    const cur = this.records.get<NodeAllocations>(TABLE, node.metadata.name!) ?? { last: 1, used: {} };
    const used = { ...cur.used };
    for (let step = 1; step <= 253; step++) {
      const host = ((cur.last - 2 + step) % 253) + 2; // .2 ... .254 (.1 is the bridge)
      const ip = `${base}.${host}`;
      if (!used[ip]) {
        used[ip] = uid;
        this.records.set(TABLE, node.metadata.name!, { last: host, used });
        return ip;
      }
    }
    throw new Error(`no IP addresses available in range set: ${cidr}`);
  }

  /** Frees a pod's IP (only while it is still that pod's: a released IP may have gone to another pod since). */
  release(nodeName: string, ip: string, uid?: string): void {
    const cur = this.records.get<NodeAllocations>(TABLE, nodeName);
    if (!cur?.used[ip] || (uid !== undefined && cur.used[ip] !== uid)) return;
    const used = { ...cur.used };
    delete used[ip];
    this.records.set(TABLE, nodeName, { last: cur.last, used });
  }
}
