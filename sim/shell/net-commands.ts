/**
 * The network tools of a container's shell: busybox `wget` and `nslookup`, and curl 8. They send their
 * requests through the simulated network (`httpRequest`, kube-proxy's routing, NetworkPolicies, the serving
 * image's answer) and cluster DNS, from the pod the shell runs in, and print what the real tools print.
 *
 * Which images have which tool: busybox-based images (busybox, alpine, the demo app) have the busybox
 * applets `wget` and `nslookup` and no curl; Debian-based images have neither, except those that ship curl
 * (nginx, kubernetes-bootcamp). A tool the image lacks is "not found" as the shell says it (exit 127), or, run
 * directly by `kubectl exec`, as containerd says it (exit 126).
 *
 * Time: a command runs to completion at once (the shell has no way to consume virtual time and keep an exit
 * status), so a timeout is reported with the time it would have taken, without waiting for it.
 *
 * This module registers nothing itself: shell.ts adds `netCommands()` to its table (an import cycle
 * through the network modules could otherwise run this before the table exists).
 */
import type { Pod } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { DNS_SERVICE_IP, nslookupText, resolve } from '../dns/resolve.ts';
import { lookupImage } from '../images/catalog.ts';
import { curlError, httpRequest, parseUrl, TCP_CONNECT_TIMEOUT_MS, wgetError, type HttpResult } from '../network/http.ts';
import { normalizePath } from './fs.ts';
import type { CommandFn, CommandIO } from './shell.ts';

/** Network tools by image repository; images not listed get busybox's applets if their shell is busybox's. */
const IMAGE_TOOLS: Record<string, string[]> = {
  busybox: ['wget', 'nslookup'],
  alpine: ['wget', 'nslookup'],
  'kuberoom/demo': ['wget', 'nslookup'],
  'polinux/stress': ['wget', 'nslookup'],
  'registry.k8s.io/e2e-test-images/agnhost': ['wget', 'nslookup', 'curl'],
  nginx: ['curl'],
  'gcr.io/google-samples/kubernetes-bootcamp': ['curl'],
  httpd: [],
  redis: [],
  postgres: [],
  ubuntu: [],
  debian: [],
};

const BUSYBOX_BANNER = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n';
const WGET_USAGE =
  BUSYBOX_BANNER +
  'Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...\n\nRetrieve files via HTTP or FTP\n';
const NSLOOKUP_USAGE = BUSYBOX_BANNER + 'Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n';
const CURL_TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n";

interface NetHost {
  cluster?: Cluster;
  pod?: Pod;
  container?: string;
}

function netHost(io: CommandIO): NetHost {
  return io.host as unknown as NetHost;
}

/** The repository of the shell's container image (undefined for a bare shell). */
function imageRepository(io: CommandIO): string | undefined {
  const { pod, container } = netHost(io);
  const spec = pod && [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === container);
  return spec ? lookupImage(spec.image ?? '')?.info.repository : undefined;
}

/** Whether the container's image has the tool; without a pod (a bare shell) every tool is there. */
function hasTool(io: CommandIO, tool: string): boolean {
  const { pod, container } = netHost(io);
  if (!pod) return true;
  const spec = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === container);
  const found = spec ? lookupImage(spec.image ?? '') : undefined;
  if (!found) return false;
  const listed = IMAGE_TOOLS[found.info.repository];
  if (listed) return listed.includes(tool);
  return found.info.behaviour.shell === 'sh' && tool !== 'curl';
}

