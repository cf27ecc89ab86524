/**
 * The scenario file's shape (see FORMAT.md), as zod schemas: the parser validates a file against them and
 * turns every issue into a line-numbered error.
 */
import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase name (a-z, 0-9, -)').max(63);
const ns = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name').max(63).default('default');
/** A label selector as kubectl writes it (`app=web,tier!=cache`) or as a map of labels. */
const selector = z.union([z.string().min(1), z.record(z.string(), z.string())]);
const seconds = z.number().int().min(0).max(86_400);

export const CHECK_KINDS = {
  /** A Service has at least `ready` ready endpoints. */
  endpoints: z.strictObject({ service: name, namespace: ns, ready: z.number().int().min(0).max(1000) }),
  /** A Deployment's rollout is complete (all replicas updated and available), optionally with an image and without downtime. */
  rollout: z.strictObject({
    deployment: name,
    namespace: ns,
    image: z.string().min(1).optional(),
    container: z.string().optional(),
    replicas: z.number().int().min(0).max(1000).optional(),
    /** never fewer than this many available replicas since the learner arrived (needs the scenario monitor) */
    minAvailable: z.number().int().min(1).max(1000).optional(),
  }),
  /** The pods (of a selector) in a namespace run, are Ready and do not restart. */
  pods: z.strictObject({
    namespace: ns,
    selector: selector.optional(),
    minPods: z.number().int().min(0).max(1000).default(1),
    /** no container restarted within this many virtual seconds */
    noRestartsForSeconds: seconds.default(60),
    /** the pods also run on nodes not named here */
    notOnNodes: z.array(z.string()).optional(),
  }),
  /** Every pod of a selector is scheduled (none Pending), optionally onto nodes with these labels. */
  scheduled: z.strictObject({
    namespace: ns,
    selector: selector.optional(),
    minPods: z.number().int().min(0).max(1000).default(1),
    nodeLabels: z.record(z.string(), z.string()).optional(),
  }),
  /** An HTTP request through the simulated network answers `status`, `times` times in a row. */
  http: z.strictObject({
    url: z.string().min(1),
    status: z.number().int().min(100).max(599).default(200),
    times: z.number().int().min(1).max(100).default(1),
    /** true: the request must NOT get through (no answer: timed out, refused, unresolved), e.g. blocked by a policy */
    blocked: z.boolean().default(false),
    /** the client: pods of a selector in a namespace (the first Running one by name), or `outside` the cluster */
    from: z.union([z.literal('outside'), z.strictObject({ namespace: ns, selector: selector.optional(), pod: z.string().optional() })]),
  }),
  /** A DNS name resolves from a pod in a namespace (that namespace's search path). */
  dns: z.strictObject({ name: z.string().min(1), namespace: ns, from: z.strictObject({ selector: selector.optional(), pod: z.string().optional() }).optional() }),
  /** A PersistentVolumeClaim is Bound. */
  pvc: z.strictObject({ claim: name, namespace: ns }),
  /** A StatefulSet has all its replicas ready, each with its volume claims Bound. */
  statefulSet: z.strictObject({ statefulSet: name, namespace: ns, replicas: z.number().int().min(0).max(1000).optional() }),
  /** A CronJob has run a Job to completion. */
  cronJob: z.strictObject({ cronJob: name, namespace: ns }),
  /** A HorizontalPodAutoscaler reads its metric and scaled above its minimum (or to at least `replicas`). */
  hpa: z.strictObject({ hpa: name, namespace: ns, replicas: z.number().int().min(1).max(1000).optional() }),
  /** A node is Ready (every node when none is named), or (un)cordoned with `schedulable` (then Ready only if `ready` says so). */
  node: z.strictObject({ node: z.string().optional(), ready: z.boolean().optional(), schedulable: z.boolean().optional() }),
  /** A field of an object equals a value (a JSONPath-like `.spec.replicas`, `.spec.containers[0].image`, `.metadata.labels.app`). */
  field: z.strictObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().optional(),
    path: z.string().regex(/^(\.[A-Za-z0-9_-]+|\[\d+\]|\['[^']+'\])+$/, "must be a path like .spec.replicas or .metadata.annotations['a/b']"),
    equals: z.unknown().optional(),
    /** true: the field must be absent; false (without equals): it must be set */
    absent: z.boolean().optional(),
  }),
} as const;

export type CheckKind = keyof typeof CHECK_KINDS;
export type CheckParams<K extends CheckKind> = z.output<(typeof CHECK_KINDS)[K]>;
/** `guard`: a condition the fix must keep (it holds when the scenario starts), e.g. "the policy still exists". */
export type Check = { [K in CheckKind]: { id: string; title: string; kind: K; params: CheckParams<K>; guard?: boolean } }[CheckKind];

