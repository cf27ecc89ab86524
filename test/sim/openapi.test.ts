// The OpenAPI documents served at /openapi/v2 and /openapi/v3: Kubernetes 1.32's own schemas for every served
// kind (generated into worker/k8s/openapi/spec-1.32.ts by scripts/gen-openapi.mjs), in the shapes kubectl reads.
import { describe, expect, it } from 'vitest';
import { EXTRA_VERSIONS, RESOURCES } from '../../sim/apiserver/resources.ts';
import { handleKubernetesRequest, type K8sContext } from '../../worker/k8s/handler.ts';
import { SOURCE } from '../../worker/k8s/openapi/spec-1.32.ts';
import { newCluster } from './helpers.ts';

function setup() {
  const cluster = newCluster('openapi');
  const ctx: K8sContext = { cluster, user: { name: 'alice', role: 'owner' }, commit: async () => cluster.settle() };
  return async (path: string, accept?: string) => {
    const res = await handleKubernetesRequest(new Request(`https://k8s.test${path}`, { headers: accept ? { accept } : {} }), path.split('?')[0], ctx);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };
}

/** Every `$ref` in a document, with the prefix it must start with. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) k === '$ref' ? out.push(v as string) : refs(v, out);
  return out;
}

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

const fetched = new Map<string, any>();

/** The v3 document of a group-version, as the index points to it (each fetched once per test file). */
async function v3(get: ReturnType<typeof setup>, group: string, version: string) {
  const index = (await get('/openapi/v3')).json;
  const entry = index.paths[gvPath(group, version)];
  expect(entry, `${gvPath(group, version)} in the index`).toBeDefined();
  if (!fetched.has(entry.serverRelativeURL)) {
    const doc = await get(entry.serverRelativeURL);
    expect(doc.status).toBe(200);
    fetched.set(entry.serverRelativeURL, doc.json);
  }
  return fetched.get(entry.serverRelativeURL);
}