/** The image lacks the tool: the shell's "not found", or containerd's error when exec ran it directly. */
function missing(io: CommandIO, tool: string): number {
  const shell = io.host.shellName ?? 'sh';
  if (shell === tool) {
    io.out(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${tool}": executable file not found in $PATH: unknown\n`);
    return 126;
  }
  io.err(`${shell}: ${tool}: not found\n`);
  return 127;
}

function withTool(tool: string, fn: CommandFn): CommandFn {
  return (args, io) => (hasTool(io, tool) ? fn(args, io) : missing(io, tool));
}

/** Sends a request from the shell's pod; `localhost` is the pod itself. */
function send(io: CommandIO, url: string, method: string, headers: Record<string, string>): HttpResult {
  const { cluster, pod } = netHost(io);
  const u = parseUrl(url);
  if (!cluster || !pod?.metadata.uid) {
    return { code: 'NXDOMAIN', error: `wget: bad address '${u?.host ?? url}'`, elapsedMs: 5 };
  }
  let target = url;
  if (u && (u.host === 'localhost' || u.host === '127.0.0.1') && pod.status?.podIP) {
    target = `${u.scheme}://${pod.status.podIP}:${u.port}${u.path}`;
    const r = httpRequest(cluster, { fromPodUid: pod.metadata.uid, url: target, method, headers: { host: `${u.host}:${u.port}`, ...headers } });
    if (r.remote) r.remote = { ip: '127.0.0.1', port: u.port };
    if (r.error) r.error = r.error.replace(pod.status.podIP, '127.0.0.1');
    return r;
  }
  return httpRequest(cluster, { fromPodUid: pod.metadata.uid, url: target, method, headers });
}

function remoteIP(io: CommandIO, r: HttpResult, host: string): string {
  if (r.remote) return r.remote.ip;
  const { cluster, pod } = netHost(io);
  if (cluster && pod) {
    const x = resolve(cluster, host, pod.metadata.namespace ?? 'default', { fromPod: pod });
    if ('ips' in x && x.ips.length) return x.ips[0];
  }
  return host;
}

// --- wget (busybox 1.36) -------------------------------------------------------------------------------------

interface WgetOpts {
  quiet: boolean;
  serverResponse: boolean;
  spider: boolean;
  output?: string;
  timeout: number;
  headers: Record<string, string>;
  method: string;
  dir?: string;
  urls: string[];
}

const WGET_WITH_ARG = new Set(['O', 'o', 'P', 'Y', 'U', 'T', 't']);
const WGET_FLAGS = new Set(['q', 'c', 'S', 's']);
const WGET_LONG: Record<string, string> = {
  'output-document': 'O',
  'output-file': 'o',
  'directory-prefix': 'P',
  proxy: 'Y',
  'user-agent': 'U',
  timeout: 'T',
  tries: 't',
  quiet: 'q',
  continue: 'c',
  'server-response': 'S',
};

function parseWget(args: string[], io: CommandIO): WgetOpts | number {
  const o: WgetOpts = { quiet: false, serverResponse: false, spider: false, timeout: 900, headers: {}, method: 'GET', urls: [] };
  const bad = (msg: string) => {
    io.err(`wget: ${msg}\n${WGET_USAGE}`);
    return 1;
  };
  const set = (opt: string, val: string): number | undefined => {
    switch (opt) {
      case 'O':
        o.output = val;
        break;
      case 'P':
        o.dir = val;
        break;
      case 'U':
        o.headers['user-agent'] = val;
        break;
      case 'T': {
        if (!/^\d+(\.\d+)?$/.test(val)) {
          io.err(`wget: invalid number '${val}'\n`);
          return 1;
        }
        o.timeout = Number(val);
        break;
      }
      case 'q':
        o.quiet = true;
        break;
      case 'S':
        o.serverResponse = true;
        break;
    }
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      o.urls.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      if (name === 'spider') o.spider = true;
      else if (name === 'no-check-certificate' || name === 'no-verbose') continue;
      else if (name === 'header' || name === 'post-data' || name === 'post-file') {
        const v = inline ?? args[++i];
        if (v === undefined) return bad(`option '--${name}' requires an argument`);
        if (name === 'header') {
          const c = v.indexOf(':');
          if (c > 0) o.headers[v.slice(0, c).trim().toLowerCase()] = v.slice(c + 1).trim();
        } else o.method = 'POST';
      } else if (name in WGET_LONG) {
        const short = WGET_LONG[name];
        if (WGET_WITH_ARG.has(short)) {
          const v = inline ?? args[++i];
          if (v === undefined) return bad(`option '--${name}' requires an argument`);
          const r = set(short, v);
          if (r !== undefined) return r;
        } else set(short, '');
      } else return bad(`unrecognized option '${a}'`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const ch = a[k];
        if (WGET_WITH_ARG.has(ch)) {
          const v = k + 1 < a.length ? a.slice(k + 1) : args[++i];
          if (v === undefined) return bad(`option requires an argument -- '${ch}'`);
          const r = set(ch, v);
          if (r !== undefined) return r;
          break;
        }
        if (WGET_FLAGS.has(ch)) set(ch, '');
        else return bad(`invalid option -- '${ch}'`);
      }
      continue;
    }
    o.urls.push(a);
  }
  if (!o.urls.length) {
    io.err(WGET_USAGE);
    return 1;
  }
  return o;
}

