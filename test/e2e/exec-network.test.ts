// Traffic from a pod's shell with the real kubectl: `kubectl exec client -- wget -qO- http://web`, nslookup,
// curl, across namespaces and through a NetworkPolicy. The sandbox's clock is paused and stepped by the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';

let server: Server;
let sandbox: Sandbox;
let kubectl: KubectlEnv;

async function ok(args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

async function step(seconds: number) {
  await clock(server.origin, sandbox, { action: 'step', seconds });
}

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: hello
        image: gcr.io/google-samples/hello-app:1.0
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  labels:
    app: client
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: site
  labels:
    app: site
spec:
  containers:
  - name: nginx
    image: nginx:1.27
---
apiVersion: v1
kind: Namespace
metadata:
  name: other
---
apiVersion: v1
kind: Pod
metadata:
  name: echo
  namespace: other
  labels:
    app: echo
spec:
  containers:
  - name: echo
    image: hashicorp/http-echo
    args: ["-text=hello from other"]
---
apiVersion: v1
kind: Service
metadata:
  name: echo
  namespace: other
spec:
  selector:
    app: echo
  ports:
  - port: 80
    targetPort: 5678
`;

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
  await ok(['apply', '-f', kubectl.writeFile('net.yaml', MANIFESTS)]);
  await step(60);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('kubectl exec into the network', () => {
  it('wget -qO- http://web answers from every ready pod of the Deployment in turn', async () => {
    const pods = (await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(' ').sort();
    expect(pods).toHaveLength(3);
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 3; i++) {
      const r = await ok(['exec', 'client', '--', 'wget', '-qO-', 'http://web']);
      expect(r.stdout).toMatch(/^Hello, world!\nVersion: 1\.0\.0\nHostname: web-[a-z0-9]+-[a-z0-9]{5}\n$/);
      seen.add(/Hostname: (\S+)/.exec(r.stdout)![1]);
    }
    expect([...seen].sort()).toEqual(pods);
  }, 120_000);

  it('nslookup web shows the Service ClusterIP in busybox format', async () => {
    const ip = (await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    const r = await ok(['exec', 'client', '--', 'nslookup', 'web']);
    expect(r.stdout).toBe(`Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${ip}\n\n`);
    const miss = await kubectl.run(['exec', 'client', '--', 'nslookup', 'nope']);
    expect(miss.code, showRun(miss)).toBe(1);
    expect(miss.stdout).toContain("** server can't find nope: NXDOMAIN");
    expect(miss.stderr).toContain('command terminated with exit code 1');
  });

  it('reaches a Service in another namespace by <svc>.<namespace>, not by its short name', async () => {
    const r = await ok(['exec', 'client', '--', 'wget', '-qO-', '-T', '2', 'http://echo.other']);
    expect(r.stdout).toBe('hello from other\n');
    const short = await kubectl.run(['exec', 'client', '--', 'wget', '-qO-', '-T', '2', 'http://echo']);
    expect(short.code, showRun(short)).toBe(1);
    expect(short.stderr).toContain("wget: bad address 'echo'");
  });

  it('curl in the nginx image: status codes with -w, exit codes; busybox has no curl', async () => {
    const code = await ok(['exec', 'site', '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://web']);
    expect(code.stdout).toBe('200');
    const nx = await kubectl.run(['exec', 'site', '--', 'curl', '-sS', 'http://nope']);
    expect(nx.code, showRun(nx)).toBe(6);
    expect(nx.stderr).toContain('curl: (6) Could not resolve host: nope');
    const none = await kubectl.run(['exec', 'client', '--', 'sh', '-c', 'curl http://web']);
    expect(none.code, showRun(none)).toBe(127);
    expect(none.stderr).toContain('sh: curl: not found');
  });

  it('a NetworkPolicy that denies ingress makes wget -T 2 time out', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-web
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: ["Ingress"]
`);
    const r = await kubectl.run(['exec', 'client', '--', 'wget', '-qO-', '-T', '2', 'http://web']);
    expect(r.code, showRun(r)).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('wget: download timed out');
    expect(r.stderr).toContain('command terminated with exit code 1');
    // Removing the policy lets traffic through again.
    await ok(['delete', 'networkpolicy', 'deny-web']);
    expect((await ok(['exec', 'client', '--', 'wget', '-qO-', '-T', '2', 'http://web'])).stdout).toMatch(/^Hello, world!/);
  });
});
