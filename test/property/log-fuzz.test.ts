import assert from 'node:assert/strict';
import { cp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeltaTable, isDeltaError, writeDeltaTable } from '../../src/index.js';
import { startWorker } from '../support/processes.js';
import { idBatch, tempDir } from '../support/temp.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 424242);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);
/** A read that takes longer than this is a hang (normal reads of this table take milliseconds). */
const READ_TIMEOUT_MS = 20_000;

/** A small table: 4 appends, a checkpoint at version 2 (so both readers are exercised). */
async function baseTable(): Promise<string> {
  const uri = path.join(await tempDir('dlts-fuzz-base-'), 't');
  for (let v = 0; v < 4; v++) {
    await writeDeltaTable(uri, idBatch([v * 2, v * 2 + 1]), { mode: 'append' });
    if (v === 2) await (await DeltaTable.open(uri)).checkpoint();
  }
  return uri;
}

type Mutation =
  | { kind: 'truncate-line'; commit: number; line: number; at: number }
  | { kind: 'replace-value'; commit: number; line: number; pick: number; value: unknown }
  | { kind: 'drop-field'; commit: number; line: number; pick: number }
  | { kind: 'duplicate-line'; commit: number; line: number }
  | { kind: 'deep-nesting'; commit: number; line: number; pick: number; depth: number; array: boolean }
  | { kind: 'delete-commit'; commit: number }
  | { kind: 'random-bytes'; commit: number; bytes: Uint8Array }
  | { kind: 'last-checkpoint'; text: string }
  | { kind: 'checkpoint-bytes'; flips: Array<[number, number]>; cut: number | undefined }
  | { kind: 'garbage-checkpoint'; version: number; bytes: Uint8Array };

const hugeNumber = fc.constantFrom('1e309', '-1e309', '18446744073709551616', '9007199254740993', '-1', '1.5', '1e-400', '0', '-0');
const weirdValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, '', '%zz', '../../etc/passwd', 'file:///etc/passwd', '__proto__', true, [], {}, -1, 2 ** 53 + 2, 1e300),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate-line' as const), commit: fc.nat(3), line: fc.nat(5), at: fc.nat(400) }),
  fc.record({ kind: fc.constant('replace-value' as const), commit: fc.nat(3), line: fc.nat(5), pick: fc.nat(60), value: fc.oneof(weirdValue, hugeNumber.map((n) => ({ rawNumber: n }))) }),
  fc.record({ kind: fc.constant('drop-field' as const), commit: fc.nat(3), line: fc.nat(5), pick: fc.nat(60) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), commit: fc.nat(3), line: fc.nat(5) }),
  fc.record({ kind: fc.constant('deep-nesting' as const), commit: fc.nat(3), line: fc.nat(5), pick: fc.nat(60), depth: fc.integer({ min: 100, max: 200_000 }), array: fc.boolean() }),
  fc.record({ kind: fc.constant('delete-commit' as const), commit: fc.nat(3) }),
  fc.record({ kind: fc.constant('random-bytes' as const), commit: fc.nat(3), bytes: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant('last-checkpoint' as const), text: fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), fc.constantFrom('{"version":99,"size":1}', '{"version":-3,"size":1}', '{"version":1e400,"size":1}', '{"version":"2","size":1}', '{"version":2,"size":1,"parts":1000000}', '{"version":0,"size":1}')) }),
  fc.record({ kind: fc.constant('checkpoint-bytes' as const), flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), cut: fc.option(fc.nat(), { nil: undefined }) }),
  fc.record({ kind: fc.constant('garbage-checkpoint' as const), version: fc.nat(5), bytes: fc.uint8Array({ maxLength: 2000 }) }),
);

const commitName = (v: number): string => `${String(v).padStart(20, '0')}.json`;

/** Every [container, key] of a JSON value, depth first. */
function slots(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []): Array<[Record<string, unknown> | unknown[], string | number]> {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); slots(x, out); });
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) { out.push([v as Record<string, unknown>, k]); slots(x, out); }
  return out;
}

const RAW = '\u0000raw\u0000';