/** busybox's progress line: `index.html           100% |*****...| 615  0:00:00 ETA`. */
function progressLine(name: string, size: number): string {
  return `${name.padEnd(20).slice(0, 20)} 100% |${'*'.repeat(32)}| ${String(size).padStart(5)}  0:00:00 ETA\n`;
}

function wget(args: string[], io: CommandIO): number {
  const o = parseWget(args, io);
  if (typeof o === 'number') return o;
  let status = 0;
  for (const url of o.urls) {
    const u = parseUrl(url);
    if (!u) {
      io.err(`wget: bad address '${url}'\n`);
      status = 1;
      continue;
    }
    if (u.scheme === 'https' && imageRepository(io) === 'busybox') {
      // The busybox image has no ssl_client helper (alpine's has).
      if (!o.quiet) io.err(`Connecting to ${u.host}${u.port === 443 ? '' : `:${u.port}`} (${remoteIP(io, { elapsedMs: 0 }, u.host)}:${u.port})\n`);
      io.err(`wget: note: TLS certificate validation not implemented\nwget: can't execute 'ssl_client': No such file or directory\nwget: error getting response: Connection reset by peer\n`);
      status = 1;
      continue;
    }
    const r = send(io, url, o.spider ? 'HEAD' : o.method, o.headers);
    if (r.code !== 'NXDOMAIN' && r.code !== 'DNS_TIMEOUT' && r.code !== 'BAD_URL' && !o.quiet) {
      io.err(`Connecting to ${u.host}${u.port === 80 ? '' : `:${u.port}`} (${remoteIP(io, r, u.host)}:${u.port})\n`);
    }
    // -S: the response head, indented, as busybox prints it.
    if (o.serverResponse && r.status !== undefined) io.err(responseHead(r, io.now()).split('\r\n').filter(Boolean).map((l) => `  ${l}\n`).join(''));
    if (r.error && r.code !== 'HTTP_ERROR') {
      io.err(`${wgetError(r, o.timeout).message ?? r.error}\n`);
      status = 1;
      continue;
    }
    // A slow answer runs into wget's own timeout.
    if (r.elapsedMs > o.timeout * 1000) {
      io.err('wget: download timed out\n');
      status = 1;
      continue;
    }
    if (r.code === 'HTTP_ERROR' || (r.status ?? 0) >= 400) {
      io.err(`${r.error ?? `wget: server returned error: HTTP/1.1 ${r.status} ${r.statusText ?? ''}`}\n`);
      status = 1;
      continue;
    }
    const body = r.body ?? '';
    if (o.spider) {
      if (!o.quiet) io.err('remote file exists\n');
      continue;
    }
    if (o.output === '-') {
      if (!o.quiet) io.err('writing to stdout\n');
      io.out(body);
      if (!o.quiet) io.err(progressLine('-', body.length) + 'written to stdout\n');
      continue;
    }
    const name = o.output ?? (u.path.split('?')[0].replace(/^.*\//, '') || 'index.html');
    const path = normalizePath(o.dir && !o.output ? `${o.dir}/${name}` : name, io.cwd);
    if (!o.output && io.fs.exists(path)) {
      io.err(`wget: can't open '${name}': File exists\n`);
      status = 1;
      continue;
    }
    if (path !== '/dev/null' && !io.fs.write(path, body)) {
      io.err(`wget: can't open '${name}': ${io.fs.isDir(path) ? 'Is a directory' : 'No such file or directory'}\n`);
      status = 1;
      continue;
    }
    if (!o.quiet) io.err(`saving to '${name}'\n${progressLine(name.replace(/^.*\//, ''), body.length)}'${name}' saved\n`);
  }
  return status;
}

// --- curl 8 --------------------------------------------------------------------------------------------------

const CURL_VERSION = '8.11.1';

interface CurlOpts {
  silent: boolean;
  showError: boolean;
  fail: boolean;
  head: boolean;
  include: boolean;
  verbose: boolean;
  output?: string;
  writeOut?: string;
  maxTimeMs?: number;
  connectTimeoutMs?: number;
  method?: string;
  headers: Record<string, string>;
  urls: string[];
}

const CURL_SHORT_ARG = new Set(['o', 'w', 'm', 'X', 'H', 'd', 'A', 'u', 'e', 'x', 'T', 'b', 'c', 'F', 'r', 'y', 'Y', 'z', 'D', 'K', 'E', 'U', 'Q', 'C', 'P', 't']);
const CURL_SHORT_FLAG = new Set(['s', 'S', 'f', 'I', 'i', 'v', 'L', 'k', 'N', 'n', 'g', 'G', 'O', 'q', '4', '6', '#', 'j', 'l', 'R', 'Z', '0', '1', '2', '3']);
const CURL_LONG: Record<string, string> = {
  silent: 's', 'show-error': 'S', fail: 'f', 'fail-with-body': 'f', head: 'I', include: 'i', verbose: 'v', location: 'L', insecure: 'k',
  output: 'o', 'write-out': 'w', 'max-time': 'm', request: 'X', header: 'H', data: 'd', 'data-raw': 'd', 'data-binary': 'd', 'user-agent': 'A', user: 'u',
  'connect-timeout': 'C!', 'no-buffer': 'N', globoff: 'g', http1: '', 'http1.1': '', ipv4: '4', retry: 'r!', 'retry-delay': 'r!', 'retry-max-time': 'r!', 'resolve': 'r!', url: 'url',
};

function parseCurl(args: string[], io: CommandIO): CurlOpts | number {
  const o: CurlOpts = { silent: false, showError: false, fail: false, head: false, include: false, verbose: false, headers: {}, urls: [] };
  const seconds = (flag: string, v: string): number | undefined => {
    if (!/^\d+(\.\d+)?$/.test(v)) {
      io.err(`curl: option ${flag}: expected a proper numerical parameter\n${CURL_TRY}`);
      return undefined;
    }
    return Math.round(Number(v) * 1000);
  };
  const apply = (key: string, flag: string, v: string): number | undefined => {
    switch (key) {
      case 's': o.silent = true; break;
      case 'S': o.showError = true; break;
      case 'f': o.fail = true; break;
      case 'I': o.head = true; break;
      case 'i': o.include = true; break;
      case 'v': o.verbose = true; break;
      case 'o': o.output = v; break;
      case 'w': o.writeOut = v; break;
      case 'X': o.method = v.toUpperCase(); break;
      case 'd': o.method ??= 'POST'; break;
      case 'A': o.headers['user-agent'] = v; break;
      case 'url': o.urls.push(v); break;
      case 'H': {
        const c = v.indexOf(':');
        if (c > 0) o.headers[v.slice(0, c).trim().toLowerCase()] = v.slice(c + 1).trim();
        break;
      }
      case 'm': {
        const ms = seconds(flag, v);
        if (ms === undefined) return 2;
        o.maxTimeMs = ms;
        break;
      }
      case 'C!': {
        const ms = seconds(flag, v);
        if (ms === undefined) return 2;
        o.connectTimeoutMs = ms;
        break;
      }
    }
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--') && a.length > 2) {
      const name = a.slice(2);
      const key = CURL_LONG[name] ?? CURL_LONG[name.replace(/^no-/, '')];
      if (key === undefined) {
        io.err(`curl: option ${a}: is unknown\n${CURL_TRY}`);
        return 2;
      }
      const takesArg = key.endsWith('!') || key === 'url' || CURL_SHORT_ARG.has(key);
      let v = '';
      if (takesArg) {
        if (i + 1 >= args.length) {
          io.err(`curl: option ${a}: requires parameter\n${CURL_TRY}`);
          return 2;
        }
        v = args[++i];
      }
      const r = apply(key, a, v);
      if (r !== undefined) return r;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const ch = a[k];
        if (CURL_SHORT_ARG.has(ch)) {
          const v = k + 1 < a.length ? a.slice(k + 1) : args[++i];
          if (v === undefined) {
            io.err(`curl: option -${ch}: requires parameter\n${CURL_TRY}`);
            return 2;
          }
          const r = apply(ch, `-${ch}`, v);
          if (r !== undefined) return r;
          break;
        }
        if (!CURL_SHORT_FLAG.has(ch)) {
          io.err(`curl: option -${a.slice(k)}: is unknown\n${CURL_TRY}`);
          return 2;
        }
        apply(ch, `-${ch}`, '');
      }
      continue;
    }
    o.urls.push(a);
  }
  if (!o.urls.length) {
    io.err(`curl: no URL specified\n${CURL_TRY}`);
    return 2;
  }
  return o;
}

