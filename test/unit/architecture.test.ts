import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths.js';

// Layers of src/ (STYLE.md §1): an import may only point to the same or a lower layer.
const LAYER: Record<string, number> = {
  'errors.ts': 0, 'version.ts': 0,
  storage: 1, format: 1,
  protocol: 2, log: 2,
  snapshot: 3,
  txn: 4,
  ops: 5,
  stream: 6, 'table.ts': 6,
  cli: 7, 'index.ts': 7,
};

function layerOf(rel: string): number {
  const top = rel.split('/')[0]!;
  const layer = LAYER[top];
  if (layer === undefined) throw new Error(`src/${rel} is in no layer; add it to the architecture test`);
  return layer;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

test('imports in src/ only point down the layers (storage -> protocol/log -> snapshot -> txn -> ops -> stream -> cli)', () => {
  const src = path.join(repoRoot, 'src');
  const violations: string[] = [];
  for (const file of sources(src)) {
    const rel = path.relative(src, file).split(path.sep).join('/');
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
      const spec = (m[1] ?? m[2])!;
      const target = path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep).join('/').replace(/\.js$/, '.ts');
      if (layerOf(target) > layerOf(rel)) violations.push(`${rel} imports ${target}`);
      // protocol/ is pure: no storage, no I/O layers.
      if (rel.startsWith('protocol/') && !target.startsWith('protocol/') && target !== 'errors.ts') violations.push(`${rel} (pure) imports ${target}`);
    }
    if (rel.startsWith('cli/')) {
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = path.relative(src, path.resolve(path.dirname(file), m[1]!)).split(path.sep).join('/');
        if (!target.startsWith('cli/') && target !== 'index.js') violations.push(`${rel} imports ${target}: the CLI uses only src/index.ts`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
