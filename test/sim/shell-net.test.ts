// wget, curl and nslookup in a container's shell, through the simulated network and cluster DNS.
import { describe, expect, it } from 'vitest';
import { findResource, NAMESPACES, PODS } from '../../sim/apiserver/resources.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import type { Service } from '../../sim/apiserver/registry/services.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { ExecSession, resolveExec, type ExecOptions } from '../../sim/kubelet/exec.ts';
import { newCluster } from './helpers.ts';

const SERVICES = findResource('', 'services')!;
const NETPOL = findResource('networking.k8s.io', 'networkpolicies')!;

function exec(c: Cluster, pod: string, argv: string[], opts: ExecOptions & { ns?: string } = {}) {
  const r = resolveExec(c, opts.ns ?? 'default', pod, opts.container);
  if ('code' in r) throw new Error(r.message);
  let out = '';
  let err = '';
  const s = new ExecSession(c, r.rt, r.container, argv, opts, (t) => (out += t), (t) => (err += t));
  const code = s.start() ?? s.endInput();
  return { out, err, code };
}

const sh = (c: Cluster, pod: string, script: string, opts: ExecOptions & { ns?: string } = {}) => exec(c, pod, ['sh', '-c', script], opts);

function pod(name: string, image: string, labels: Record<string, string>, container: Record<string, unknown> = {}, ns = 'default'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'main', image, ...container }] } };
}

function run(c: Cluster, ...pods: Pod[]): void {
  for (const p of pods) c.api.create(PODS, p.metadata.namespace ?? 'default', p);
  c.settle();
  c.advance(30_000);
}

function service(c: Cluster, name: string, spec: Record<string, unknown>, ns = 'default'): string {
  c.api.create(SERVICES, ns, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
  c.settle();
  return (c.store.get(SERVICES, ns, name) as Service).spec.clusterIP!;
}

const sleeper = { command: ['sleep', '3600'] };

/** Three hello-app pods behind `web`, nginx behind `site`, a Service with no pods, a busybox and an nginx client. */
function cluster(): { c: Cluster; webIP: string; siteIP: string; emptyIP: string } {
  const c = newCluster();
  const hello = (n: string) => pod(n, 'gcr.io/google-samples/hello-app:1.0', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080 }] });
  run(c, hello('web-a'), hello('web-b'), hello('web-c'), pod('site-1', 'nginx:1.27', { app: 'site' }), pod('client', 'busybox:1.36', { app: 'client' }, sleeper), pod('alp', 'alpine', { app: 'client' }, sleeper));
  const webIP = service(c, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] });
  const siteIP = service(c, 'site', { selector: { app: 'site' }, ports: [{ port: 80 }] });
  const emptyIP = service(c, 'empty', { selector: { app: 'typo' }, ports: [{ port: 80 }] });
  return { c, webIP, siteIP, emptyIP };
}

function denyIngress(c: Cluster, app: string, ns = 'default'): void {
  c.api.create(NETPOL, ns, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `deny-${app}` }, spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'] } });
  c.settle();
}

