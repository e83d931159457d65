#!/usr/bin/env node
// Runs the whole suite with node's test runner over the built files in dist/test.
// Test files are listed explicitly because `node --test dir/` would also run helpers.
//
// S3: with S3_ENDPOINT set, the S3 tests use that server. Otherwise this starts a throw-away
// Ceph RGW on free loopback ports (scripts/s3-server.sh, installing it when missing) and stops it
// afterwards, whatever happens. When no server can be had, CI (CI=true) fails; a developer run
// goes on and the S3 tests skip, saying why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

// dist/test/interop needs Python and a JVM: it runs with `npm run test:interop`, not here.
const INTEROP_DIR = path.join('dist', 'test', 'interop');

function find(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (p !== INTEROP_DIR) out.push(...find(p)); }
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Starts the test S3 server; returns the env for the tests and a stop function, or a reason it could not. */
async function startS3() {
  const script = path.join('scripts', 's3-server.sh');
  const install = spawnSync('bash', [script, 'install'], { stdio: 'inherit' });
  if (install.status !== 0) return { reason: 'installing Ceph RGW failed (apt-get needs root and the Debian mirror)' };
  const s3Port = (await portFree(7480)) ? 7480 : await freePort();
  const monPort = (await portFree(3300)) ? 3300 : await freePort();
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'dlts-s3-')), 'cluster');
  const env = { ...process.env, S3_PORT: String(s3Port), MON_PORT: String(monPort), S3_BUCKET: 'test-bucket' };
  const stop = () => spawnSync('bash', [script, 'stop', dir], { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { stop(); process.exit(130); });
  const started = Date.now();
  const start = spawnSync('bash', [script, 'start', dir], { stdio: 'inherit', env });
  if (start.status !== 0) {
    stop();
    return { reason: `starting Ceph RGW failed (exit ${start.status}); its logs were in ${dir}/log` };
  }
  console.log(`S3 test server up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    stop,
    env: {
      S3_ENDPOINT: `http://127.0.0.1:${s3Port}`, S3_BUCKET: 'test-bucket',
      AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'testsecret',
    },
  };
}

const only = process.argv.slice(2);
const files = (only.length ? only : find('dist/test')).sort();
let s3 = { env: {} };
if (!process.env.S3_ENDPOINT && process.env.SKIP_S3_SERVER !== '1') {
  s3 = await startS3();
  if (s3.reason) {
    if (process.env.CI === 'true') {
      console.error(`error: no S3 server for the S3 tests: ${s3.reason}. Set S3_ENDPOINT to use an existing one.`);
      process.exit(1);
    }
    console.warn(`\n*** WARNING: S3 tests will be skipped: ${s3.reason}. Set S3_ENDPOINT (and AWS_* credentials) to run them. ***\n`);
    s3 = { env: { S3_UNAVAILABLE: s3.reason } };
  }
}
// Chromium (Debian's package) is installed here, once, before the browser test files run: two of
// them installing it at once raced for apt's list lock (DPkg::Lock::Timeout does not cover it).
if (files.some((f) => f.includes('/browser/'))) {
  const { ensureChromium } = await import('../dist/test/browser/chromium.js');
  const missing = ensureChromium();
  if (missing) console.warn(`\n*** WARNING: no Chromium for the browser tests: ${missing} ***\n`);
}
let status = 1;
try {
  const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', env: { ...process.env, ...s3.env } });
  status = res.status ?? 1;
} finally {
  s3.stop?.();
}
process.exit(status);
