#!/usr/bin/env node
// `npm run start:deno`: build the client, then serve Kuberoom on Deno (worker/deno/main.ts): the same app and
// rooms as `npm start`, every sandbox in this one process, stored in SQLite files under KUBEROOM_DATA
// (default .kuberoom-data) and restored after a restart. Deno is the `deno` devDependency; no Cloudflare
// tooling and no network are needed. PORT (default 8000) and HOST (default 127.0.0.1) pick the address.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { BIN, NODE, ROOT, childEnv, run } from './lib.mjs';

const port = Number(process.env.PORT || 8000);
const host = process.env.HOST || '127.0.0.1';
const dataDir = resolve(ROOT, process.env.KUBEROOM_DATA || '.kuberoom-data');
const clientDir = join(ROOT, 'dist', 'client');

const portFree = await new Promise((res) => {
  const srv = createServer();
  srv.once('error', () => res(false));
  srv.listen(port, host, () => srv.close(() => res(true)));
});
if (!portFree) {
  console.error(`Port ${port} on ${host} is already in use. Stop what runs there, or pick another: PORT=8001 npm run start:deno`);
  process.exit(1);
}

// KUBEROOM_CLIENT_BUILT=1 skips the build (tests that already built dist/client set it).
if (process.env.KUBEROOM_CLIENT_BUILT === '1' && existsSync(clientDir)) {
  console.log('Using the client already built in dist/client.');
} else {
  console.log('Building the client (client/build.mjs)…');
  const build = await run(NODE, [join(ROOT, 'client', 'build.mjs')]);
  if (build.code !== 0) {
    console.error(`The client build failed (exit ${build.code}).`);
    process.exit(build.code);
  }
}
mkdirSync(dataDir, { recursive: true });

// The least Deno needs: listen on its address, read the client and the data, write the data. Environment
// access is whole because libraries (lib0) read variables of their own.
const args = [
  'run',
  '--no-prompt',
  `--allow-net=${host}:${port}`,
  `--allow-read=${clientDir},${dataDir}`,
  `--allow-write=${dataDir}`,
  '--allow-env',
  join(ROOT, 'worker', 'deno', 'main.ts'),
];
const deno = join(BIN, process.platform === 'win32' ? 'deno.cmd' : 'deno');
const child = spawn(deno, args, {
  cwd: ROOT,
  env: childEnv({ PORT: String(port), HOST: host, KUBEROOM_DATA: dataDir, KUBEROOM_CLIENT: clientDir, DENO_NO_UPDATE_CHECK: '1' }),
  stdio: ['inherit', 'inherit', 'inherit'],
});

let exiting = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (exiting && sig === 'SIGINT') {
      child.kill('SIGKILL');
      return;
    }
    exiting = true;
    child.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig);
  });
}
child.on('error', (err) => {
  console.error(`Could not start deno (${deno}): ${err.message}. Run npm install first.`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  const onRequest = exiting || signal === 'SIGINT' || signal === 'SIGTERM' || code === 130 || code === 143;
  process.exit(onRequest ? 0 : (code ?? 1));
});
