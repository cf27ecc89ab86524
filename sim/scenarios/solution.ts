/**
 * A scenario's solution steps: applied to a cluster through the API (the sim tests, a "show me" button), or
 * turned into the kubectl command a learner would type (the e2e tests, the instructor's notes).
 */
import { parseAllDocuments } from 'yaml';
import { RESOURCES, type ResourceInfo } from '../apiserver/resources.ts';
import type { Cluster } from '../cluster.ts';
import { applyFault } from '../nodes/faults.ts';
import { applyObject } from './start.ts';
import type { SolutionStep } from './types.ts';

export function resourceOfKind(kind: string): ResourceInfo {
  const k = kind.toLowerCase();
  const info = RESOURCES.find((r) => r.kind.toLowerCase() === k || r.resource === k || r.singular === k || r.shortNames?.includes(k));
  if (!info) throw new Error(`unknown kind ${kind}`);
  return info;
}

/** Applies one step to the cluster (API writes settle; `wait` advances the virtual clock). */
export function applyStep(cluster: Cluster, step: SolutionStep): void {
  if ('apply' in step) {
    for (const d of parseAllDocuments(step.apply) as any[]) {
      const obj = d.toJS();
      if (obj) applyObject(cluster, obj);
    }
  } else if ('patch' in step) {
    const p = step.patch;
    const info = resourceOfKind(p.kind);
    cluster.api.patch(info, info.namespaced ? (p.namespace ?? 'default') : undefined, p.name, p.type, p.patch);
  } else if ('delete' in step) {
    const d = step.delete;
    const info = resourceOfKind(d.kind);
    const ns = info.namespaced ? (d.namespace ?? 'default') : undefined;
    if (d.name) cluster.api.delete(info, ns, d.name);
    else {
      for (const o of cluster.api.list(info, ns, { labelSelector: d.selector, fieldSelector: d.fieldSelector }).items) cluster.api.delete(info, ns, o.metadata.name!);
    }
  } else if ('fault' in step) {
    applyFault(cluster, step.fault);
  } else if ('wait' in step) {
    cluster.advance(step.wait * 1000);
    return;
  }
  cluster.settle();
}

export type KubectlStep = { kubectl: string[]; stdin?: string } | { fault: { fault: string; node?: string } } | { wait: number };

/** The kubectl command (or room route) a learner would use for a step. */
export function kubectlStep(step: SolutionStep): KubectlStep {
  if ('apply' in step) return { kubectl: ['apply', '-f', '-'], stdin: step.apply };
  if ('patch' in step) {
    const p = step.patch;
    const info = resourceOfKind(p.kind);
    const ns = info.namespaced ? ['-n', p.namespace ?? 'default'] : [];
    return { kubectl: ['patch', `${info.singular}${info.group ? '.' + info.group : ''}`, p.name, ...ns, '--type', p.type, '-p', JSON.stringify(p.patch)] };
  }
  if ('delete' in step) {
    const d = step.delete;
    const info = resourceOfKind(d.kind);
    const ns = info.namespaced ? ['-n', d.namespace ?? 'default'] : [];
    const kind = `${info.singular}${info.group ? '.' + info.group : ''}`;
    const sel = [...(d.selector ? ['-l', d.selector] : []), ...(d.fieldSelector ? ['--field-selector', d.fieldSelector] : [])];
    return { kubectl: d.name ? ['delete', kind, d.name, ...ns, '--wait=false'] : ['delete', kind, ...sel, ...ns, '--wait=false'] };
  }
  if ('fault' in step) return { fault: step.fault };
  return { wait: step.wait };
}
