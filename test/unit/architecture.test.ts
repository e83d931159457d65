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
  cli: 7, 'index.ts': 7, 'browser.ts': 7,
};

// ops/ is grouped by purpose, in layers of its own: reading (and the expressions it evaluates),
// writing (data files, commits and what follows a commit: checkpoint, log cleanup), maintenance
// (vacuum, optimize, restore, doctor) and row changes (delete, update, merge).
const OPS_LAYER: Record<string, number> = { read: 0, write: 0.1, maintain: 0.2, dml: 0.3 };

function layerOf(rel: string): number {
  const [top, sub] = rel.split('/');
  if (top === 'ops') {
    const inner = OPS_LAYER[sub!];
    if (inner === undefined) throw new Error(`src/${rel} is in no ops/ group (read, write, maintain, dml); add it to one`);
    return LAYER.ops! + inner;
  }
  const layer = LAYER[top!];
  if (layer === undefined) throw new Error(`src/${rel} is in no layer; add it to the architecture test`);
  return layer;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

test('imports in src/ only point down the layers (storage -> protocol/log -> snapshot -> txn -> ops read/write/maintain/dml -> stream -> cli)', () => {
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

/** Relative imports of each source file (type-only imports too: a cycle of types still tangles two modules). */
function importGraph(src: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(src)) {
    const rel = path.relative(src, file).split(path.sep).join('/');
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)[^;]*?from '(\.[^']+)'|import\('(\.[^']+)'\)/gms)].map((m) =>
      path.relative(src, path.resolve(path.dirname(file), (m[1] ?? m[2])!)).split(path.sep).join('/').replace(/\.js$/, '.ts'));
    graph.set(rel, targets);
  }
  return graph;
}

/** One import cycle, as the list of files around it, or undefined when there is none. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

test('src/ has no import cycles, type-only imports included', () => {
  assert.deepEqual(findCycle(importGraph(path.join(repoRoot, 'src'))), undefined);
});

test('the cycle check finds a cycle when there is one (so the test above can fail)', () => {
  const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
  assert.deepEqual(findCycle(graph), ['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  assert.equal(findCycle(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), undefined);
});

test('no file in src/ imports a node: module unless scripts/node-only-modules.json lists it as Node-only', () => {
  const src = path.join(repoRoot, 'src');
  const { modules } = JSON.parse(readFileSync(path.join(repoRoot, 'scripts', 'node-only-modules.json'), 'utf8')) as { modules: string[] };
  const nodeOnly = (rel: string): boolean => modules.some((m) => (m.endsWith('/') ? rel.startsWith(m) : rel === m));
  const violations: string[] = [];
  for (const file of sources(src)) {
    const rel = path.relative(src, file).split(path.sep).join('/');
    if (nodeOnly(rel)) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from\s+'(node:[^']+)'|import\(\s*'(node:[^']+)'\s*\)|require\(\s*'(node:[^']+)'\s*\)/g)) {
      violations.push(`${rel} imports ${(m[1] ?? m[2] ?? m[3])!}`);
    }
  }
  assert.deepEqual(violations, []);
});