describe('wget (busybox)', () => {
  it('wget -qO- through a Service answers from every ready pod in turn', () => {
    const { c } = cluster();
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const r = exec(c, 'client', ['wget', '-qO-', 'http://web']);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(/^Hello, world!\nVersion: 1\.0\.0\nHostname: web-[abc]\n$/);
      seen.add(/Hostname: (\S+)/.exec(r.out)![1]);
    }
    expect([...seen].sort()).toEqual(['web-a', 'web-b', 'web-c']);
  });

  it('prints the busybox progress to stderr without -q, and the same body with -q -O -', () => {
    const { c, siteIP } = cluster();
    const r = exec(c, 'client', ['wget', '-O-', 'http://site']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('<title>Welcome to nginx!</title>');
    expect(r.err).toMatch(new RegExp(`^Connecting to site \\(${siteIP.replace(/\./g, '\\.')}:80\\)\nwriting to stdout\n-  +100% \\|\\*+\\| +\\d+  0:00:00 ETA\nwritten to stdout\n$`));
    const q = exec(c, 'client', ['wget', '-q', '-O', '-', 'http://site/index.html']);
    expect(q).toMatchObject({ code: 0, err: '' });
    expect(q.out).toBe(r.out);
    // The long forms and -T with a value attached.
    expect(exec(c, 'client', ['wget', '--quiet', '--output-document=-', '-T5', 'http://site'])).toMatchObject({ code: 0, out: r.out });
  });

  it('--spider checks without downloading; an HTTP error is wget error with exit 1', () => {
    const { c } = cluster();
    expect(exec(c, 'client', ['wget', '--spider', 'http://site'])).toMatchObject({ code: 0, out: '', err: expect.stringContaining('remote file exists\n') });
    expect(exec(c, 'client', ['wget', '-q', '--spider', 'http://site'])).toEqual({ code: 0, out: '', err: '' });
    expect(exec(c, 'client', ['wget', '-qO-', 'http://site/missing'])).toEqual({ code: 1, out: '', err: 'wget: server returned error: HTTP/1.1 404 Not Found\n' });
  });

  it('a name that does not resolve, a Service with no endpoints, a port nobody listens on', () => {
    const { c, emptyIP } = cluster();
    expect(exec(c, 'client', ['wget', '-qO-', 'http://nope'])).toEqual({ code: 1, out: '', err: "wget: bad address 'nope'\n" });
    expect(exec(c, 'client', ['wget', '-qO-', 'http://empty'])).toEqual({ code: 1, out: '', err: `wget: can't connect to remote host (${emptyIP}): Connection refused\n` });
    const siteIP = (c.store.get(PODS, 'default', 'site-1') as Pod).status!.podIP!;
    expect(exec(c, 'client', ['wget', '-O-', `http://${siteIP}:8080/`])).toEqual({ code: 1, out: '', err: `Connecting to ${siteIP}:8080 (${siteIP}:8080)\nwget: can't connect to remote host (${siteIP}): Connection refused\n` });
  });

  it('a NetworkPolicy that denies ingress makes wget -T 2 time out; without -T the kernel gives up first', () => {
    const { c, webIP } = cluster();
    denyIngress(c, 'web');
    expect(exec(c, 'client', ['wget', '-qO-', '-T', '2', 'http://web'])).toEqual({ code: 1, out: '', err: 'wget: download timed out\n' });
    expect(exec(c, 'client', ['wget', '-qO-', 'http://web'])).toEqual({ code: 1, out: '', err: `wget: can't connect to remote host (${webIP}): Connection timed out\n` });
    // Other Services are not affected.
    expect(exec(c, 'client', ['wget', '-qO-', '-T', '2', 'http://site']).code).toBe(0);
  });

  it('without -O saves index.html in the working directory, and will not overwrite it', () => {
    const { c } = cluster();
    const r = sh(c, 'client', 'cd /tmp && wget http://site');
    expect(r.code).toBe(0);
    expect(r.err).toContain("saving to 'index.html'\n");
    expect(r.err).toContain("'index.html' saved\n");
    expect(exec(c, 'client', ['cat', '/tmp/index.html']).out).toContain('<h1>Welcome to nginx!</h1>');
    expect(sh(c, 'client', 'cd /tmp && wget -q http://site')).toMatchObject({ code: 1, err: "wget: can't open 'index.html': File exists\n" });
    expect(sh(c, 'client', 'wget -q -O /tmp/page.html http://web && cat /tmp/page.html')).toMatchObject({ code: 0, out: expect.stringMatching(/^Hello, world!/) });
  });

  it('works in pipelines and scripts; bad flags and no URL print usage with exit 1', () => {
    const { c } = cluster();
    expect(sh(c, 'client', 'wget -qO- http://web | grep Hostname')).toMatchObject({ code: 0, out: expect.stringMatching(/^Hostname: web-[abc]\n$/) });
    expect(sh(c, 'client', 'wget -qO- -T 1 http://empty || echo down')).toMatchObject({ out: 'down\n' });
    const none = exec(c, 'client', ['wget']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('Usage: wget [-cqS] [--spider] [-O FILE]');
    expect(exec(c, 'client', ['wget', '-z', 'http://web']).err).toMatch(/^wget: invalid option -- 'z'\nBusyBox v1\.36\.1/);
    expect(exec(c, 'client', ['wget', '-T', 'soon', 'http://web'])).toEqual({ code: 1, out: '', err: "wget: invalid number 'soon'\n" });
  });

  it('reaches Services in other namespaces by <svc>.<namespace>', () => {
    const { c } = cluster();
    c.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    c.settle();
    run(c, pod('api-1', 'hashicorp/http-echo', { app: 'api' }, { args: ['-text=from other'] }, 'other'));
    service(c, 'api', { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 5678 }] }, 'other');
    expect(exec(c, 'client', ['wget', '-qO-', '-T', '2', 'http://api.other'])).toEqual({ code: 0, out: 'from other\n', err: '' });
    expect(exec(c, 'client', ['wget', '-qO-', 'http://api.other.svc.cluster.local'])).toMatchObject({ code: 0, out: 'from other\n' });
    expect(exec(c, 'client', ['wget', '-qO-', 'http://api'])).toEqual({ code: 1, out: '', err: "wget: bad address 'api'\n" });
  });
});

