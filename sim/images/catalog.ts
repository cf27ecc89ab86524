/**
 * Simulated container images. Real images cannot run here, so each known image says how its containers
 * behave; the catalogue is data, and the kubelet reads it without knowing any image by name.
 */
export interface ImageBehaviour {
  /**
   * What the main process does when no command overrides it: `serve` runs a server until stopped, `exit`
   * runs the image's default command (a shell with no input: it exits at once), `demo` is the Kuberoom demo
   * app driven by env (see DEMO_ENV below).
   */
  run: 'serve' | 'exit' | 'demo';
  /** exit code for `run: 'exit'` */
  exitCode?: number;
  /** lines the process writes to stdout at start */
  startupLogs?: string[];
  /** ms from start until the process serves (readiness for httpGet/tcp probes) */
  readyAfterMs?: number;
  /** ms the process takes to stop after SIGTERM (a shell as PID 1 ignores SIGTERM: killed at the grace period) */
  stopMs?: number;
  /** ports the process listens on */
  ports?: number[];
  /** the shells the image has: `sh` (busybox, alpine), `bash` (also has sh), or none (distroless/scratch) */
  shell?: 'sh' | 'bash' | 'none';
  /** the image's own executables: a container command naming one of these runs the server */
  binaries?: string[];
  /** HTTP paths the server answers 200 on; any other path gets 404 (absent: every path answers 200) */
  httpPaths?: string[];
  /** files the image adds to the base filesystem (path → content; null for a directory) */
  files?: Record<string, string | null>;
  /** memory the process uses once started, in MiB (for OOM and `kubectl top`) */
  memoryMi?: number;
}

/**
 * The Kuberoom demo image (`kuberoom/demo`): a small HTTP app on port 8080 (`PORT` to change) whose
 * behaviour its env variables set. Durations are Go-style (`500ms`, `10s`, `2m`) or bare seconds.
 * - START_DELAY: time before the app listens at all (probes get "connection refused" meanwhile).
 * - READY_DELAY: time after it listens before `/ready` answers 200 (503 before).
 * - CRASH_AFTER: the app exits this long after starting, with EXIT_CODE (default 1).
 * - EXIT_CODE: the exit code when it crashes (CRASH_AFTER) or when told to exit (default 1).
 * - MEMORY_GROWTH: memory the app allocates per second (e.g. `10Mi`); past the container's memory limit it
 *   is OOM-killed (reason OOMKilled, exit code 137).
 * - RESPONSE_BODY: the body it answers with (default "Hello from kuberoom/demo").
 * - LATENCY: how long each answer takes; a probe whose timeoutSeconds is shorter fails with a timeout.
 * - ERROR_RATE: the share of requests (0 to 1) answered with 500, probes included.
 * - LOG_LINES: request-log lines the app writes per minute while it runs (default 0).
 * Paths: `/` (the body), `/healthz` (200 while running), `/ready` (200 once READY_DELAY passed).
 */
export const DEMO_ENV = ['PORT', 'START_DELAY', 'READY_DELAY', 'CRASH_AFTER', 'EXIT_CODE', 'MEMORY_GROWTH', 'RESPONSE_BODY', 'LATENCY', 'ERROR_RATE', 'LOG_LINES'];

export interface ImageInfo {
  /** repository as a user writes it, without registry or tag (e.g. `nginx`, `registry.k8s.io/pause`) */
  repository: string;
  /** tags that exist; `*` accepts any tag */
  tags: string[];
  sizeBytes: number;
  behaviour: ImageBehaviour;
}

const NGINX_LOGS = [
  '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
  '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
  '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
  '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
  '/docker-entrypoint.sh: Configuration complete; ready for start up',
];

const NGINX_INDEX = '<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n</body>\n</html>\n';

