#!/usr/bin/env node
// Keeps package-lock.json usable by `npm ci` on every platform. workerd (wrangler's runtime) and deno (the
// Deno host's runtime) list an optional binary package per platform; where the registry this project is
// built from has no builds of a version for some platforms, `npm install` leaves them out of the lock file,
// and `npm ci` then refuses the lock file ("Missing: @cloudflare/workerd-darwin-64@ from lock file"). This
// adds the missing entries (marked optional, for their own os, cpu and libc, so npm skips them elsewhere).
// Run it after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(fileURLToPath(new URL('..', import.meta.url)), 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));

/** The packages with per-platform binaries: which optional dependencies are platform builds, and for where. */
const families = [
  {
    parent: 'workerd',
    license: 'Apache-2.0',
    engines: { node: '>=16' },
    platforms: {
      '@cloudflare/workerd-darwin-64': { os: 'darwin', cpu: 'x64' },
      '@cloudflare/workerd-darwin-arm64': { os: 'darwin', cpu: 'arm64' },
      '@cloudflare/workerd-linux-64': { os: 'linux', cpu: 'x64' },
      '@cloudflare/workerd-linux-arm64': { os: 'linux', cpu: 'arm64' },
      '@cloudflare/workerd-windows-64': { os: 'win32', cpu: 'x64' },
    },
  },
  {
    parent: 'deno',
    license: 'MIT',
    platforms: {
      '@deno/darwin-x64': { os: 'darwin', cpu: 'x64' },
      '@deno/darwin-arm64': { os: 'darwin', cpu: 'arm64' },
      '@deno/linux-x64-glibc': { os: 'linux', cpu: 'x64', libc: 'glibc' },
      '@deno/linux-arm64-glibc': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
      '@deno/win32-x64': { os: 'win32', cpu: 'x64' },
      '@deno/win32-arm64': { os: 'win32', cpu: 'arm64' },
    },
  },
];

let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const family of families) {
    if (!key.endsWith(`node_modules/${family.parent}`)) continue;
    const prefix = key.slice(0, -family.parent.length);
    for (const [name, where] of Object.entries(family.platforms)) {
      const entry = `${prefix}${name}`;
      const version = pkg.optionalDependencies?.[name];
      if (lock.packages[entry] || !version) continue;
      lock.packages[entry] = {
        version,
        cpu: [where.cpu],
        dev: pkg.dev,
        ...(where.libc ? { libc: [where.libc] } : {}),
        license: family.license,
        optional: true,
        os: [where.os],
        ...(family.engines ? { engines: family.engines } : {}),
      };
      added++;
    }
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} platform entries added`);
