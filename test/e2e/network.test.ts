// Services, endpoints and storage with the real kubectl against a running Kuberoom server. The sandbox's
// clock is paused and stepped by the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTable } from '../support/kubectl-output.ts';
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

/** The value of one `Key:   value` line of `kubectl describe`. */
function field(describe: string, key: string): string | undefined {
  const m = new RegExp(`^${key}:[ \\t]*(.*)$`, 'm').exec(describe);
  return m?.[1].trim();
}

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
});

afterAll(async () => {
  await server?.stop();
});

describe('a fresh sandbox', () => {
  it('has the kubernetes Service and its endpoints', async () => {
    const r = await ok(['get', 'svc,endpoints', '-n', 'default']);
    expect(r.stdout).toMatch(/^service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\S+$/m);
    expect(r.stdout).toMatch(/^endpoints\/kubernetes\s+10\.0\.0\.2:6443\s+\S+$/m);
  });

  it('has kube-dns, a default ServiceAccount and the default StorageClass', async () => {
    const dns = await ok(['get', 'svc', 'kube-dns', '-n', 'kube-system']);
    const row = parseTable(dns.stdout).rows[0]!;
    expect(row['CLUSTER-IP']).toBe('10.96.0.10');
    expect(row['PORT(S)']).toBe('53/UDP,53/TCP,9153/TCP');
    const sa = await ok(['get', 'serviceaccount', 'default', '-o', 'jsonpath={.metadata.name}']);
    expect(sa.stdout).toBe('default');
    const sc = await ok(['get', 'storageclass']);
    expect(sc.stdout).toMatch(/^standard \(default\)\s+kuberoom\.io\/hostpath\s+Delete\s+Immediate\s+true\s+\S+$/m);
  });
});

