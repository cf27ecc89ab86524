/**
 * Simulated container images. Real images cannot run here, so each known image says how its containers
 * behave; the catalogue is data, and the kubelet reads it without knowing any image by name.
 */
export interface ImageBehaviour {
  /** what the main process does when no command overrides it */
  run: 'serve' | 'exit';
  /** exit code for `run: 'exit'` */
  exitCode?: number;
  /** lines the process writes to stdout at start */
  startupLogs?: string[];
  /** ms from start until the process serves (readiness for httpGet/tcp probes) */
  readyAfterMs?: number;
  /** ms the process takes to stop after SIGTERM */
  stopMs?: number;
  /** ports the process listens on */
  ports?: number[];
}

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

export const IMAGES: ImageInfo[] = [
  { repository: 'nginx', tags: ['*'], sizeBytes: 72_099_410, behaviour: { run: 'serve', startupLogs: NGINX_LOGS, readyAfterMs: 200, stopMs: 100, ports: [80] } },
  { repository: 'httpd', tags: ['*'], sizeBytes: 58_291_014, behaviour: { run: 'serve', readyAfterMs: 300, stopMs: 1000, ports: [80], startupLogs: ['AH00558: httpd: Could not reliably determine the server\'s fully qualified domain name, using 10.244.0.5. Set the \'ServerName\' directive globally to suppress this message', '[mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations', '[core:notice] [pid 1:tid 1] AH00094: Command line: \'httpd -D FOREGROUND\''] } },
  { repository: 'redis', tags: ['*'], sizeBytes: 45_213_312, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 200, ports: [6379], startupLogs: ['1:C 01 Jan 2026 00:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', '1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp'] } },
  { repository: 'postgres', tags: ['*'], sizeBytes: 158_012_445, behaviour: { run: 'serve', readyAfterMs: 2000, stopMs: 500, ports: [5432], startupLogs: ['PostgreSQL init process complete; ready for start up.', 'LOG:  database system is ready to accept connections'] } },
  { repository: 'busybox', tags: ['*'], sizeBytes: 2_155_146, behaviour: { run: 'exit', exitCode: 0 } },
  { repository: 'alpine', tags: ['*'], sizeBytes: 3_623_807, behaviour: { run: 'exit', exitCode: 0 } },
  { repository: 'ubuntu', tags: ['*'], sizeBytes: 29_754_422, behaviour: { run: 'exit', exitCode: 0 } },
  { repository: 'registry.k8s.io/pause', tags: ['*'], sizeBytes: 320_368, behaviour: { run: 'serve', stopMs: 0 } },
  { repository: 'registry.k8s.io/e2e-test-images/agnhost', tags: ['*'], sizeBytes: 51_189_622, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 100, ports: [8080] } },
  { repository: 'gcr.io/google-samples/hello-app', tags: ['*'], sizeBytes: 11_375_402, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 100, ports: [8080], startupLogs: ['2026/01/01 00:00:00 Server listening on port 8080'] } },
  { repository: 'gcr.io/google-samples/kubernetes-bootcamp', tags: ['*'], sizeBytes: 75_390_113, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 100, ports: [8080], startupLogs: ['Kubernetes Bootcamp App Started At: 2026-01-01T00:00:00.000Z | Running On:  kubernetes-bootcamp | '] } },
  { repository: 'hashicorp/http-echo', tags: ['*'], sizeBytes: 3_483_224, behaviour: { run: 'serve', readyAfterMs: 50, stopMs: 50, ports: [5678] } },
  { repository: 'traefik/whoami', tags: ['*'], sizeBytes: 3_267_312, behaviour: { run: 'serve', readyAfterMs: 50, stopMs: 50, ports: [80] } },
  { repository: 'kuberoom/demo', tags: ['*'], sizeBytes: 8_402_112, behaviour: { run: 'serve', readyAfterMs: 100, stopMs: 100, ports: [8080] } },
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