describe('/openapi/v3', () => {
  it('has, for every served kind and version, its schema and a PATCH that takes strategic merge patches and fieldValidation', async () => {
    const get = setup();
    for (const r of RESOURCES) {
      for (const version of [r.version, ...(r.group ? (EXTRA_VERSIONS[r.group] ?? []) : [])]) {
        const doc = await v3(get, r.group, version);
        const gvk = { group: r.group, kind: r.kind, version };
        const schemas = Object.values(doc.components.schemas) as any[];
        const schema = schemas.find((s) => (s['x-kubernetes-group-version-kind'] ?? []).some((g: any) => g.group === r.group && g.kind === r.kind && g.version === version));
        expect(schema, `${r.kind} ${version}`).toBeDefined();
        expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']));
        const prefix = r.group ? `/apis/${r.group}/${version}` : `/api/${version}`;
        const item = doc.paths[`${prefix}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`];
        expect(item.patch['x-kubernetes-group-version-kind']).toEqual(gvk);
        expect(item.patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
        expect(Object.keys(item.patch.requestBody.content)).toContain('application/strategic-merge-patch+json');
        expect(item.get.responses['200'].content['application/json'].schema).toEqual({ $ref: expect.stringMatching(/^#\/components\/schemas\/io\.k8s\.api\./) });
      }
    }
  });

  it('carries the real schemas: descriptions, required fields, merge keys, enums, IntOrString', async () => {
    const get = setup();
    const core = (await v3(get, '', 'v1')).components.schemas;
    const container = core['io.k8s.api.core.v1.Container'];
    expect(container.description).toBe('A single application container that you want to run within a pod.');
    expect(container.required).toEqual(['name']);
    expect(container.properties.imagePullPolicy.enum).toEqual(['Always', 'IfNotPresent', 'Never']);
    expect(container.properties.imagePullPolicy.description).toContain(
      'Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images\n\nPossible enum values:\n - `"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.\n - `"IfNotPresent"`',
    );
    expect(core['io.k8s.api.core.v1.PodSpec'].properties.restartPolicy.description).toMatch(/Possible enum values:\n - `"Always"`\n - `"Never"`\n - `"OnFailure"`$/);
    expect(core['io.k8s.api.core.v1.PodSpec'].properties.containers).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    // A ref with a description of its own is wrapped in allOf, as kube-openapi does for v3.
    expect(core['io.k8s.api.core.v1.Pod'].properties.spec).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }],
      description: expect.stringMatching(/^Specification of the desired behavior of the pod\./),
    });
    expect(core['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(core['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type).toBeUndefined();
    const apps = (await v3(get, 'apps', 'v1')).components.schemas;
    expect(apps['io.k8s.api.apps.v1.DeploymentStrategy'].properties.type.enum).toEqual(['Recreate', 'RollingUpdate']);
    expect(apps['io.k8s.api.apps.v1.DeploymentSpec'].required).toEqual(['selector', 'template']);
    const net = (await v3(get, 'networking.k8s.io', 'v1')).components.schemas;
    expect(net['io.k8s.api.networking.v1.HTTPIngressPath'].properties.pathType.enum).toEqual(['Exact', 'ImplementationSpecific', 'Prefix']);
  });

  it('is self-contained: every $ref of every document resolves in that document', async () => {
    const get = setup();
    const index = (await get('/openapi/v3')).json;
    expect(Object.keys(index.paths).sort()).toEqual(
      [
        'api/v1',
        'apis/apps/v1',
        'apis/autoscaling/v1',
        'apis/autoscaling/v2',
        'apis/batch/v1',
        'apis/coordination.k8s.io/v1',
        'apis/discovery.k8s.io/v1',
        'apis/events.k8s.io/v1',
        'apis/networking.k8s.io/v1',
        'apis/policy/v1',
        'apis/storage.k8s.io/v1',
      ].sort(),
    );
    for (const { serverRelativeURL } of Object.values(index.paths) as { serverRelativeURL: string }[]) {
      expect(serverRelativeURL).toMatch(/\?hash=[0-9A-F]{16}$/);
      const doc = (await get(serverRelativeURL)).json;
      for (const ref of refs(doc)) {
        expect(ref).toMatch(/^#\/components\/schemas\//);
        expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], `${serverRelativeURL}: ${ref}`).toBeDefined();
      }
    }
    expect((await get('/openapi/v3/apis/nothing/v1')).status).toBe(404);
  });
});

describe('/openapi/v2', () => {
  it('is the Swagger 2.0 document of Kubernetes 1.32 for the served paths, without the v3-only enums', async () => {
    const get = setup();
    const doc = (await get('/openapi/v2')).json;
    expect(doc.swagger).toBe('2.0');
    expect(doc.info).toEqual({ title: 'Kubernetes', version: 'v1.32.0' });
    for (const ref of refs(doc)) {
      if (ref.startsWith('#/parameters/')) expect(doc.parameters[ref.slice('#/parameters/'.length)], ref).toBeDefined();
      else expect(doc.definitions[ref.slice('#/definitions/'.length)], ref).toBeDefined();
    }
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch.consumes).toContain('application/strategic-merge-patch+json');
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    const pull = doc.definitions['io.k8s.api.core.v1.Container'].properties.imagePullPolicy;
    expect(pull.enum).toBeUndefined();
    expect(pull.description).not.toContain('Possible enum values');
    // Nothing the sandbox does not serve.
    expect(Object.keys(doc.paths).some((p) => p.includes('replicationcontrollers'))).toBe(false);
  });

  it('answers the protobuf form with an empty document (kubectl 1.32 reads v3)', async () => {
    const get = setup();
    const pb = await get('/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    expect(pb.status).toBe(200);
    expect(pb.text).toBe('');
  });

  it('records where its data came from', () => {
    expect(SOURCE.kubernetesVersion).toBe('v1.32.0');
    expect(SOURCE.swagger).toContain('release-1.32/api/openapi-spec/swagger.json');
    expect(SOURCE.enums).toContain('k8s.io/api v0.32.0');
  });
});