describe('kubectl expose', () => {
  it('makes a Service whose endpoints are the pod', async () => {
    await ok(['run', 'web', '--image=nginx', '--port=80']);
    await step(30);
    const ip = (await ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'])).stdout;
    expect(ip).toMatch(/^10\.244\.\d+\.\d+$/);
    const r = await ok(['expose', 'pod', 'web', '--port=80']);
    expect(r.stdout.trim()).toBe('service/web exposed');
    const all = await ok(['get', 'svc,endpoints,endpointslices', '-l', 'run=web']);
    expect(all.stdout).toMatch(/^service\/web\s+ClusterIP\s+10\.(9[6-9]|1[01]\d)\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+$/m);
    expect(all.stdout).toMatch(new RegExp(`^endpoints/web\\s+${ip.replace(/\./g, '\\.')}:80\\s+\\S+$`, 'm'));
    expect(all.stdout).toMatch(new RegExp(`^endpointslice\\.discovery\\.k8s\\.io/web-[a-z0-9]{5}\\s+IPv4\\s+80\\s+${ip.replace(/\./g, '\\.')}\\s+\\S+$`, 'm'));
    const d = (await ok(['describe', 'svc', 'web'])).stdout;
    expect(field(d, 'Selector')).toBe('run=web');
    expect(field(d, 'Type')).toBe('ClusterIP');
    expect(field(d, 'IP Families')).toBe('IPv4');
    expect(field(d, 'Endpoints')).toBe(`${ip}:80`);
    expect(field(d, 'Session Affinity')).toBe('None');
  });

  it('a Service with a wrong selector has no endpoints', async () => {
    await ok(['create', 'service', 'clusterip', 'typo', '--tcp=80:80']);
    // `kubectl create service` selects app=typo, which no pod has. The EndpointSlice controller keeps an
    // empty placeholder slice, so kubectl 1.32's describe (which reads slices) prints an empty Endpoints line.
    const d = (await ok(['describe', 'svc', 'typo'])).stdout;
    expect(field(d, 'Selector')).toBe('app=typo');
    expect(field(d, 'Endpoints')).toBe('');
    const slices = await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=typo']);
    expect(slices.stdout).toMatch(/^typo-[a-z0-9]{5}\s+IPv4\s+<unset>\s+<unset>\s+\S+$/m);
    const ep = await ok(['get', 'endpoints', 'typo']);
    expect(parseTable(ep.stdout).rows[0]!.ENDPOINTS).toBe('<none>');
  });

  it('refuses a NodePort already allocated with the API server\'s message', async () => {
    await ok(['create', 'service', 'nodeport', 'np1', '--tcp=80:80', '--node-port=30080']);
    const r = await kubectl.run(['create', 'service', 'nodeport', 'np2', '--tcp=80:80', '--node-port=30080']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('error: failed to create NodePort service: Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const got = await ok(['get', 'svc', 'np1']);
    expect(parseTable(got.stdout).rows[0]!['PORT(S)']).toBe('80:30080/TCP');
  });
});

describe('a PersistentVolumeClaim', () => {
  it('binds to a provisioned volume', async () => {
    await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: ["ReadWriteOnce"]\n  resources:\n    requests:\n      storage: 1Gi\n');
    const pending = await ok(['get', 'pvc', 'data']);
    expect(pending.stdout).toMatch(/^data\s+Pending\s+standard\s+<unset>\s+\S+$/m);
    await step(2);
    const bound = await ok(['get', 'pvc', 'data']);
    const m = /^data\s+Bound\s+(pvc-[0-9a-f-]{36})\s+1Gi\s+RWO\s+standard\s+<unset>\s+\S+$/m.exec(bound.stdout);
    expect(m, bound.stdout).toBeTruthy();
    const pv = await ok(['get', 'pv']);
    expect(pv.stdout).toMatch(new RegExp(`^${m![1]}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+standard\\s+<unset>\\s+\\S+$`, 'm'));
  });
});

/** POST /s/<id>/api/http: a request sent inside the sandbox (from outside the cluster unless fromPod is given). */
async function sandboxHttp(body: Record<string, unknown>) {
  const res = await fetch(`${server.origin}/s/${sandbox.id}/api/http`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sandbox.token}` },
    body: JSON.stringify(body),
  });
  return { code: res.status, json: (await res.json()) as Record<string, any> };
}

describe('traffic from outside the cluster', () => {
  it('reaches a NodePort Service on every node', async () => {
    await ok(['expose', 'pod', 'web', '--type=NodePort', '--name=web-np', '--port=80']);
    const np = (await ok(['get', 'svc', 'web-np', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).stdout;
    expect(Number(np)).toBeGreaterThanOrEqual(30000);
    const ips = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}'])).stdout.split(' ');
    expect(ips).toHaveLength(3);
    for (const ip of ips) {
      const r = await sandboxHttp({ url: `http://${ip}:${np}/` });
      expect(r.code).toBe(200);
      expect(r.json.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.body).toContain('<title>Welcome to nginx!</title>');
      expect(r.json.servedBy.pod).toBe('web');
    }
    // A ClusterIP is not reachable from outside.
    const cip = (await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    expect((await sandboxHttp({ url: `http://${cip}/` })).json.error).toBe('wget: download timed out');
    // From a pod it is, by name.
    expect((await sandboxHttp({ url: 'http://web', fromPod: 'default/web' })).json.status).toBe(200);
    expect((await sandboxHttp({ url: 42 })).code).toBe(400);
  });

  it('reaches a Service through an Ingress rule', async () => {
    await ok(['create', 'ingress', 'site', '--rule=shop.example.com/*=web:80']);
    const got = await ok(['get', 'ingress', 'site']);
    expect(got.stdout).toMatch(/^site\s+\S+\s+shop\.example\.com\s+172\.18\.255\.199\s+80\s+\S+$/m);
    const hit = await sandboxHttp({ url: 'http://172.18.255.199/', headers: { host: 'shop.example.com' } });
    expect(hit.json.status).toBe(200);
    expect(hit.json.body).toContain('Welcome to nginx!');
    const miss = await sandboxHttp({ url: 'http://172.18.255.199/', headers: { host: 'other.example.com' } });
    expect(miss.json.status).toBe(404);
  });

  it('a LoadBalancer Service gets an external IP', async () => {
    await ok(['expose', 'pod', 'web', '--type=LoadBalancer', '--name=web-lb', '--port=8080', '--target-port=80']);
    const row = parseTable((await ok(['get', 'svc', 'web-lb'])).stdout).rows[0]!;
    expect(row['EXTERNAL-IP']).toMatch(/^172\.18\.255\.\d+$/);
    expect(row['PORT(S)']).toMatch(/^8080:3\d{4}\/TCP$/);
    const r = await sandboxHttp({ url: `http://${row['EXTERNAL-IP']}:8080/` });
    expect(r.json.status).toBe(200);
  });
});