/** One step of a scenario's solution (for instructors and the tests), each a thing a user does with kubectl. */
export const STEP_SCHEMA = z.union([
  /** `kubectl apply -f` of multi-document YAML */
  z.strictObject({ apply: z.string().min(1) }),
  /** `kubectl patch <kind> <name> -n <ns> --type <type> -p <patch>` */
  z.strictObject({
    patch: z.strictObject({
      kind: z.string().min(1),
      name: z.string().min(1),
      namespace: z.string().optional(),
      type: z.enum(['strategic', 'merge', 'json']).default('strategic'),
      patch: z.unknown(),
    }),
  }),
  /** `kubectl delete <kind> <name> -n <ns>`; without a name, `-l <selector>` and/or `--field-selector <fieldSelector>` */
  z.strictObject({
    delete: z.strictObject({ kind: z.string().min(1), name: z.string().optional(), namespace: z.string().optional(), selector: z.string().optional(), fieldSelector: z.string().optional() }),
  }),
  /** a fault body for `POST /s/<id>/api/faults` */
  z.strictObject({ fault: z.strictObject({ fault: z.string(), node: z.string().optional() }) }),
  /** let virtual time pass (`POST /s/<id>/api/clock {"action":"step","seconds":N}`) */
  z.strictObject({ wait: seconds }),
]);
export type SolutionStep = z.output<typeof STEP_SCHEMA>;

export const SCENARIO_SCHEMA = z.strictObject({
  name,
  title: z.string().min(1).max(120),
  level: z.enum(['easy', 'medium', 'hard']),
  topics: z.array(z.string().min(1)).default([]),
  /** one line for lists */
  summary: z.string().optional(),
  cluster: z
    .strictObject({
      nodes: z.number().int().min(1).max(20).default(3),
      /** the random seed of the cluster (the same seed gives the same pod names and IPs) */
      seed: z.string().optional(),
      /** merge patches applied to Nodes before the manifests (labels, taints, unschedulable) */
      nodePatches: z.array(z.strictObject({ node: z.string().min(1), patch: z.record(z.string(), z.unknown()) })).default([]),
      /** multi-document YAML applied through the API in order, as `kubectl apply -f` would */
      manifests: z.string().default(''),
      /** `POST /api/faults` bodies, applied after the manifests; `afterSeconds` delays one within the warm-up */
      faults: z.array(z.strictObject({ fault: z.string().min(1), node: z.string().optional(), pod: z.string().optional(), container: z.string().optional(), registry: z.string().optional(), factor: z.number().optional(), afterSeconds: seconds.default(0) })).default([]),
      /** virtual seconds that run before the learner arrives (pods start, crash, back off...) */
      warmupSeconds: seconds.default(0),
      clock: z.strictObject({ paused: z.boolean().default(false), speed: z.number().min(0.5).max(100).default(1) }).default({ paused: false, speed: 1 }),
    })
    .default({ nodes: 3, nodePatches: [], manifests: '', faults: [], warmupSeconds: 0, clock: { paused: false, speed: 1 } }),
  /** Markdown for the learner: what they see and what to achieve */
  task: z.string().min(1),
  /** revealed one at a time, from a nudge to nearly the answer */
  hints: z.array(z.string().min(1)).default([]),
  checks: z.array(z.record(z.string(), z.unknown())).min(1),
  /** the intended fix (not shown to learners) */
  solution: z
    .strictObject({
      text: z.string().optional(),
      steps: z.array(STEP_SCHEMA).default([]),
      /** tempting fixes that do not work, and the checks (by id) that stay failing after them */
      mistakes: z.array(z.strictObject({ text: z.string().min(1), steps: z.array(STEP_SCHEMA).min(1), failing: z.array(z.string()).min(1) })).default([]),
    })
    .optional(),
});

export interface ScenarioManifest {
  /** 1-based line of the document in the scenario file */
  line: number;
  index: number;
  object: Record<string, any>;
}

export type ScenarioData = z.output<typeof SCENARIO_SCHEMA>;

export interface Scenario extends Omit<ScenarioData, 'checks'> {
  /** the file name used in errors */
  file: string;
  checks: Check[];
  manifests: ScenarioManifest[];
}

export interface CheckResult {
  id: string;
  title: string;
  kind: CheckKind;
  guard?: boolean;
  passed: boolean;
  /** a short status: "3/3 ready endpoints" */
  summary: string;
  /** what the check looks at and, when it fails, why, in words a learner understands */
  why: string;
}