function headerName(k: string): string {
  return k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}

/** The response head as curl shows it with -I / -i (CRLF line ends). */
function responseHead(r: HttpResult, now: number): string {
  const h = r.headers ?? {};
  const lines = [`HTTP/1.1 ${r.status} ${r.statusText ?? ''}`.trimEnd()];
  if (h.server) lines.push(`Server: ${h.server}`);
  lines.push(`Date: ${new Date(now).toUTCString()}`);
  lines.push(`Content-Type: ${h['content-type'] ?? 'text/plain; charset=utf-8'}`);
  lines.push(`Content-Length: ${(r.body ?? '').length}`);
  for (const [k, v] of Object.entries(h)) if (k !== 'server' && k !== 'content-type' && k !== 'content-length') lines.push(`${headerName(k)}: ${v}`);
  return lines.map((l) => l + '\r\n').join('') + '\r\n';
}

const METER_HEAD = '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n';

function meterLine(size: number, elapsedMs: number): string {
  const pct = size > 0 ? '100' : '  0';
  const speed = size === 0 ? '0' : (() => {
    const bps = Math.round((size * 1000) / Math.max(1, elapsedMs));
    return bps >= 10_000 ? `${Math.round(bps / 1024)}k` : String(bps);
  })();
  const n = (v: number | string, w: number) => String(v).padStart(w);
  return `${pct} ${n(size, 5)}  ${pct} ${n(size, 5)}    0     0  ${n(speed, 5)}      0 --:--:-- --:--:-- --:--:-- ${n(speed, 5)}\n`;
}

