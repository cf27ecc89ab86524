/** NetworkPolicies: policyTypes defaulting and the validation of peers and ports (networking/validation). */
import type { FieldError } from '../errors.ts';
import type { Strategy } from '../strategy.ts';
import type { KObject } from '../types.ts';
import { parseCidr } from '../../network/ip.ts';
import { portNameErrors } from './services.ts';
import { assertShape, NETWORK_POLICY_SHAPE } from '../../network/shape.ts';

const POLICY_TYPES = ['Egress', 'Ingress'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const OPERATORS = ['DoesNotExist', 'Exists', 'In', 'NotIn'];

interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr?: string; except?: string[] };
}
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Rule {
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
  from?: Peer[];
  to?: Peer[];
}

function defaults(obj: KObject): void {
  assertShape(obj, 'NetworkPolicy', 'networking.k8s.io/v1', NETWORK_POLICY_SHAPE);
  const spec = (obj.spec ??= {}) as { podSelector?: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
  spec.podSelector ??= {};
  if (!spec.policyTypes || spec.policyTypes.length === 0) spec.policyTypes = spec.egress && spec.egress.length ? ['Ingress', 'Egress'] : ['Ingress'];
  // A null list item decodes as an empty struct.
  const fill = <T,>(list: T[] | undefined): T[] | undefined => list?.map((x) => x ?? ({} as T));
  spec.ingress = fill(spec.ingress);
  spec.egress = fill(spec.egress);
  for (const r of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    r.ports = fill(r.ports);
    if ('from' in r) r.from = fill(r.from);
    if ('to' in r) r.to = fill(r.to);
    for (const p of r.ports ?? []) p.protocol ??= 'TCP';
    for (const k of ['ports', 'from', 'to'] as const) if (r[k] === undefined) delete r[k];
  }
  if (spec.ingress === undefined) delete spec.ingress;
  if (spec.egress === undefined) delete spec.egress;
}

function validateSelector(sel: Selector | undefined, field: string, errs: FieldError[]): void {
  (sel?.matchExpressions ?? []).forEach((e, i) => {
    if (!OPERATORS.includes(e.operator)) errs.push({ type: 'FieldValueInvalid', field: `${field}.matchExpressions[${i}].operator`, value: e.operator, detail: 'not a valid selector operator' });
    if ((e.operator === 'In' || e.operator === 'NotIn') && !(e.values ?? []).length) {
      errs.push({ type: 'FieldValueRequired', field: `${field}.matchExpressions[${i}].values`, detail: 'must be specified when `operator` is \'In\' or \'NotIn\'' });
    }
  });
}

function validateRules(rules: Rule[] | undefined, field: string, peersKey: 'from' | 'to', errs: FieldError[]): void {
  (rules ?? []).forEach((r, i) => {
    const f = `${field}[${i}]`;
    (r?.ports ?? []).forEach((p, j) => {
      const pf = `${f}.ports[${j}]`;
      if (p.protocol && !PROTOCOLS.includes(p.protocol)) errs.push({ type: 'FieldValueNotSupported', field: `${pf}.protocol`, value: p.protocol, supported: PROTOCOLS });
      if (typeof p.port === 'number' && (p.port < 1 || p.port > 65535)) errs.push({ type: 'FieldValueInvalid', field: `${pf}.port`, value: p.port, detail: 'must be between 1 and 65535, inclusive' });
      if (typeof p.port === 'string') for (const e of portNameErrors(p.port)) errs.push({ type: 'FieldValueInvalid', field: `${pf}.port`, value: p.port, detail: e });
      if (p.endPort !== undefined) {
        if (typeof p.port !== 'number') errs.push({ type: 'FieldValueRequired', field: `${pf}.port`, detail: 'must be specified when endPort is specified' });
        else if (p.endPort < p.port) errs.push({ type: 'FieldValueInvalid', field: `${pf}.endPort`, value: p.endPort, detail: 'must be greater than or equal to `port`' });
      }
    });
    (r?.[peersKey] ?? []).forEach((peer, j) => {
      const pf = `${f}.${peersKey}[${j}]`;
      const n = (peer.podSelector ? 1 : 0) + (peer.namespaceSelector ? 1 : 0) + (peer.ipBlock ? 1 : 0);
      if (n === 0) errs.push({ type: 'FieldValueRequired', field: pf, detail: 'must specify a peer' });
      else if (peer.ipBlock && n > 1) errs.push({ type: 'FieldValueForbidden', field: pf, detail: 'may not specify both ipBlock and another peer' });
      validateSelector(peer.podSelector, `${pf}.podSelector`, errs);
      validateSelector(peer.namespaceSelector, `${pf}.namespaceSelector`, errs);
      if (peer.ipBlock) {
        const cidr = peer.ipBlock.cidr;
        if (!cidr) errs.push({ type: 'FieldValueRequired', field: `${pf}.ipBlock.cidr` });
        else if (!parseCidr(cidr)) errs.push({ type: 'FieldValueInvalid', field: `${pf}.ipBlock.cidr`, value: cidr, detail: 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' });
        (peer.ipBlock.except ?? []).forEach((e, k) => {
          if (!parseCidr(e)) errs.push({ type: 'FieldValueInvalid', field: `${pf}.ipBlock.except[${k}]`, value: e, detail: 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' });
        });
      }
    });
  });
}

function validate(obj: KObject): FieldError[] {
  const spec = obj.spec as { podSelector?: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
  const errs: FieldError[] = [];
  validateSelector(spec.podSelector, 'spec.podSelector', errs);
  validateRules(spec.ingress, 'spec.ingress', 'from', errs);
  validateRules(spec.egress, 'spec.egress', 'to', errs);
  (spec.policyTypes ?? []).forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) errs.push({ type: 'FieldValueNotSupported', field: `spec.policyTypes[${i}]`, value: t, supported: POLICY_TYPES });
  });
  return errs;
}

export const networkPolicyStrategy: Strategy = { tracksGeneration: true, defaults, validate };