async function mutate(log: string, m: Mutation): Promise<void> {
  if (m.kind === 'last-checkpoint') return writeFile(path.join(log, '_last_checkpoint'), m.text);
  if (m.kind === 'garbage-checkpoint') return writeFile(path.join(log, `${String(m.version).padStart(20, '0')}.checkpoint.parquet`), m.bytes);
  if (m.kind === 'checkpoint-bytes') {
    const file = path.join(log, '00000000000000000002.checkpoint.parquet');
    let bytes = new Uint8Array(await readFile(file));
    for (const [at, mask] of m.flips) bytes[at % bytes.length]! ^= mask;
    if (m.cut !== undefined) bytes = bytes.subarray(0, m.cut % bytes.length);
    return writeFile(file, bytes);
  }
  const file = path.join(log, commitName(m.commit));
  if (m.kind === 'delete-commit') return unlink(file);
  if (m.kind === 'random-bytes') return writeFile(file, m.bytes);
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  const i = m.line % lines.length;
  if (m.kind === 'truncate-line') lines[i] = lines[i]!.slice(0, m.at % lines[i]!.length);
  else if (m.kind === 'duplicate-line') lines.splice(i, 0, lines[i]!);
  else {
    const obj = JSON.parse(lines[i]!) as unknown;
    const all = slots(obj);
    const [container, key] = all[m.pick % all.length]!;
    let raw: string | undefined;
    if (m.kind === 'drop-field') {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
    } else if (m.kind === 'replace-value') {
      const v = m.value as { rawNumber?: string };
      if (typeof v === 'object' && v !== null && 'rawNumber' in v) raw = v.rawNumber;
      (container as Record<string | number, unknown>)[key] = raw === undefined ? m.value : RAW;
    } else {
      raw = (m.array ? '[' : '{"a":').repeat(m.depth) + '1' + (m.array ? ']' : '}').repeat(m.depth);
      (container as Record<string | number, unknown>)[key] = RAW;
    }
    lines[i] = JSON.stringify(obj).replace(JSON.stringify(RAW), raw ?? 'null');
  }
  await writeFile(file, lines.join('\n') + '\n');
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`HANG: ${what} did not settle within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

test('a mutated log or checkpoint reads, or fails with a DeltaError: never a raw error, a stack overflow or a hang', async () => {
  const base = await baseTable();
  const outcomes: Record<string, number> = {};
  try {
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      const dir = await tempDir('dlts-fuzz-');
      const uri = path.join(dir, 't');
      try {
        await cp(base, uri, { recursive: true });
        await mutate(path.join(uri, '_delta_log'), m);
        let outcome = 'read';
        try {
          const table = await withTimeout(DeltaTable.open(uri), 'open');
          const arrow = await withTimeout(table.toArrow(), 'toArrow');
          await withTimeout(table.history(), 'history');
          // These leave the commits intact: a read must then be the whole table.
          if (['last-checkpoint', 'checkpoint-bytes', 'garbage-checkpoint', 'duplicate-line'].includes(m.kind)) {
            assert.deepEqual([...arrow.getChild('id')!].map(Number).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7], JSON.stringify(m));
          }
        } catch (err) {
          if (!isDeltaError(err)) throw err;
          outcome = err.code;
        }
        outcomes[`${m.kind}/${outcome}`] = (outcomes[`${m.kind}/${outcome}`] ?? 0) + 1;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }), { seed: SEED, numRuns: RUNS, includeErrorInReport: true });
  } finally {
    console.log(`log fuzz (seed ${SEED}, ${RUNS} runs): ${JSON.stringify(Object.fromEntries(Object.entries(outcomes).sort()))}`);
    await rm(path.dirname(base), { recursive: true, force: true });
  }
});

test('the base table of the fuzz test reads whole', async () => {
  const base = await baseTable();
  try {
    const ids = [...(await (await DeltaTable.open(base)).toArrow()).getChild('id')!].map(Number).sort((a, b) => a - b);
    assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok((await readdir(path.join(base, '_delta_log'))).includes('00000000000000000002.checkpoint.parquet'));
  } finally {
    await rm(path.dirname(base), { recursive: true, force: true });
  }
});

test('a table whose commit is one 100 MB line opens and reads in a child process (peak RSS printed)', async () => {
  const dir = await tempDir('dlts-huge-');
  try {
    const run = startWorker('huge-commit-worker', [dir, '100']);
    const { code, stderr } = await run.done;
    assert.equal(code, 0, stderr);
    const result = JSON.parse(run.lines[0]!) as { outcome: string; rows: number; version: number; historyEntries: number; maxRssMb: number; baseRssMb: number };
    console.log(`100 MB single-line commit: ${JSON.stringify(result)}`);
    assert.deepEqual({ outcome: result.outcome, rows: result.rows, version: result.version, historyEntries: result.historyEntries }, { outcome: 'read', rows: 3, version: 1, historyEntries: 2 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
