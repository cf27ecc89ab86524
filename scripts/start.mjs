#!/usr/bin/env node
// `npm start`: build the client, then serve Kuberoom locally with `wrangler dev` (workerd), state kept in
// .wrangler/state. PORT (default 8787) picks the port; extra arguments go to wrangler dev
// (e.g. `npm start -- --persist-to /tmp/state`). No network is needed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BIN, NODE, ROOT, childEnv, run } from './lib.mjs';

const port = Number(process.env.PORT || 8787);
const host = '127.0.0.1';
const origin = `http://${host}:${port}`;

// Fail early and clearly if the port is taken (otherwise the announcement below could come from
// whatever already listens there).
const portFree = await new Promise((res) => {
  const srv = createServer();
  srv.once('error', () => res(false));
  srv.listen(port, host, () => srv.close(() => res(true)));
});
if (!portFree) {
  console.error(`Port ${port} on ${host} is already in use. Stop what runs there, or pick another: PORT=8788 npm start`);
  process.exit(1);
}

// KUBEROOM_CLIENT_BUILT=1 skips the build (tests that already built dist/client set it).
if (process.env.KUBEROOM_CLIENT_BUILT === '1' && existsSync(join(ROOT, 'dist', 'client'))) {
  console.log('Using the client already built in dist/client.');
} else {
  console.log('Building the client (client/build.mjs)…');
  const build = await run(NODE, [join(ROOT, 'client', 'build.mjs')]);
  if (build.code !== 0) {
    console.error(`The client build failed (exit ${build.code}).`);
    process.exit(build.code);
  }
}

const args = [
  'dev',
  '--port', String(port),
  '--ip', host,
  '--show-interactive-dev-session=false',
  ...process.argv.slice(2),
];
// Same process group as this script: Ctrl-C in a terminal reaches wrangler directly; signals sent to
// this script alone (kill <pid>) are forwarded below.
const child = spawn(join(BIN, 'wrangler'), args, { cwd: ROOT, env: childEnv(), stdio: ['inherit', 'inherit', 'inherit'] });

let exiting = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (exiting && sig === 'SIGINT') {
      child.kill('SIGKILL');
      return;
    }
    exiting = true;
    child.kill(sig);
  });
}
child.on('error', (err) => {
  console.error(`Could not start wrangler: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  // Stopped on request (Ctrl-C, kill): a clean stop, whatever code wrangler gives for the signal.
  const onRequest = exiting || signal === 'SIGINT' || signal === 'SIGTERM' || code === 130 || code === 143;
  process.exit(onRequest ? 0 : (code ?? 1));
});

// Announce once the server answers.
const started = Date.now();
while (!exiting && child.exitCode === null) {
  try {
    const res = await fetch(`${origin}/`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    console.log(`\n  Kuberoom is running at ${origin}/\n`);
    break;
  } catch {
    if (Date.now() - started > 5 * 60_000) {
      console.error(`No answer from ${origin}/ after 5 minutes.`);
      break;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}