describe('NetworkPolicy', () => {
  it('a default-deny policy blocks traffic to the pod; a policy allowing the client lets it through', async () => {
    await ok(['run', 'client', '--image=busybox', '--labels=role=client', '--', 'sleep', '3600']);
    await ok(['run', 'stranger', '--image=busybox', '--', 'sleep', '3600']);
    await step(30);
    expect((await sandboxHttp({ url: 'http://web', fromPod: 'default/client' })).json.status).toBe(200);
    await ok(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-web\nspec:\n  podSelector:\n    matchLabels:\n      run: web\n  policyTypes: [Ingress]\n');
    const blocked = await sandboxHttp({ url: 'http://web', fromPod: 'default/client' });
    expect(blocked.json.error).toBe('wget: download timed out');
    await ok(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-client\nspec:\n  podSelector:\n    matchLabels:\n      run: web\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          role: client\n    ports:\n    - port: 80\n');
    const np = await ok(['get', 'networkpolicy']);
    expect(np.stdout).toMatch(/^allow-client\s+run=web\s+\S+$/m);
    expect((await sandboxHttp({ url: 'http://web', fromPod: 'default/client' })).json.status).toBe(200);
    expect((await sandboxHttp({ url: 'http://web', fromPod: 'default/stranger' })).json.error).toBe('wget: download timed out');
  });
});

describe('readiness', () => {
  const demo = (name: string, readyDelay: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: demo
spec:
  containers:
  - name: app
    image: kuberoom/demo
    env:
    - name: READY_DELAY
      value: ${readyDelay}
    - name: RESPONSE_BODY
      value: hello from ${name}
    readinessProbe:
      httpGet:
        path: /ready
        port: 8080
      periodSeconds: 5
`;

  it('a pod whose readiness probe fails is left out of the endpoints and gets no traffic', async () => {
    await ok(['apply', '-f', '-'], demo('demo-ok', '0s') + '---\n' + demo('demo-slow', '1h'));
    await ok(['create', 'service', 'clusterip', 'demo', '--tcp=80:8080']);
    await step(30);
    const pods = parseTable((await ok(['get', 'pods', '-l', 'app=demo'])).stdout).rows;
    expect(pods.find((r) => r.NAME === 'demo-ok')!.READY).toBe('1/1');
    expect(pods.find((r) => r.NAME === 'demo-slow')!.READY).toBe('0/1');
    const okIP = (await ok(['get', 'pod', 'demo-ok', '-o', 'jsonpath={.status.podIP}'])).stdout;
    const slowIP = (await ok(['get', 'pod', 'demo-slow', '-o', 'jsonpath={.status.podIP}'])).stdout;
    expect(parseTable((await ok(['get', 'endpoints', 'demo'])).stdout).rows[0]!.ENDPOINTS).toBe(`${okIP}:8080`);
    const notReady = (await ok(['get', 'endpoints', 'demo', '-o', 'jsonpath={.subsets[0].notReadyAddresses[*].ip}'])).stdout;
    expect(notReady).toBe(slowIP);
    const d = (await ok(['describe', 'svc', 'demo'])).stdout;
    expect(field(d, 'Endpoints')).toBe(`${okIP}:8080`);
    for (let i = 0; i < 8; i++) {
      const r = await sandboxHttp({ url: 'http://demo', fromPod: 'default/client' });
      expect(r.json.body).toBe('hello from demo-ok\n');
    }
  });
});

describe('cluster DNS from a pod', () => {
  it('finds a Service by its short name, namespace-qualified name and FQDN, and nothing else', async () => {
    const ip = (await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    for (const name of ['web', 'web.default', 'web.default.svc.cluster.local']) {
      const r = await sandboxHttp({ url: `http://${name}/`, fromPod: 'default/client' });
      expect(r.json.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.service).toMatchObject({ name: 'web', clusterIP: ip });
    }
    expect((await sandboxHttp({ url: 'http://nope/', fromPod: 'default/client' })).json.error).toBe("wget: bad address 'nope'");
    expect((await sandboxHttp({ url: 'https://kubernetes.default/', fromPod: 'default/client' })).json.status).toBe(403);
  });
});

