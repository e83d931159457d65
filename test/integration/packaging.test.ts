import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

// The package as npm ships it: what `npm pack` puts in, how CommonJS and ESM consumers load it,
// and that it runs on the apache-arrow versions the peer range (>= 15) promises.

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  exports: Record<string, Record<string, string>>; files: string[]; scripts: Record<string, string>;
  dependencies: Record<string, string>; devDependencies: Record<string, string>; peerDependencies: Record<string, string>;
};

test('apache-arrow is a peer dependency (>= 15), no prepare build runs for consumers, and exports serve import and require', () => {
  assert.equal(pkg.peerDependencies['apache-arrow'], '>=15');
  assert.equal(pkg.dependencies['apache-arrow'], undefined);
  assert.ok(pkg.devDependencies['apache-arrow'], 'the tests still install one');
  assert.equal(pkg.scripts.prepare, undefined);
  assert.deepEqual(pkg.exports['.'], { types: './dist/src/index.d.ts', browser: './dist/browser/deltalake.js', import: './dist/src/index.js', default: './dist/src/index.js' });
  assert.deepEqual(pkg.exports['./browser'], { types: './dist/src/browser.d.ts', default: './dist/browser/deltalake.js' });
});

test('npm pack ships dist/src with the sources its source maps point at, and no tests', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot });
  const files = new Set((JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
  for (const f of ['package.json', 'README.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'src/index.ts', 'dist/browser/deltalake.js', 'dist/browser/parquet_wasm_bg.wasm']) assert.ok(files.has(f), `${f} is shipped`);
  assert.deepEqual([...files].filter((f) => /^(dist\/)?(test|bench|examples)\//.test(f) || f.startsWith('node_modules/')), []);
  // The browser bundle's chunks (the lazily loaded S3 store among them) ship beside it.
  const browserDir = path.join(repoRoot, 'dist/browser/chunks');
  const chunks = readdirSync(browserDir).map((f) => `dist/browser/chunks/${f}`);
  assert.ok(chunks.some((f) => /\/s3-store-[^/]+\.js$/.test(f)), 'the S3 store is a chunk of its own');
  assert.deepEqual(chunks.filter((f) => !files.has(f)), [], 'every chunk is shipped');
  const missing: string[] = [];
  for (const f of files) {
    if (!f.endsWith('.js.map')) continue;
    const map = JSON.parse(readFileSync(path.join(repoRoot, f), 'utf8')) as { sources: string[] };
    for (const s of map.sources) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), s));
      if (!files.has(target)) missing.push(`${f} -> ${target}`);
    }
  }
  assert.deepEqual(missing, [], 'every source map points at a shipped file');
});

/** A consumer project in a temp dir whose node_modules links the given packages (name -> directory). */
async function consumer(links: Record<string, string>): Promise<string> {
  const dir = await tempDir('dlts-pkg-');
  for (const [name, target] of Object.entries(links)) {
    const at = path.join(dir, 'node_modules', name);
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(target, at, 'dir');
  }
  return dir;
}

const PROGRAM_BODY = `
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlts-pkg-table-'));
  await writeDeltaTable(dir, A.tableFromArrays({ id: [1, 2], country: ['BR', 'US'] }));
  await writeDeltaTable(dir, A.tableFromJSON([{ id: 3, country: 'US' }]), { mode: 'append' });
  const rows = (await (await DeltaTable.open(dir)).toArrow({ filter: [['country', '=', 'US']] })).toArray().map((r) => r.toJSON());
  console.log(JSON.stringify(rows.sort((a, b) => a.id - b.id)));
`;

test('require("deltalake-ts") works from CommonJS (Node >= 20.19 loads the ESM build), with the CommonJS build of apache-arrow', async (t) => {
  if (!(process.features as { require_module?: boolean }).require_module) {
    t.skip('this Node cannot require() ES modules; the README tells such users to use import()');
    return;
  }
  const dir = await consumer({ 'deltalake-ts': repoRoot, 'apache-arrow': realpathSync(path.join(repoRoot, 'node_modules', 'apache-arrow')) });
  writeFileSync(path.join(dir, 'main.cjs'), `
    const fs = require('node:fs'), os = require('node:os'), path = require('node:path');
    const A = require('apache-arrow');
    const { writeDeltaTable, DeltaTable, DeltaError } = require('deltalake-ts');
    (async () => { ${PROGRAM_BODY}
      try { await writeDeltaTable(dir, [{ id: 4 }], { mode: 'append' }); } catch (err) { console.log(err instanceof DeltaError, err.code); }
    })().catch((err) => { console.error(err); process.exit(1); });
  `);
  const { stdout } = await run(process.execPath, ['main.cjs'], { cwd: dir });
  assert.deepEqual(stdout.trim().split('\n'), ['[{"id":2,"country":"US"},{"id":3,"country":"US"}]', 'true INVALID_ARGUMENT']);
});

for (const version of ['15', '18', '20']) {
  test(`the built package runs on apache-arrow ${version} as its peer (create, append, filtered read)`, async () => {
    // A copy of dist/src beside the chosen apache-arrow, so the package's own imports resolve to it.
    const links: Record<string, string> = { 'apache-arrow': realpathSync(path.join(repoRoot, 'node_modules', `apache-arrow-v${version}`)) };
    // arrow-js-ffi (peer apache-arrow) is copied, not linked: installed, it resolves the consumer's apache-arrow.
    const copied = ['arrow-js-ffi'];
    for (const dep of Object.keys(pkg.dependencies)) if (!copied.includes(dep)) links[dep] = realpathSync(path.join(repoRoot, 'node_modules', dep));
    const dir = await consumer(links);
    for (const dep of copied) cpSync(realpathSync(path.join(repoRoot, 'node_modules', dep)), path.join(dir, 'node_modules', dep), { recursive: true });
    const installed = path.join(dir, 'node_modules', 'deltalake-ts');
    cpSync(path.join(repoRoot, 'dist', 'src'), path.join(installed, 'dist', 'src'), { recursive: true, filter: (f) => !f.endsWith('.map') });
    cpSync(path.join(repoRoot, 'package.json'), path.join(installed, 'package.json'));
    writeFileSync(path.join(dir, 'main.mjs'), `
      import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
      import * as A from 'apache-arrow';
      import { writeDeltaTable, DeltaTable } from 'deltalake-ts';
      ${PROGRAM_BODY}
    `);
    const resolved = realpathSync(createRequire(path.join(installed, 'dist', 'src', 'index.js')).resolve('apache-arrow'));
    assert.ok(resolved.includes(`apache-arrow-v${version}`), `the package loads ${resolved}`);
    const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: dir });
    assert.deepEqual(stdout.trim().split('\n'), ['[{"id":2,"country":"US"},{"id":3,"country":"US"}]']);
  });
}