describe('curl', () => {
  it('curl -s prints the body; without -s the progress meter goes to stderr', () => {
    const { c } = cluster();
    const r = exec(c, 'site-1', ['curl', '-s', 'http://web']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^Hello, world!\nVersion: 1\.0\.0\nHostname: web-[abc]\n$/);
    const loud = exec(c, 'site-1', ['curl', 'http://web']);
    expect(loud.code).toBe(0);
    expect(loud.err).toMatch(/^ {2}% Total {4}% Received % Xferd {2}Average Speed {3}Time {4}Time {5}Time {2}Current\n {33}Dload {2}Upload {3}Total {3}Spent {4}Left {2}Speed\n100 +\d+ +100 +\d+ /);
    // A terminal shows the body and no meter.
    expect(exec(c, 'site-1', ['curl', 'http://web'], { tty: true }).out).toMatch(/^Hello, world!\r\n/);
  });

  it("-o /dev/null -w '%{http_code}' prints the status; -f fails with 22 on an HTTP error", () => {
    const { c } = cluster();
    expect(exec(c, 'site-1', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://site/'])).toEqual({ code: 0, out: '200', err: '' });
    expect(exec(c, 'site-1', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}\\n', 'http://site/nope'])).toEqual({ code: 0, out: '404\n', err: '' });
    expect(exec(c, 'site-1', ['curl', '-s', 'http://site/nope']).out).toContain('<head><title>404 Not Found</title></head>');
    expect(exec(c, 'site-1', ['curl', '-sf', 'http://site/nope'])).toEqual({ code: 22, out: '', err: '' });
    expect(exec(c, 'site-1', ['curl', '-sSf', 'http://site/nope'])).toEqual({ code: 22, out: '', err: 'curl: (22) The requested URL returned error: 404\n' });
    expect(exec(c, 'site-1', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://empty'])).toEqual({ code: 7, out: '000', err: '' });
  });

  it('-I shows the response head', () => {
    const { c } = cluster();
    const r = exec(c, 'site-1', ['curl', '-sI', 'http://site']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.27\.3\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\nContent-Type: text\/html\r\nContent-Length: \d+\r\n/);
    expect(r.out.endsWith('\r\n\r\n')).toBe(true);
    expect(r.out).not.toContain('Welcome');
    expect(exec(c, 'site-1', ['curl', '-si', 'http://site']).out).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n<!DOCTYPE html>/);
  });

  it('exit codes: 6 cannot resolve, 7 refused, 28 timeout (-m, --connect-timeout), with curl 8 messages under -sS', () => {
    const { c, emptyIP } = cluster();
    void emptyIP;
    expect(exec(c, 'site-1', ['curl', '-sS', 'http://nope'])).toEqual({ code: 6, out: '', err: 'curl: (6) Could not resolve host: nope\n' });
    expect(exec(c, 'site-1', ['curl', '-s', 'http://nope'])).toEqual({ code: 6, out: '', err: '' });
    expect(exec(c, 'site-1', ['curl', '-sS', 'http://empty'])).toEqual({ code: 7, out: '', err: "curl: (7) Failed to connect to empty port 80 after 1 ms: Couldn't connect to server\n" });
    denyIngress(c, 'web');
    expect(exec(c, 'site-1', ['curl', '-sS', '-m', '2', 'http://web'])).toEqual({ code: 28, out: '', err: 'curl: (28) Connection timed out after 2001 milliseconds\n' });
    expect(exec(c, 'site-1', ['curl', '-sS', '--connect-timeout', '3', 'http://web'])).toEqual({ code: 28, out: '', err: 'curl: (28) Failed to connect to web port 80 after 3001 ms: Timeout was reached\n' });
    expect(exec(c, 'site-1', ['curl', '-sS', 'http://web'])).toMatchObject({ code: 28, err: expect.stringMatching(/^curl: \(28\) Failed to connect to web port 80 after 130000 ms/) });
    // Without -s the error follows the meter.
    expect(exec(c, 'site-1', ['curl', 'http://nope']).err).toMatch(/Speed\n {2}0 {5}0 {4}0 {5}0 .*\ncurl: \(6\) Could not resolve host: nope\n$/);
  });

  it('bad options and a missing URL exit 2 with curl\'s hint', () => {
    const { c } = cluster();
    expect(exec(c, 'site-1', ['curl'])).toEqual({ code: 2, out: '', err: "curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n" });
    expect(exec(c, 'site-1', ['curl', '--bogus', 'http://web'])).toEqual({ code: 2, out: '', err: "curl: option --bogus: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n" });
    expect(exec(c, 'site-1', ['curl', '-m', 'x', 'http://web']).code).toBe(2);
  });
});

describe('which images have which tool', () => {
  it('busybox and alpine have no curl; nginx has no wget or nslookup', () => {
    const { c } = cluster();
    expect(sh(c, 'client', 'curl -s http://web')).toEqual({ code: 127, out: '', err: 'sh: curl: not found\n' });
    expect(sh(c, 'alp', 'curl http://web; echo $?')).toEqual({ code: 0, out: '127\n', err: 'sh: curl: not found\n' });
    expect(exec(c, 'alp', ['wget', '-qO-', 'http://web']).code).toBe(0);
    expect(sh(c, 'site-1', 'wget -qO- http://web')).toMatchObject({ code: 127, err: 'sh: wget: not found\n' });
    expect(exec(c, 'site-1', ['bash', '-c', 'nslookup web']).code).toBe(127);
    // Run directly by kubectl exec, a missing executable is containerd's error.
    expect(exec(c, 'client', ['curl', 'http://web'])).toEqual({ code: 126, err: '', out: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown\n' });
  });
});

describe('nslookup (busybox)', () => {
  it('shows the Service ClusterIP in busybox format, NXDOMAIN for unknown names', () => {
    const { c, webIP } = cluster();
    expect(exec(c, 'client', ['nslookup', 'web'])).toEqual({ code: 0, err: '', out: `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${webIP}\n\n` });
    expect(exec(c, 'client', ['nslookup', 'kubernetes.default']).out).toContain('Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n');
    expect(exec(c, 'client', ['nslookup', 'nope'])).toEqual({ code: 1, err: '', out: "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find nope: NXDOMAIN\n\n" });
  });

  it('nslookup NAME SERVER asks that server; only the cluster resolver answers', () => {
    const { c, webIP } = cluster();
    expect(exec(c, 'client', ['nslookup', 'web', '10.96.0.10'])).toEqual({ code: 0, err: '', out: `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${webIP}\n\n` });
    expect(exec(c, 'client', ['nslookup', 'web', 'kube-dns.kube-system']).out).toBe(`Server:\t\tkube-dns.kube-system\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${webIP}\n\n`);
    expect(exec(c, 'client', ['nslookup', 'web', '8.8.8.8'])).toEqual({ code: 1, err: '', out: ';; connection timed out; no servers could be reached\n\n' });
    expect(exec(c, 'client', ['nslookup']).err).toContain('Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]');
  });
});

describe('inside the pod and over time', () => {
  it('localhost is the pod itself, and a NetworkPolicy does not stop a pod talking to itself', () => {
    const { c } = cluster();
    expect(exec(c, 'site-1', ['curl', '-s', 'http://localhost/']).out).toContain('<title>Welcome to nginx!</title>');
    expect(exec(c, 'site-1', ['curl', '-sS', 'http://localhost:8080/'])).toEqual({ code: 7, out: '', err: "curl: (7) Failed to connect to localhost port 8080 after 1 ms: Couldn't connect to server\n" });
    denyIngress(c, 'site');
    expect(exec(c, 'site-1', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://localhost/'])).toMatchObject({ code: 0, out: '200' });
    expect(exec(c, 'client', ['wget', '-qO-', '-T', '1', 'http://site'])).toMatchObject({ code: 1, err: 'wget: download timed out\n' });
  });

  it('an answer slower than -T / -m times out (the demo app with LATENCY)', () => {
    const c = newCluster();
    run(c, pod('slow', 'kuberoom/demo', { app: 'slow' }, { env: [{ name: 'LATENCY', value: '3s' }, { name: 'RESPONSE_BODY', value: 'finally' }] }), pod('client', 'busybox', { app: 'client' }, sleeper), pod('curler', 'nginx', { app: 'curler' }));
    service(c, 'slow', { selector: { app: 'slow' }, ports: [{ port: 80, targetPort: 8080 }] });
    expect(exec(c, 'client', ['wget', '-qO-', 'http://slow'])).toEqual({ code: 0, out: 'finally\n', err: '' });
    expect(exec(c, 'client', ['wget', '-qO-', '-T', '1', 'http://slow'])).toEqual({ code: 1, out: '', err: 'wget: download timed out\n' });
    expect(exec(c, 'curler', ['curl', '-sS', '-m', '1', 'http://slow'])).toEqual({ code: 28, out: '', err: 'curl: (28) Operation timed out after 1001 milliseconds with 0 bytes received\n' });
    expect(exec(c, 'curler', ['curl', '-s', '-m', '5', 'http://slow'])).toEqual({ code: 0, out: 'finally\n', err: '' });
  });

  it('the classic init container waits with nslookup until the Service exists', () => {
    const c = newCluster();
    const script = 'until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done';
    c.api.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'myapp' }, spec: { initContainers: [{ name: 'init-myservice', image: 'busybox:1.28', command: ['sh', '-c', script] }], containers: [{ name: 'app', image: 'nginx' }] } });
    c.settle();
    c.advance(20_000);
    let p = c.store.get(PODS, 'default', 'myapp') as Pod;
    expect(p.status!.initContainerStatuses![0].state.running).toBeDefined();
    const kubelet = (c as unknown as { kubelet: { podLogs(ns: string, n: string, o: object): string } }).kubelet;
    const waiting = kubelet.podLogs('default', 'myapp', { container: 'init-myservice' });
    expect(waiting).toContain("** server can't find myservice.default.svc.cluster.local: NXDOMAIN\n");
    expect(waiting).toContain('waiting for myservice\n');
    const ip = service(c, 'myservice', { ports: [{ port: 80, targetPort: 9376 }] });
    c.advance(20_000);
    p = c.store.get(PODS, 'default', 'myapp') as Pod;
    expect(p.status!.initContainerStatuses![0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(kubelet.podLogs('default', 'myapp', { container: 'init-myservice' })).toContain(`Name:\tmyservice.default.svc.cluster.local\nAddress: ${ip}\n`);
  });

  it('a client loop in a container logs each answer', () => {
    const { c } = cluster();
    run(c, pod('loop', 'busybox', { app: 'loop' }, { command: ['sh', '-c', 'while true; do wget -qO- http://web | grep Hostname; sleep 5; done'] }));
    const kubelet = (c as unknown as { kubelet: { podLogs(ns: string, n: string, o: object): string } }).kubelet;
    const lines = kubelet.podLogs('default', 'loop', {}).trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const l of lines) expect(l).toMatch(/^Hostname: web-[abc]$/);
  });
});

describe('wget extras', () => {
  it('-S prints the response head; https: busybox has no ssl_client, alpine reaches the API server', () => {
    const { c } = cluster();
    const r = exec(c, 'client', ['wget', '-S', '-qO-', 'http://site']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^ {2}HTTP\/1\.1 200 OK\n {2}Server: nginx\/1\.27\.3\n {2}Date: .* GMT\n {2}Content-Type: text\/html\n {2}Content-Length: \d+\n$/);
    expect(exec(c, 'client', ['wget', '-qO-', 'https://kubernetes.default'])).toEqual({ code: 1, out: '', err: "wget: note: TLS certificate validation not implemented\nwget: can't execute 'ssl_client': No such file or directory\nwget: error getting response: Connection reset by peer\n" });
    expect(exec(c, 'alp', ['wget', '-qO-', 'https://kubernetes.default'])).toEqual({ code: 1, out: '', err: 'wget: server returned error: HTTP/1.1 403 Forbidden\n' });
  });
});
