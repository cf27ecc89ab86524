// `kubectl explain` and `kubectl apply` against the OpenAPI documents the server publishes (Kubernetes 1.32's
// own, worker/k8s/openapi/): the real kubectl, a real server (wrangler dev). The expected texts are what
// kubectl 1.32 prints against a Kubernetes 1.32 cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTRA_VERSIONS, RESOURCES } from '../../sim/apiserver/resources.ts';
import { createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Server } from '../support/server.ts';

let server: Server;
let kubectl: KubectlEnv;

async function ok(args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

beforeAll(async () => {
  server = await startServer();
  const sandbox = await createSandbox(server.origin, { nodes: 2 });
  kubectl = await kubectlEnv(server.origin, sandbox);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('kubectl explain', () => {
  it('explains a kind: header, description, fields', async () => {
    const r = await ok(['explain', 'pod']);
    expect(r.stdout).toMatch(
      /^KIND: {7}Pod\nVERSION: {4}v1\n\nDESCRIPTION:\n {4}Pod is a collection of containers that can run on a host\. This resource is\n {4}created by clients and scheduled onto hosts\.\n/,
    );
    expect(r.stdout).toContain('FIELDS:\n  apiVersion\t<string>\n    APIVersion defines the versioned schema of this representation of an object.\n');
    expect(r.stdout).toContain('  metadata\t<ObjectMeta>\n    Standard object\'s metadata. More info:\n');
    expect(r.stdout).toContain('  spec\t<PodSpec>\n    Specification of the desired behavior of the pod. More info:\n');
    expect(r.stdout).toContain('  status\t<PodStatus>\n    Most recently observed status of the pod.');
  });

  it('explains pod.spec.containers: the field, its type and the fields of Container', async () => {
    const r = await ok(['explain', 'pod.spec.containers']);
    expect(r.stdout).toMatch(
      /^KIND: {7}Pod\nVERSION: {4}v1\n\nFIELD: containers <\[\]Container>\n\n\nDESCRIPTION:\n {4}List of containers belonging to the pod\. Containers cannot currently be\n {4}added or removed\. There must be at least one container in a Pod\. Cannot be\n {4}updated\.\n {4}A single application container that you want to run within a pod\.\n/,
    );
    expect(r.stdout).toContain('  env\t<[]EnvVar>\n    List of environment variables to set in the container. Cannot be updated.\n');
    expect(r.stdout).toContain(
      '  imagePullPolicy\t<string>\n  enum: Always, IfNotPresent, Never\n    Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if\n',
    );
    expect(r.stdout).toContain('  livenessProbe\t<Probe>\n');
    expect(r.stdout).toContain('  name\t<string> -required-\n    Name of the container specified as a DNS_LABEL. Each container in a pod must\n');
    expect(r.stdout).toContain('  ports\t<[]ContainerPort>\n');
    expect(r.stdout).toContain('  resources\t<ResourceRequirements>\n');
    expect(r.stdout).toContain('  terminationMessagePolicy\t<string>\n  enum: FallbackToLogsOnError, File\n');
  });

  it('explains an enum field the way kubectl prints it for a real cluster', async () => {
    const r = await ok(['explain', 'pod.spec.containers.imagePullPolicy']);
    expect(r.stdout).toBe(`KIND:       Pod
VERSION:    v1

FIELD: imagePullPolicy <string>
ENUM:
    Always
    IfNotPresent
    Never

DESCRIPTION:
    Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if
    :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More
    info: https://kubernetes.io/docs/concepts/containers/images#updating-images
    
    Possible enum values:
     - \`"Always"\` means that kubelet always attempts to pull the latest image.
    Container will fail If the pull fails.
     - \`"IfNotPresent"\` means that kubelet pulls if the image isn't present on
    disk. Container will fail if the image isn't present and the pull fails.
     - \`"Never"\` means that kubelet never pulls an image, but only uses a local
    image. Container will fail if the image isn't present
    

`);
  });

  it('explains deployment.spec.strategy --recursive', async () => {
    const r = await ok(['explain', 'deployment.spec.strategy', '--recursive']);
    expect(r.stdout).toBe(`GROUP:      apps
KIND:       Deployment
VERSION:    v1

FIELD: strategy <DeploymentStrategy>


DESCRIPTION:
    The deployment strategy to use to replace existing pods with new ones.
    DeploymentStrategy describes how to replace existing pods with new ones.
    
FIELDS:
  rollingUpdate\t<RollingUpdateDeployment>
    maxSurge\t<IntOrString>
    maxUnavailable\t<IntOrString>
  type\t<string>
  enum: Recreate, RollingUpdate

`);
  });

  it('explains svc.spec.ports and ingress.spec.rules', async () => {
    const svc = await ok(['explain', 'svc.spec.ports']);
    expect(svc.stdout).toMatch(/^KIND: {7}Service\nVERSION: {4}v1\n\nFIELD: ports <\[\]ServicePort>\n/);
    expect(svc.stdout).toContain('    ServicePort contains information on service\'s port.\n');
    expect(svc.stdout).toContain('  port\t<integer> -required-\n    The port that will be exposed by this service.\n');
    expect(svc.stdout).toContain(
      '  protocol\t<string>\n  enum: SCTP, TCP, UDP\n    The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is\n    TCP.\n    \n    Possible enum values:\n     - `"SCTP"` is the SCTP protocol.\n',
    );
    expect(svc.stdout).toContain('  targetPort\t<IntOrString>\n    Number or name of the port to access on the pods targeted by the service.\n');

    const ing = await ok(['explain', 'ingress.spec.rules']);
    expect(ing.stdout).toMatch(/^GROUP: {6}networking\.k8s\.io\nKIND: {7}Ingress\nVERSION: {4}v1\n\nFIELD: rules <\[\]IngressRule>\n/);
    expect(ing.stdout).toContain('    rules is a list of host rules used to configure the Ingress. If unspecified,\n');
    expect(ing.stdout).toContain('  host\t<string>\n    host is the fully qualified domain name of a network host');
    expect(ing.stdout).toContain('  http\t<HTTPIngressRuleValue>\n');
    const path = await ok(['explain', 'ingress.spec.rules.http.paths', '--recursive']);
    expect(path.stdout).toContain('  pathType\t<string> -required-\n  enum: Exact, ImplementationSpecific, Prefix\n');
    expect(path.stdout).toContain('  backend\t<IngressBackend> -required-\n');
  });

  it('explains every served kind, with its group and version', async () => {
    for (const r of RESOURCES) {
      for (const version of [r.version, ...(r.group ? (EXTRA_VERSIONS[r.group] ?? []) : [])]) {
        const args = ['explain', r.resource, '--api-version', r.group ? `${r.group}/${version}` : version];
        const res = await ok(args);
        const header = `${r.group ? `GROUP:      ${r.group}\n` : ''}KIND:       ${r.kind}\nVERSION:    ${version}\n\nDESCRIPTION:\n`;
        expect(res.stdout.startsWith(header), `kubectl ${args.join(' ')}\n${res.stdout.slice(0, 400)}`).toBe(true);
        expect(res.stdout).toContain('\nFIELDS:\n');
        expect(res.stdout).toContain('\n  apiVersion\t<string>\n');
        // (core/v1 Event's metadata is required)
        expect(res.stdout).toMatch(/\n  metadata\t<ObjectMeta>( -required-)?\n/);
      }
    }
  }, 240_000);

  it('says which field does not exist', async () => {
    const r = await kubectl.run(['explain', 'pod.spec.bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: field "bogus" does not exist\n');
  });
});

const deployment = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
${containers}`;

const main = (image: string) => `      - name: main
        image: ${image}
        ports:
        - containerPort: 80
`;
const side = `      - name: side
        image: busybox:1.36
        command: ["sleep", "3600"]
`;

async function images(): Promise<string> {
  const r = await ok(['get', 'deployment', 'web', '-o', 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} {end}']);
  return r.stdout.trim();
}

describe('kubectl apply with the published schemas', () => {
  it('rejects an unknown field with the server-side strict validation error', async () => {
    const path = kubectl.writeFile(
      'bad.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: main\n    image: nginx\n    bogus: 1\n',
    );
    const r = await kubectl.run(['apply', '-f', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error from server (BadRequest): error when creating "' +
        path +
        '": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].bogus"\n',
    );
  });

  it('merges containers by name (the schema\'s patch merge key), in apply and in patch', async () => {
    expect((await ok(['apply', '-f', '-'], deployment(main('nginx:1.27') + side))).stdout).toBe('deployment.apps/web created\n');
    expect(await images()).toBe('main=nginx:1.27 side=busybox:1.36');

    // The patch kubectl computes from the OpenAPI v3 schema names the container it changes by its merge key.
    const applied = await ok(['apply', '-f', '-', '-v=8'], deployment(main('nginx:1.28') + side));
    expect(applied.stdout).toBe('deployment.apps/web configured\n');
    expect(applied.stderr).not.toContain('warning');
    expect(applied.stderr).toContain(
      String.raw`\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"main\"},{\"name\":\"side\"}],\"containers\":[{\"image\":\"nginx:1.28\",\"name\":\"main\"}]}}}}`,
    );
    expect(await images()).toBe('main=nginx:1.28 side=busybox:1.36');

    await ok(['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:1.37"}]}}}}']);
    expect(await images()).toBe('main=nginx:1.28 side=busybox:1.37');

    // A container dropped from the manifest is deleted by name; the other one stays as it is.
    expect((await ok(['apply', '-f', '-'], deployment(main('nginx:1.28')))).stdout).toBe('deployment.apps/web configured\n');
    expect(await images()).toBe('main=nginx:1.28');
  });
});
