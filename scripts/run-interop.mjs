#!/usr/bin/env node
// `npm run test:interop`: the cross-engine suite. Sets up .interop/ (scripts/interop-setup.sh:
// a Python venv with pinned PySpark + Delta Lake and delta-rs), starts ONE engines process
// (test/interop/engines.py --socket: one Spark session, warmed up once, for the whole run), then
// runs dist/test/interop/*.test.js one file at a time; each file connects to that process.
// The engines process's stderr (Spark's log) goes to .interop/engines.log.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const started = Date.now();
const setup = spawnSync('bash', [path.join('scripts', 'interop-setup.sh')], { stdio: 'inherit' });
if (setup.status !== 0) {
  console.error('error: interop setup failed (it needs python3 with venv, a JDK 17, PyPI and Maven Central)');
  process.exit(1);
}
console.log(`interop setup: ${((Date.now() - started) / 1000).toFixed(1)} s`);

const interopDir = path.resolve('.interop');
const socketPath = path.join(interopDir, 'engines.sock');
const logPath = path.join(interopDir, 'engines.log');
const logFd = openSync(logPath, 'w');
const engineStart = Date.now();
// stdin stays a pipe held by this process: when it closes (we are done, or we died), the engines process exits.
const engines = spawn(path.join(interopDir, 'venv', 'bin', 'python'), [path.join('test', 'interop', 'engines.py'), '--socket', socketPath], {
  env: { ...process.env, INTEROP_DIR: interopDir, SPARK_LOCAL_IP: '127.0.0.1' }, stdio: ['pipe', 'pipe', logFd],
});
closeSync(logFd);
const logTail = () => readFileSync(logPath, 'utf8').slice(-4000);
const ready = await new Promise((resolve) => {
  let out = '';
  engines.stdout.setEncoding('utf8');
  engines.stdout.on('data', (d) => {
    out += d;
    if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
  });
  engines.once('exit', (code, signal) => resolve({ exited: `code ${code}, signal ${signal}` }));
});
if (!ready.ready) {
  console.error(`error: the engines process did not start (${ready.exited}); ${logPath}:\n${logTail()}`);
  process.exit(1);
}
console.log(`interop engines: Spark ${ready.spark} up in ${((Date.now() - engineStart) / 1000).toFixed(1)} s (log: ${logPath})`);

const dir = path.join('dist', 'test', 'interop');
const only = process.argv.slice(2);
const files = only.length ? only : readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort().map((n) => path.join(dir, n));
const suite = Date.now();
const status = await new Promise((resolve) => {
  const tests = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
    stdio: 'inherit', env: { ...process.env, INTEROP_ENGINES_SOCKET: socketPath, INTEROP_ENGINES_LOG: logPath },
  });
  tests.once('exit', (code) => resolve(code ?? 1));
});
console.log(`interop suite: ${((Date.now() - suite) / 1000).toFixed(1)} s`);
const stopped = new Promise((resolve) => engines.once('exit', resolve));
engines.stdin.end();
await stopped;
process.exit(status);
