#!/usr/bin/env node
// `npm run test:interop`: the cross-engine suite. Sets up .interop/ (scripts/interop-setup.sh:
// a Python venv with pinned PySpark + Delta Lake and delta-rs), then runs dist/test/interop/*.test.js.
// Files run one at a time: each starts its own Spark session, and two JVMs would fight for the cores.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const started = Date.now();
const setup = spawnSync('bash', [path.join('scripts', 'interop-setup.sh')], { stdio: 'inherit' });
if (setup.status !== 0) {
  console.error('error: interop setup failed (it needs python3 with venv, a JDK 17, PyPI and Maven Central)');
  process.exit(1);
}
console.log(`interop setup: ${((Date.now() - started) / 1000).toFixed(1)} s`);
const dir = path.join('dist', 'test', 'interop');
const only = process.argv.slice(2);
const files = only.length ? only : readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort().map((n) => path.join(dir, n));
const suite = Date.now();
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
console.log(`interop suite: ${((Date.now() - suite) / 1000).toFixed(1)} s`);
process.exit(res.status ?? 1);
