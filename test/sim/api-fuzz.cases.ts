/**
 * The hostile and malformed requests of the API fuzz test (test/sim/api-fuzz.test.ts), shared with its HTTP
 * subset through wrangler dev (test/e2e/kubectl-workflows-hostile.test.ts). Paths are relative to the API root;
 * the store holds a pod `web` (on node-1) and a configmap `cfg` in `default` before they are sent.
 */
export interface Case {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
  contentType?: string;
  role?: 'owner' | 'edit' | 'view';
  code: number;
  /** the Status reason; undefined for the server's plain-text 404 page */
  reason?: string;
  /** a piece of the Status message */
  message?: string | RegExp;
}

const NS = '/api/v1/namespaces/default';
export const PODS = `${NS}/pods`;
export const CMS = `${NS}/configmaps`;
export const J = 'application/json';
const YAML = 'application/yaml';
const JSONPATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

const pod = (name: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] }, ...extra });
export const cm = (metadata: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata, ...extra });

export function cases(): Case[] {
  const out: Case[] = [];
  const add = (c: Case) => out.push(c);

  // --- Broken JSON bodies: 400 BadRequest from the decoder.
  const brokenJson = ['{', '{"apiVersion":', '{"apiVersion":"v1","kind":"Pod"', '[1,2', 'nul', '{"a":1}}', '{\'a\':1}', '{"a":01}', '{"a":"\\x"}', '{"a" 1}', '{,}', '{"metadata":{"name":"x"},}', 'true false', '\u0000', '{"kind":"Pod"]'];
  brokenJson.forEach((body, i) => {
    add({ name: `broken JSON create pod #${i}`, method: 'POST', path: PODS, body, contentType: J, code: 400, reason: 'BadRequest' });
    add({ name: `broken JSON create configmap #${i}`, method: 'POST', path: CMS, body, contentType: J, code: 400, reason: 'BadRequest' });
  });
  add({ name: 'broken JSON update pod', method: 'PUT', path: `${PODS}/web`, body: '{"apiVersion":"v1",', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'JSON string body', method: 'POST', path: PODS, body: '"pod"', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'JSON number body', method: 'POST', path: PODS, body: '42', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'JSON array body', method: 'POST', path: PODS, body: '[]', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'JSON null body', method: 'POST', path: PODS, body: 'null', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'empty body', method: 'POST', path: PODS, body: '', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'invalid UTF-8 body', method: 'POST', path: PODS, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'deeply nested JSON', message: 'exceeded max depth', method: 'POST', path: CMS, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":' + '['.repeat(20000) + ']'.repeat(20000) + '}', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'metadata is a string', method: 'POST', path: CMS, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'data values are numbers', message: 'json: cannot unmarshal number into Go struct field ConfigMap.data of type string', method: 'POST', path: CMS, body: cm({ name: 'nums' }, { data: { a: 1 } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'labels is a list', message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string', method: 'POST', path: CMS, body: cm({ name: 'll', labels: ['a'] }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'containers is an object', message: 'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: { name: 'c' } } }), contentType: J, code: 400, reason: 'BadRequest' });

  add({ name: 'containerPort is a string', message: 'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: '80' }] }] } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'containerPort is a fraction', message: 'json: cannot unmarshal number 80.5 into Go struct field', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80.5 }] }] } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'hostNetwork is a string', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { hostNetwork: 'yes', containers: [{ name: 'c', image: 'x' }] } }), contentType: J, code: 400, reason: 'BadRequest', message: 'of type bool' });
  add({ name: 'command is a string', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'x', command: 'sleep 1' }] } }), contentType: J, code: 400, reason: 'BadRequest', message: 'of type []string' });
  add({ name: 'YAML with a type error', method: 'POST', path: CMS, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n  labels:\n  - a\n', contentType: YAML, code: 400, reason: 'BadRequest', message: 'cannot unmarshal array' });

  // --- Broken YAML bodies.
  const brokenYaml = ['a: b: c', 'apiVersion: v1\nkind: Pod\n\tmetadata: {}', '- [', '{', 'metadata: "unterminated', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x', 'key: @bad', ': : :', 'a:\n- b\n c: d', '"\\q"'];
  brokenYaml.forEach((body, i) => add({ name: `broken YAML create #${i}`, method: 'POST', path: CMS, body, contentType: YAML, code: 400, reason: 'BadRequest' }));
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
  add({ name: 'YAML alias bomb', method: 'POST', path: CMS, body: laughs.join('\n'), contentType: YAML, code: 400, reason: 'BadRequest' });
  add({ name: 'YAML list document', method: 'POST', path: CMS, body: '- a\n- b\n', contentType: YAML, code: 400, reason: 'BadRequest' });
  add({ name: 'YAML scalar document', method: 'POST', path: CMS, body: 'hello\n', contentType: YAML, code: 400, reason: 'BadRequest' });

  // --- Wrong kinds and versions.
  add({ name: 'Service posted to pods', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'ConfigMap posted to pods', method: 'POST', path: PODS, body: cm({ name: 'x' }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'Pod posted to configmaps', method: 'POST', path: CMS, body: pod('x'), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'Deployment posted to pods', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'Pod in apps/v1', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Pod', metadata: { name: 'x' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'Pod in v2', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v2', kind: 'Pod', metadata: { name: 'x' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'lower-case kind', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'pod', metadata: { name: 'x' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'kind is a number', method: 'POST', path: CMS, body: JSON.stringify({ apiVersion: 'v1', kind: 7, metadata: { name: 'x' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'kind is a list', method: 'POST', path: CMS, body: JSON.stringify({ apiVersion: 'v1', kind: ['ConfigMap'], metadata: { name: 'x' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'kind List', method: 'POST', path: CMS, body: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'kind Status', method: 'POST', path: CMS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Status', status: 'Success' }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'apiVersion is an object', method: 'POST', path: CMS, body: JSON.stringify({ apiVersion: { v: 1 }, kind: 'ConfigMap', metadata: { name: 'x' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'Namespace posted to nodes', method: 'POST', path: '/api/v1/nodes', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'Service update of a pod', method: 'PUT', path: `${PODS}/web`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'apply with the wrong kind', method: 'PATCH', path: `${PODS}/web?fieldManager=fuzz`, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n', contentType: APPLY, code: 400, reason: 'BadRequest' });

  // --- Names: too long, malformed, traversal-like (422 Invalid on create).
  const badNames = ['a'.repeat(254), 'a'.repeat(1000), 'UPPER', 'under_score', '-lead', 'trail-', 'trail.', '.lead', 'a..b', '..', '.', 'a/b', 'a%b', 'sp ace', 'ünï', 'a\u0000b', '../../etc/passwd', '<script>', 'a;b', 'a:b'];
  badNames.forEach((n, i) => {
    add({ name: `bad configmap name #${i}`, method: 'POST', path: CMS, body: cm({ name: n }), contentType: J, code: 422, reason: 'Invalid' });
    add({ name: `bad pod name #${i}`, method: 'POST', path: PODS, body: pod(n), contentType: J, code: 422, reason: 'Invalid' });
  });
  add({ name: 'name is a number', message: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string', method: 'POST', path: CMS, body: cm({ name: 12 }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'no name nor generateName', method: 'POST', path: CMS, body: cm({}), contentType: J, code: 422, reason: 'Invalid', message: 'name or generateName is required' });
  add({ name: 'bad generateName', method: 'POST', path: CMS, body: cm({ generateName: 'BAD_' }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'huge generateName', method: 'POST', path: CMS, body: cm({ generateName: 'a'.repeat(300) }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'namespace name of 64 characters', method: 'POST', path: '/api/v1/namespaces', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n'.repeat(64) } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'namespace name with a dot', method: 'POST', path: '/api/v1/namespaces', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'bad label key', method: 'POST', path: CMS, body: cm({ name: 'lk', labels: { 'a/b/c': 'x' } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'label value too long', method: 'POST', path: CMS, body: cm({ name: 'lv', labels: { a: 'v'.repeat(64) } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'label value with spaces', method: 'POST', path: CMS, body: cm({ name: 'lv2', labels: { a: 'b c' } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'bad annotation key', method: 'POST', path: CMS, body: cm({ name: 'ak', annotations: { '-x': 'y' } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'bad configmap data key', method: 'POST', path: CMS, body: cm({ name: 'dk' }, { data: { 'a b': 'x' } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'pod without containers', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: {} }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'container port out of range', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'port' }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000 }] }] } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'bad restartPolicy', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'rp' }, spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'x' }] } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'duplicate container names', method: 'POST', path: PODS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dup' }, spec: { containers: [{ name: 'c', image: 'x' }, { name: 'c', image: 'y' }] } }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'URL and body name differ', method: 'PUT', path: `${PODS}/web`, body: pod('other'), contentType: J, code: 400, reason: 'BadRequest', message: 'does not match the name on the URL' });
  add({ name: 'URL and body namespace differ', method: 'POST', path: CMS, body: cm({ name: 'ns', namespace: 'kube-system' }), contentType: J, code: 400, reason: 'BadRequest', message: 'does not match the namespace' });
  add({ name: 'create in a missing namespace', method: 'POST', '/api/v1/namespaces/nope/configmaps': undefined, path: '/api/v1/namespaces/nope/configmaps', body: cm({ name: 'x' }), contentType: J, code: 404, reason: 'NotFound' } as Case);
  add({ name: 'create an existing pod', method: 'POST', path: PODS, body: pod('web'), contentType: J, code: 409, reason: 'AlreadyExists' });

  // --- Traversal-like and odd paths.
  const oddGets = [`${PODS}/..%2F..%2Fsecrets`, `${PODS}/%2e%2e`, `${PODS}/nope`, `${CMS}/..%2fcfg`, `${PODS}/web%00`, `/api/v1/namespaces/..%2Fkube-system/pods/web`, `/api/v1/namespaces/NOPE/pods/web`, `${PODS}/${'a'.repeat(300)}`, `${PODS}/%E2%80%AE`, `${CMS}/cfg%20`];
  oddGets.forEach((p, i) => add({ name: `odd GET #${i}`, method: 'GET', path: p, code: 404, reason: 'NotFound' }));
  add({ name: 'DELETE a missing pod', method: 'DELETE', path: `${PODS}/..%2Fweb`, code: 404, reason: 'NotFound' });
  add({ name: 'PATCH a missing pod', method: 'PATCH', path: `${PODS}/nope`, body: '{}', contentType: MERGE, code: 404, reason: 'NotFound' });
  add({ name: 'PUT a missing configmap', method: 'PUT', path: `${CMS}/nope`, body: cm({ name: 'nope', resourceVersion: '1' }), contentType: J, code: 404, reason: 'NotFound' });

  // --- Unknown resources and versions.
  add({ name: 'unknown core resource', method: 'GET', path: '/api/v1/namespaces/default/widgets', code: 404, reason: 'NotFound' });
  add({ name: 'unknown core resource, cluster-wide', method: 'GET', path: '/api/v1/widgets', code: 404, reason: 'NotFound' });
  add({ name: 'unknown apps resource', method: 'GET', path: '/apis/apps/v1/namespaces/default/widgets', code: 404, reason: 'NotFound' });
  add({ name: 'unknown subresource', method: 'GET', path: `${PODS}/web/widget`, code: 404, reason: 'NotFound' });
  add({ name: 'unknown group', method: 'GET', path: '/apis/widgets.example.com/v1/widgets', code: 404 });
  add({ name: 'unknown core version', method: 'GET', path: '/api/v2/pods', code: 404 });
  add({ name: 'unknown apps version', method: 'GET', path: '/apis/apps/v1beta1/deployments', code: 404 });
  add({ name: 'outside the API', method: 'GET', path: '/etc/passwd', code: 404 });
  add({ name: 'create an unknown resource', method: 'POST', path: '/api/v1/namespaces/default/widgets', body: '{}', contentType: J, code: 404, reason: 'NotFound' });
  add({ name: 'namespaced resource under a cluster resource', method: 'GET', path: '/api/v1/namespaces/default/nodes/node-1', code: 404, reason: 'NotFound' });

  // --- Verbs a path does not take.
  add({ name: 'POST to an item', method: 'POST', path: `${PODS}/web`, body: pod('web'), contentType: J, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'PUT to a collection', method: 'PUT', path: PODS, body: pod('web'), contentType: J, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'PATCH a collection', method: 'PATCH', path: PODS, body: '{}', contentType: MERGE, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'deletecollection of namespaces', method: 'DELETE', path: '/api/v1/namespaces', code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'POST to /version', method: 'POST', path: '/version', body: '{}', contentType: J, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'POST to discovery', method: 'POST', path: '/api/v1', body: '{}', contentType: J, code: 405, reason: 'MethodNotAllowed' });

  // --- Bodies over the limit (1 MiB).
  const huge = cm({ name: 'huge' }, { data: { big: 'x'.repeat(1024 * 1024 + 10) } });
  add({ name: 'huge create', method: 'POST', path: CMS, body: huge, contentType: J, code: 413, reason: 'RequestEntityTooLarge' });
  add({ name: 'huge YAML create', method: 'POST', path: CMS, body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  big: ${'y'.repeat(1100000)}\n`, contentType: YAML, code: 413, reason: 'RequestEntityTooLarge' });
  add({ name: 'huge update', method: 'PUT', path: `${CMS}/cfg`, body: huge, contentType: J, code: 413, reason: 'RequestEntityTooLarge' });
  add({ name: 'huge merge patch', method: 'PATCH', path: `${CMS}/cfg`, body: JSON.stringify({ data: { big: 'x'.repeat(1100000) } }), contentType: MERGE, code: 413, reason: 'RequestEntityTooLarge' });
  add({ name: 'huge JSON patch', method: 'PATCH', path: `${CMS}/cfg`, body: JSON.stringify([{ op: 'add', path: '/data/big', value: 'x'.repeat(1100000) }]), contentType: JSONPATCH, code: 413, reason: 'RequestEntityTooLarge' });
  add({ name: 'huge apply', method: 'PATCH', path: `${CMS}/cfg?fieldManager=fuzz`, body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  big: ${'z'.repeat(1100000)}\n`, contentType: APPLY, code: 413, reason: 'RequestEntityTooLarge' });
  add({ name: 'huge garbage', method: 'POST', path: PODS, body: '\u0001'.repeat(2 * 1024 * 1024), contentType: J, code: 413, reason: 'RequestEntityTooLarge' });

  // --- Label selectors.
  const badLabelSelectors = ['a=b=c', '!', 'a in (', 'a in b', 'a notin', '==', '(', 'a b', `${'k'.repeat(64)}=v`, 'a=b c', 'a=-b', 'a>b', 'a<x', '!a=b', 'a in ()', 'a,,b', '=v', 'a/b/c=d', 'a notin ()', 'x in (a b)'];
  badLabelSelectors.forEach((s, i) => add({ name: `bad label selector #${i} (${s.slice(0, 20)})`, method: 'GET', path: `${PODS}?labelSelector=${encodeURIComponent(s)}`, code: 400, reason: 'BadRequest' }));
  add({ name: 'bad label selector on deletecollection', method: 'DELETE', path: `${CMS}?labelSelector=${encodeURIComponent('a in (')}`, code: 400, reason: 'BadRequest' });

  // --- Field selectors.
  const badFieldSelectors: [string, string][] = [
    [PODS, 'foo=bar'],
    [PODS, 'metadata.name'],
    [PODS, 'metadata.name~web'],
    [PODS, 'spec.nodeName in (a)'],
    [PODS, '=x'],
    [PODS, 'status.phase>Running'],
    [PODS, 'metadata.labels.app=web'],
    [CMS, 'spec.nodeName=node-1'],
    [CMS, 'status.phase=Running'],
    ['/api/v1/nodes', 'spec.nodeName=x'],
    [PODS, 'metadata.name=web,bogus=1'],
    [PODS, 'spec.nodeName!'],
  ];
  badFieldSelectors.forEach(([p, s], i) => add({ name: `bad field selector #${i} (${s})`, method: 'GET', path: `${p}?fieldSelector=${encodeURIComponent(s)}`, code: 400, reason: 'BadRequest' }));

  // --- Invalid patches of each type.
  const target = `${PODS}/web`;
  const jsonPatches: [string, number, string][] = [
    ['{}', 400, 'BadRequest'],
    ['"x"', 400, 'BadRequest'],
    ['[', 400, 'BadRequest'],
    // Operations the patch library cannot apply: the API server's generic 422.
    ['[{"path":"/metadata/labels/a","value":"b"}]', 422, 'Invalid'],
    ['[{"op":"frobnicate","path":"/metadata/labels/a","value":"b"}]', 422, 'Invalid'],
    ['[{"op":"add","value":"b"}]', 422, 'Invalid'],
    ['[{"op":"remove","path":"/metadata/labels/nope"}]', 422, 'Invalid'],
    ['[{"op":"replace","path":"/spec/nope/x","value":1}]', 422, 'Invalid'],
    ['[{"op":"test","path":"/metadata/name","value":"other"}]', 422, 'Invalid'],
    ['[{"op":"move","from":"/nope","path":"/metadata/labels/x"}]', 422, 'Invalid'],
    ['[{"op":"add","path":"/spec/containers/9/name","value":"x"}]', 422, 'Invalid'],
    ['[{"op":"add","path":"metadata","value":{}}]', 422, 'Invalid'],
    ['[{"op":"replace","path":"/spec/containers","value":[]}]', 422, 'Invalid'],
    ['[{"op":"replace","path":"/spec/nodeName","value":"node-2"}]', 422, 'Invalid'],
    ['[{"op":"replace","path":"/metadata/name","value":"other"}]', 400, 'BadRequest'],
    ['[{"op":"replace","path":"/kind","value":"Service"}]', 400, 'BadRequest'],
    ['[1]', 400, 'BadRequest'],
  ];
  jsonPatches.forEach(([body, code, reason], i) => add({ name: `bad JSON patch #${i}`, method: 'PATCH', path: target, body, contentType: JSONPATCH, code, reason }));
  const mergePatches: [string, number, string][] = [
    ['[', 400, 'BadRequest'],
    ['[]', 400, 'BadRequest'],
    ['"x"', 400, 'BadRequest'],
    ['{"spec":{"containers":null}}', 422, 'Invalid'],
    ['{"spec":{"containers":[{"name":"c"}]}}', 422, 'Invalid'],
    ['{"metadata":{"name":"other"}}', 400, 'BadRequest'],
    ['{"metadata":{"labels":{"bad key":"x"}}}', 422, 'Invalid'],
    ['{"spec":{"restartPolicy":"Sometimes"}}', 422, 'Invalid'],
    ['{"spec":{"nodeName":"node-2"}}', 422, 'Invalid'],
    ['{"metadata":{"labels":"x"}}', 422, 'Invalid'],
  ];
  mergePatches.forEach(([body, code, reason], i) => add({ name: `bad merge patch #${i}`, method: 'PATCH', path: target, body, contentType: MERGE, code, reason }));
  const strategicPatches: [string, number, string][] = [
    ['{', 400, 'BadRequest'],
    ['[]', 400, 'BadRequest'],
    ['{"spec":{"containers":[{"name":"web","image":"nginx","$patch":"explode"}]}}', 400, 'BadRequest'],
    ['{"$patch":"replace"}', 422, 'Invalid'],
    ['{"spec":{"containers":[{"image":"nginx"}]}}', 400, 'BadRequest'],
    ['{"spec":{"$setElementOrder/containers":"x"}}', 400, 'BadRequest'],
    ['{"metadata":{"name":"other"}}', 400, 'BadRequest'],
    ['{"spec":{"containers":[{"name":"web","ports":[{"containerPort":-1}]}]}}', 422, 'Invalid'],
    ['{"spec":{"nodeName":"node-2"}}', 422, 'Invalid'],
    ['{"spec":{"containers":"x"}}', 422, 'Invalid'],
  ];
  strategicPatches.forEach(([body, code, reason], i) => add({ name: `bad strategic patch #${i}`, method: 'PATCH', path: target, body, contentType: SMP, code, reason }));
  const applyPatches: [string, string, number, string][] = [
    ['?fieldManager=fuzz', 'a: b: c', 400, 'BadRequest'],
    ['?fieldManager=fuzz', 'metadata:\n  name: web\n', 400, 'BadRequest'],
    ['?fieldManager=fuzz', 'apiVersion: v1\nmetadata:\n  name: web\n', 400, 'BadRequest'],
    ['?fieldManager=fuzz', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n', 400, 'BadRequest'],
    ['?fieldManager=fuzz', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containerz: []\n', 400, 'BadRequest'],
    ['', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n', 422, 'Invalid'],
    ['?fieldManager=fuzz', '- a\n', 400, 'BadRequest'],
    ['?fieldManager=fuzz&force=maybe', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n', 400, 'BadRequest'],
  ];
  applyPatches.forEach(([q, body, code, reason], i) => add({ name: `bad apply patch #${i}`, method: 'PATCH', path: target + q, body, contentType: APPLY, code, reason }));

  // --- Wrong content types.
  const badTypes = ['text/plain', 'application/xml', 'text/html', 'multipart/form-data', 'application/x-www-form-urlencoded', 'image/png'];
  badTypes.forEach((t, i) => {
    add({ name: `create with ${t}`, method: 'POST', path: CMS, body: cm({ name: `ct${i}` }), contentType: t, code: 415, reason: 'UnsupportedMediaType' });
    add({ name: `patch with ${t}`, method: 'PATCH', path: target, body: '{}', contentType: t, code: 415, reason: 'UnsupportedMediaType' });
  });
  add({ name: 'patch with application/json', method: 'PATCH', path: target, body: '{}', contentType: J, code: 415, reason: 'UnsupportedMediaType' });
  add({ name: 'patch with application/yaml', method: 'PATCH', path: target, body: '{}', contentType: YAML, code: 415, reason: 'UnsupportedMediaType' });
  add({ name: 'update with text/plain', method: 'PUT', path: `${CMS}/cfg`, body: cm({ name: 'cfg' }), contentType: 'text/plain', code: 415, reason: 'UnsupportedMediaType' });
  add({ name: 'protobuf garbage', method: 'POST', path: CMS, body: new Uint8Array([1, 2, 3, 4, 5]), contentType: 'application/vnd.kubernetes.protobuf', code: 400, reason: 'BadRequest' });

  // --- resourceVersion, limit and continue.
  add({ name: 'update with a stale resourceVersion', method: 'PUT', path: `${CMS}/cfg`, body: cm({ name: 'cfg', resourceVersion: '1' }), contentType: J, code: 409, reason: 'Conflict' });
  add({ name: 'list with a non-numeric resourceVersion', method: 'GET', path: `${PODS}?resourceVersion=abc`, code: 400, reason: 'BadRequest' });
  add({ name: 'list with resourceVersionMatch and no resourceVersion', method: 'GET', path: `${PODS}?resourceVersionMatch=Exact`, code: 422, reason: 'Invalid', message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden' });
  add({ name: 'list with a bad resourceVersionMatch', method: 'GET', path: `${PODS}?resourceVersion=1&resourceVersionMatch=Sometimes`, code: 422, reason: 'Invalid', message: 'Unsupported value: "Sometimes"' });
  add({ name: 'watch with a non-numeric resourceVersion', method: 'GET', path: `${PODS}?watch=true&resourceVersion=abc`, code: 400, reason: 'BadRequest' });
  add({ name: 'delete with a stale precondition', method: 'DELETE', path: `${CMS}/cfg`, body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: '1' } }), contentType: J, code: 409, reason: 'Conflict' });
  add({ name: 'delete with a wrong uid precondition', method: 'DELETE', path: `${CMS}/cfg`, body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'nope' } }), contentType: J, code: 409, reason: 'Conflict' });
  for (const q of ['limit=abc', 'limit=1.5', 'limit=99999999999999999999999']) add({ name: `list with ${q}`, method: 'GET', path: `${PODS}?${q}`, code: 400, reason: 'BadRequest' });
  for (const q of ['continue=garbage', 'continue=%00', 'limit=1&continue=eyJ2IjoxfQ']) add({ name: `list with ${q}`, method: 'GET', path: `${PODS}?${q}`, code: 400, reason: 'BadRequest' });

  // --- Options: dryRun, fieldManager, propagationPolicy, gracePeriodSeconds, fieldValidation.
  for (const v of ['foo', 'all', 'true', 'None']) {
    add({ name: `create with dryRun=${v}`, method: 'POST', path: `${CMS}?dryRun=${v}`, body: cm({ name: `dry-${v.toLowerCase()}` }), contentType: J, code: 422, reason: 'Invalid' });
    add({ name: `patch with dryRun=${v}`, method: 'PATCH', path: `${target}?dryRun=${v}`, body: '{}', contentType: MERGE, code: 422, reason: 'Invalid' });
    add({ name: `delete with dryRun=${v}`, method: 'DELETE', path: `${CMS}/cfg?dryRun=${v}`, code: 422, reason: 'Invalid' });
  }
  add({ name: 'fieldManager of 129 characters', method: 'POST', path: `${CMS}?fieldManager=${'m'.repeat(129)}`, body: cm({ name: 'fm' }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'fieldManager with a control character', method: 'POST', path: `${CMS}?fieldManager=a%01b`, body: cm({ name: 'fm2' }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'patch fieldManager of 129 characters', method: 'PATCH', path: `${target}?fieldManager=${'m'.repeat(129)}`, body: '{}', contentType: MERGE, code: 422, reason: 'Invalid' });
  add({ name: 'update fieldManager with a newline', method: 'PUT', path: `${CMS}/cfg?fieldManager=a%0Ab`, body: cm({ name: 'cfg' }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'force without apply', method: 'PATCH', path: `${target}?force=true`, body: '{}', contentType: MERGE, code: 422, reason: 'Invalid' });
  for (const p of ['foo', 'background', 'ORPHAN', 'nil']) add({ name: `delete with propagationPolicy=${p}`, method: 'DELETE', path: `${CMS}/cfg?propagationPolicy=${p}`, code: 422, reason: 'Invalid' });
  add({ name: 'delete body with a bad propagationPolicy', method: 'DELETE', path: `${CMS}/cfg`, body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Sideways' }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'delete with orphanDependents and propagationPolicy', method: 'DELETE', path: `${CMS}/cfg`, body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: true, propagationPolicy: 'Background' }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'delete with a negative grace period', method: 'DELETE', path: `${CMS}/cfg?gracePeriodSeconds=-3`, code: 422, reason: 'Invalid' });
  add({ name: 'delete with a non-numeric grace period', method: 'DELETE', path: `${CMS}/cfg?gracePeriodSeconds=soon`, code: 400, reason: 'BadRequest' });
  add({ name: 'delete body broken', method: 'DELETE', path: `${CMS}/cfg`, body: '{"kind":', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'delete body of the wrong kind', method: 'DELETE', path: `${CMS}/cfg`, body: JSON.stringify({ kind: 'Pod', apiVersion: 'v1' }), contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'create with fieldValidation=Bogus', method: 'POST', path: `${CMS}?fieldValidation=Bogus`, body: cm({ name: 'fv' }), contentType: J, code: 422, reason: 'Invalid', message: 'Unsupported value: "Bogus"' });
  add({ name: 'strict create with an unknown field', method: 'POST', path: `${PODS}?fieldValidation=Strict`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'strict' }, spec: { containers: [{ name: 'c', image: 'x', imagee: 'y' }] } }), contentType: J, code: 400, reason: 'BadRequest', message: 'unknown field "spec.containers[0].imagee"' });

  // --- A read-only token.
  add({ name: 'view token creates', method: 'POST', path: CMS, body: cm({ name: 'ro' }), contentType: J, role: 'view', code: 403, reason: 'Forbidden' });
  add({ name: 'view token patches', method: 'PATCH', path: target, body: '{}', contentType: MERGE, role: 'view', code: 403, reason: 'Forbidden' });
  add({ name: 'view token deletes', method: 'DELETE', path: target, role: 'view', code: 403, reason: 'Forbidden' });
  add({ name: 'view token deletes a collection', method: 'DELETE', path: CMS, role: 'view', code: 403, reason: 'Forbidden' });
  add({ name: 'view token updates status', method: 'PUT', path: `${target}/status`, body: pod('web'), contentType: J, role: 'view', code: 403, reason: 'Forbidden' });
  add({ name: 'view token evicts', method: 'POST', path: `${target}/eviction`, body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web' } }), contentType: J, role: 'view', code: 403, reason: 'Forbidden' });

  // --- Subresources with bad input.
  add({ name: 'binding to no node', method: 'POST', path: `${target}/binding`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: {} }), contentType: J, code: 422, reason: 'Invalid' });
  add({ name: 'eviction broken body', method: 'POST', path: `${target}/eviction`, body: '{', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'log of a missing container', method: 'GET', path: `${target}/log?container=nope`, code: 400, reason: 'BadRequest' });
  add({ name: 'log with negative tailLines', method: 'GET', path: `${target}/log?tailLines=-1`, code: 422, reason: 'Invalid' });
  add({ name: 'log of a missing pod', method: 'GET', path: `${PODS}/nope/log`, code: 404, reason: 'NotFound' });
  add({ name: 'status update with a broken body', method: 'PUT', path: `${target}/status`, body: '{', contentType: J, code: 400, reason: 'BadRequest' });
  add({ name: 'scale of a missing deployment', method: 'GET', path: '/apis/apps/v1/namespaces/default/deployments/nope/scale', code: 404, reason: 'NotFound' });
  add({ name: 'scale patch with a broken body', method: 'PATCH', path: '/apis/apps/v1/namespaces/default/deployments/nope/scale', body: '{', contentType: MERGE, code: 404, reason: 'NotFound' });
  return out;
}
