#!/usr/bin/env node
// Keeps package-lock.json usable by `npm ci` on every platform. workerd lists an optional binary package
// per platform; where the registry this project is built from has no macOS or Windows builds of a workerd
// version, `npm install` leaves them out of the lock file, and `npm ci` then refuses the lock file
// ("Missing: @cloudflare/workerd-darwin-64@ from lock file"). This adds the missing entries (marked
// optional, for their own os and cpu, so npm skips them elsewhere). Run it after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(fileURLToPath(new URL('..', import.meta.url)), 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const platforms = { 'darwin-64': ['darwin', 'x64'], 'darwin-arm64': ['darwin', 'arm64'], 'linux-64': ['linux', 'x64'], 'linux-arm64': ['linux', 'arm64'], 'windows-64': ['win32', 'x64'] };
let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  if (!key.endsWith('node_modules/workerd')) continue;
  const prefix = key.slice(0, -'workerd'.length);
  for (const [name, [os, cpu]] of Object.entries(platforms)) {
    const entry = `${prefix}@cloudflare/workerd-${name}`;
    if (lock.packages[entry] || !pkg.optionalDependencies?.[`@cloudflare/workerd-${name}`]) continue;
    const version = pkg.optionalDependencies[`@cloudflare/workerd-${name}`];
    lock.packages[entry] = {
      version,
      resolved: `https://registry.npmjs.org/@cloudflare/workerd-${name}/-/workerd-${name}-${version}.tgz`,
      cpu: [cpu],
      dev: pkg.dev,
      license: 'Apache-2.0',
      optional: true,
      os: [os],
      engines: { node: '>=16' },
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} platform entries added`);