export const IMAGES: ImageInfo[] = [
  { repository: 'nginx', tags: ['*'], sizeBytes: 72_099_410, behaviour: { run: 'serve', startupLogs: NGINX_LOGS, readyAfterMs: 200, stopMs: 100, ports: [80], shell: 'bash', binaries: ['nginx', '/docker-entrypoint.sh'], httpPaths: ['/', '/index.html'], files: { '/usr/share/nginx': null, '/usr/share/nginx/html': null, '/usr/share/nginx/html/index.html': NGINX_INDEX, '/etc/nginx': null, '/etc/nginx/nginx.conf': 'user  nginx;\nworker_processes  auto;\n' }, memoryMi: 4 } },
  { repository: 'httpd', tags: ['*'], sizeBytes: 58_291_014, behaviour: { run: 'serve', readyAfterMs: 300, stopMs: 1000, ports: [80], shell: 'bash', binaries: ['httpd', 'httpd-foreground'], memoryMi: 8, startupLogs: ['AH00558: httpd: Could not reliably determine the server\'s fully qualified domain name, using 10.244.0.5. Set the \'ServerName\' directive globally to suppress this message', '[mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations', '[core:notice] [pid 1:tid 1] AH00094: Command line: \'httpd -D FOREGROUND\''] } },
  { repository: 'redis', tags: ['*'], sizeBytes: 45_213_312, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 200, ports: [6379], shell: 'bash', binaries: ['redis-server', 'docker-entrypoint.sh'], memoryMi: 3, startupLogs: ['1:C 01 Jan 2026 00:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', '1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp'] } },
  { repository: 'postgres', tags: ['*'], sizeBytes: 158_012_445, behaviour: { run: 'serve', readyAfterMs: 2000, stopMs: 500, ports: [5432], shell: 'bash', binaries: ['postgres', 'docker-entrypoint.sh'], memoryMi: 30, startupLogs: ['PostgreSQL init process complete; ready for start up.', 'LOG:  database system is ready to accept connections'] } },
  { repository: 'busybox', tags: ['*'], sizeBytes: 2_155_146, behaviour: { run: 'exit', exitCode: 0, shell: 'sh' } },
  { repository: 'alpine', tags: ['*'], sizeBytes: 3_623_807, behaviour: { run: 'exit', exitCode: 0, shell: 'sh' } },
  { repository: 'ubuntu', tags: ['*'], sizeBytes: 29_754_422, behaviour: { run: 'exit', exitCode: 0, shell: 'bash' } },
  { repository: 'debian', tags: ['*'], sizeBytes: 48_494_272, behaviour: { run: 'exit', exitCode: 0, shell: 'bash' } },
  { repository: 'registry.k8s.io/pause', tags: ['*'], sizeBytes: 320_368, behaviour: { run: 'serve', stopMs: 0, shell: 'none', binaries: ['/pause'], memoryMi: 0 } },
  { repository: 'registry.k8s.io/e2e-test-images/agnhost', tags: ['*'], sizeBytes: 51_189_622, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 100, ports: [8080], shell: 'sh', binaries: ['/agnhost', 'agnhost'], memoryMi: 6 } },
  { repository: 'gcr.io/google-samples/hello-app', tags: ['*'], sizeBytes: 11_375_402, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 100, ports: [8080], shell: 'none', binaries: ['/hello-app', 'hello-app'], memoryMi: 3, startupLogs: ['2026/01/01 00:00:00 Server listening on port 8080'] } },
  { repository: 'gcr.io/google-samples/kubernetes-bootcamp', tags: ['*'], sizeBytes: 75_390_113, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 100, ports: [8080], shell: 'bash', binaries: ['node', 'server.js'], memoryMi: 12, startupLogs: ['Kubernetes Bootcamp App Started At: 2026-01-01T00:00:00.000Z | Running On:  kubernetes-bootcamp | '] } },
  { repository: 'hashicorp/http-echo', tags: ['*'], sizeBytes: 3_483_224, behaviour: { run: 'serve', readyAfterMs: 50, stopMs: 50, ports: [5678], shell: 'none', binaries: ['/http-echo', 'http-echo'], memoryMi: 2 } },
  { repository: 'traefik/whoami', tags: ['*'], sizeBytes: 3_267_312, behaviour: { run: 'serve', readyAfterMs: 50, stopMs: 50, ports: [80], shell: 'none', binaries: ['/whoami', 'whoami'], memoryMi: 2 } },
  { repository: 'polinux/stress', tags: ['*'], sizeBytes: 4_041_495, behaviour: { run: 'exit', exitCode: 0, shell: 'sh', binaries: ['stress', '/usr/bin/stress', '/usr/local/bin/stress'], memoryMi: 1 } },
  { repository: 'kuberoom/demo', tags: ['*'], sizeBytes: 8_402_112, behaviour: { run: 'demo', readyAfterMs: 100, stopMs: 100, ports: [8080], shell: 'sh', binaries: ['/demo', 'demo'], memoryMi: 20 } },
];