/** curl's -w format: `%{http_code}` and friends, and the \n \t \r escapes. */
function writeOut(fmt: string, vars: Record<string, string>): string {
  return fmt
    .replace(/%\{([a-z_]+)\}/g, (m, k: string) => vars[k] ?? (k in vars ? '' : m))
    .replace(/\\([ntr\\])/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
}

function curl(args: string[], io: CommandIO): number {
  const o = parseCurl(args, io);
  if (typeof o === 'number') return o;
  const showErrors = !o.silent || o.showError;
  // The progress meter goes to stderr when the body does not go to a terminal.
  const meter = !o.silent && !o.verbose && (o.output !== undefined || !io.tty);
  let status = 0;
  for (const url of o.urls) {
    const u = parseUrl(url);
    const method = o.method ?? (o.head ? 'HEAD' : 'GET');
    let r: HttpResult;
    let fail: { code: number; message: string } | undefined;
    if (!u) {
      r = { code: 'BAD_URL', elapsedMs: 0 };
      fail = { code: 3, message: 'curl: (3) URL rejected: Malformed input to a URL function' };
    } else {
      r = send(io, url, method, { 'user-agent': `curl/${CURL_VERSION}`, ...o.headers });
      const limit = Math.min(o.maxTimeMs ?? Infinity, o.connectTimeoutMs ?? Infinity);
      if (r.code === 'DNS_TIMEOUT' && r.elapsedMs > limit) fail = { code: 28, message: `curl: (28) Resolving timed out after ${limit + 1} milliseconds` };
      else if (r.code === 'ETIMEDOUT' && Number.isFinite(limit) && limit < TCP_CONNECT_TIMEOUT_MS) {
        fail = o.connectTimeoutMs !== undefined && o.connectTimeoutMs <= (o.maxTimeMs ?? Infinity)
          ? { code: 28, message: `curl: (28) Failed to connect to ${u.host} port ${u.port} after ${o.connectTimeoutMs + 1} ms: Timeout was reached` }
          : { code: 28, message: `curl: (28) Connection timed out after ${limit + 1} milliseconds` };
      } else if (r.code && r.code !== 'HTTP_ERROR') {
        const msg = curlError(r, url) ?? `curl: (7) Failed to connect to ${u.host} port ${u.port}`;
        fail = { code: Number(/^curl: \((\d+)\)/.exec(msg)?.[1] ?? 7), message: msg };
      } else if (o.maxTimeMs !== undefined && r.elapsedMs > o.maxTimeMs) {
        fail = { code: 28, message: `curl: (28) Operation timed out after ${o.maxTimeMs + 1} milliseconds with 0 bytes received` };
      } else if (o.fail && (r.status ?? 0) >= 400) {
        fail = { code: 22, message: `curl: (22) The requested URL returned error: ${r.status}` };
      }
    }
    if (o.verbose && u) {
      const ip = remoteIP(io, r, u.host);
      if (r.code !== 'NXDOMAIN' && r.code !== 'DNS_TIMEOUT' && r.code !== 'BAD_URL') io.err(`*   Trying ${ip}:${u.port}...\n`);
      if (!fail || fail.code === 22) {
        io.err(`* Connected to ${u.host} (${ip}) port ${u.port}\n`);
        io.err(`> ${method} ${u.path} HTTP/1.1\r\n> Host: ${u.host}${u.port === 80 ? '' : `:${u.port}`}\r\n> User-Agent: ${o.headers['user-agent'] ?? `curl/${CURL_VERSION}`}\r\n> Accept: */*\r\n> \r\n`);
        io.err(responseHead(r, io.now()).split('\r\n').slice(0, -1).map((l) => `< ${l}\r\n`).join(''));
      }
    }
    if (meter) io.err(METER_HEAD + meterLine(fail ? 0 : (r.body ?? '').length, r.elapsedMs));
    if (fail) {
      if (showErrors) io.err(fail.message + '\n');
      if (o.writeOut !== undefined) io.out(writeOut(o.writeOut, { http_code: fail.code === 22 ? String(r.status) : '000', response_code: fail.code === 22 ? String(r.status) : '000', remote_ip: r.remote?.ip ?? '', time_total: (r.elapsedMs / 1000).toFixed(6), size_download: '0', url_effective: url, content_type: '', exitcode: String(fail.code), errormsg: fail.message.replace(/^curl: \(\d+\) /, '') }));
      status = fail.code;
      continue;
    }
    let text = '';
    if (o.head || o.include) text += responseHead(r, io.now());
    if (!o.head) text += r.body ?? '';
    if (o.output !== undefined && o.output !== '-') {
      const path = normalizePath(o.output, io.cwd);
      if (path !== '/dev/null' && !io.fs.write(path, text)) {
        if (showErrors) io.err(`curl: (23) Failure writing output to destination, passed ${text.length} returned 0\n`);
        status = 23;
        continue;
      }
    } else io.out(text);
    if (o.verbose && u) io.err(`* Connection #0 to host ${u.host} left intact\n`);
    if (o.writeOut !== undefined) {
      io.out(writeOut(o.writeOut, { http_code: String(r.status ?? 0), response_code: String(r.status ?? 0), remote_ip: r.remote?.ip ?? '', time_total: (r.elapsedMs / 1000).toFixed(6), size_download: String((r.body ?? '').length), url_effective: url, content_type: r.headers?.['content-type'] ?? '', exitcode: '0', errormsg: '' }));
    }
  }
  return status;
}

// --- nslookup (busybox 1.36) ---------------------------------------------------------------------------------

function nslookup(args: string[], io: CommandIO): number {
  const rest = args.filter((a) => !a.startsWith('-'));
  const bad = args.find((a) => a.startsWith('-') && !/^-(type|query|q|t)=\w+$/i.test(a) && a !== '-debug');
  if (bad || rest.length === 0 || rest.length > 2) {
    io.err(NSLOOKUP_USAGE);
    return 1;
  }
  const [name, server] = rest;
  const { cluster, pod } = netHost(io);
  if (!cluster || !pod) {
    io.out(';; connection timed out; no servers could be reached\n\n');
    return 1;
  }
  const ns = pod.metadata.namespace ?? 'default';
  if (server !== undefined) {
    // Only the cluster's resolver answers (there is no internet): kube-dns by address or by name.
    const s = resolve(cluster, server, ns, { fromPod: pod });
    const ip = 'ips' in s ? s.ips[0] : undefined;
    if (!ip) {
      io.err(`nslookup: bad address '${server}'\n`);
      return 1;
    }
    if (ip !== DNS_SERVICE_IP) {
      io.out(';; connection timed out; no servers could be reached\n\n');
      return 1;
    }
    const r = nslookupText(cluster, name, ns, { fromPod: pod });
    io.out(r.stdout.replace(/^Server:\t\t\S+\nAddress:\t\S+\n/, `Server:\t\t${server}\nAddress:\t${DNS_SERVICE_IP}:53\n`));
    return r.exitCode;
  }
  const r = nslookupText(cluster, name, ns, { fromPod: pod });
  io.out(r.stdout);
  return r.exitCode;
}

/**
 * The commands shell.ts adds to its table. A hoisted function of hoisted functions, so it works whichever
 * module of the import cycle (shell → here → network → kubelet/process → shell) is loaded first.
 */
export function netCommands(): Record<string, CommandFn> {
  return {
    wget: withTool('wget', wget),
    curl: withTool('curl', curl),
    nslookup: withTool('nslookup', nslookup),
  };
}
