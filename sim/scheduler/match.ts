// Matching helpers of kube-scheduler's plugins: node selector terms, tolerations, pod affinity terms.
import { matchesLabels, selectorFromSpec, type LabelSelector, type LabelSelectorSpec } from '../apiserver/selectors.ts';
import type { Node, Pod, Taint, Toleration } from '../apiserver/types.ts';

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[] | null;
  matchFields?: NodeSelectorRequirement[] | null;
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelectorSpec | null;
  namespaces?: string[] | null;
  namespaceSelector?: LabelSelectorSpec | null;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } | null;
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[] | null;
  } | null;
  podAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] | null;
    preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[] | null;
  } | null;
  podAntiAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] | null;
    preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[] | null;
  } | null;
}

export function affinityOf(pod: Pod): Affinity {
  return (pod.spec.affinity ?? {}) as Affinity;
}

/** One node selector requirement against a node's labels (or, for matchFields, its fields). */
function requirementMatches(r: NodeSelectorRequirement, get: (key: string) => string | undefined): boolean {
  const v = get(r.key);
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || !/^-?\d+$/.test(v) || values.length !== 1 || !/^-?\d+$/.test(values[0])) return false;
      return r.operator === 'Gt' ? Number(v) > Number(values[0]) : Number(v) < Number(values[0]);
    }
    default:
      return false;
  }
}

/** A node selector term: its expressions and fields ANDed; a term with neither matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, (k) => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined))) return false;
  for (const r of fields) if (!requirementMatches(r, (k) => (k === 'metadata.name' ? node.metadata.name : undefined))) return false;
  return true;
}

/** NodeAffinity's filter: the pod's nodeSelector and its required node affinity (terms ORed). */
export function nodeMatchesRequired(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const req = affinityOf(pod).nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) {
    const terms = req.nodeSelectorTerms ?? [];
    if (!terms.some((t) => termMatches(t, node))) return false;
  }
  return true;
}

export function tolerates(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

export function toleratesAny(tolerations: Toleration[] | undefined, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

/** A label selector that matches nothing when absent (as pod affinity terms and spread constraints treat nil). */
export function selectorOrNothing(spec: LabelSelectorSpec | null | undefined): LabelSelector | null {
  if (!spec) return null;
  try {
    return selectorFromSpec(spec);
  } catch {
    return null;
  }
}

export function selects(sel: LabelSelector | null, labels: Record<string, string> | undefined): boolean {
  return sel !== null && matchesLabels(sel, labels);
}

/** A pod affinity term resolved against its owner pod: the selector and which namespaces it looks at. */
export interface ResolvedTerm {
  selector: LabelSelector | null;
  /** explicit namespaces (empty with `allNamespaces` false and no selector: none) */
  namespaces: Set<string>;
  namespaceSelector: LabelSelector | null;
  allNamespaces: boolean;
  topologyKey: string;
  weight: number;
}

export function resolveTerm(term: PodAffinityTerm, owner: Pod, weight = 1): ResolvedTerm {
  let selector = selectorOrNothing(term.labelSelector);
  if (selector && term.matchLabelKeys?.length) {
    const labels = owner.metadata.labels ?? {};
    selector = [...selector, ...term.matchLabelKeys.filter((k) => k in labels).map((k) => ({ key: k, op: 'in' as const, values: [labels[k]] }))];
  }
  if (selector && term.mismatchLabelKeys?.length) {
    const labels = owner.metadata.labels ?? {};
    selector = [...selector, ...term.mismatchLabelKeys.filter((k) => k in labels).map((k) => ({ key: k, op: 'notin' as const, values: [labels[k]] }))];
  }
  const nsSel = term.namespaceSelector;
  const explicit = term.namespaces ?? [];
  const namespaces = new Set(explicit);
  if (explicit.length === 0 && !nsSel) namespaces.add(owner.metadata.namespace!);
  const nsSelector = nsSel ? selectorOrNothing(nsSel) : null;
  const allNamespaces = !!nsSel && (nsSelector?.length ?? 1) === 0;
  return { selector, namespaces, namespaceSelector: allNamespaces ? null : nsSelector, allNamespaces, topologyKey: term.topologyKey, weight };
}

/** Does a resolved term select this pod? `nsLabels` gives a namespace's labels (for namespaceSelector). */
export function termSelects(t: ResolvedTerm, pod: { namespace: string; labels: Record<string, string> | undefined }, nsLabels: (ns: string) => Record<string, string> | undefined): boolean {
  if (!selects(t.selector, pod.labels)) return false;
  if (t.allNamespaces || t.namespaces.has(pod.namespace)) return true;
  return t.namespaceSelector !== null && matchesLabels(t.namespaceSelector, nsLabels(pod.namespace));
}