export interface ImageRef {
  /** as written in the pod */
  original: string;
  /** registry host, e.g. docker.io */
  registry: string;
  /** repository path within the registry, e.g. library/nginx */
  path: string;
  tag: string;
  digest?: string;
  /** fully qualified reference, e.g. docker.io/library/nginx:latest */
  canonical: string;
}

/** Parses an image reference as containerd normalises it (docker.io/library/ for bare names, :latest). */
export function parseImageRef(image: string): ImageRef | undefined {
  const m = /^(?:([a-zA-Z0-9.-]+(?::\d+)?|localhost)\/)?([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(image);
  if (!m) return undefined;
  const [, first, rest, tagPart, digest] = m;
  let host: string | undefined = first;
  let path = rest;
  // A first component without a dot or port is part of the path on docker.io (e.g. hashicorp/http-echo).
  if (host && !host.includes('.') && !host.includes(':') && host !== 'localhost') {
    path = `${host}/${path}`;
    host = undefined;
  }
  let tag = tagPart;
  const registry = host ?? 'docker.io';
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  tag = tag ?? (digest ? '' : 'latest');
  const canonical = `${registry}/${path}${tag ? ':' + tag : ''}${digest ? '@' + digest : ''}`;
  return { original: image, registry, path, tag, digest, canonical };
}

/** The catalogue entry an image reference resolves to, or undefined (a pull then fails as for a typo). */
export function lookupImage(image: string): { ref: ImageRef; info: ImageInfo } | undefined {
  // A pure function of the string and the catalogue: memoised (bounded), as every probe and step asks.
  if (lookupCache.has(image)) return lookupCache.get(image);
  const found = lookupUncached(image);
  if (lookupCache.size > 1000) lookupCache.clear();
  lookupCache.set(image, found);
  return found;
}

const lookupCache = new Map<string, { ref: ImageRef; info: ImageInfo } | undefined>();

function lookupUncached(image: string): { ref: ImageRef; info: ImageInfo } | undefined {
  const ref = parseImageRef(image);
  if (!ref) return undefined;
  const repo = ref.registry === 'docker.io' ? ref.path.replace(/^library\//, '') : `${ref.registry}/${ref.path}`;
  const info = IMAGES.find((i) => i.repository === repo);
  if (!info) return undefined;
  if (ref.tag && !info.tags.includes('*') && !info.tags.includes(ref.tag)) return undefined;
  return { ref, info };
}

/** A stable fake digest for an image reference (same image, same digest). */
export function imageDigest(ref: ImageRef): string {
  let h1 = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < ref.canonical.length; i++) h1 = Math.imul(h1 ^ ref.canonical.charCodeAt(i), 16777619) >>> 0;
    h1 = Math.imul(h1 ^ round, 16777619) >>> 0;
    out += h1.toString(16).padStart(8, '0');
  }
  return `sha256:${out}`;
}
