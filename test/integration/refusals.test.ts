import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Field, Int64, Schema, Struct, Utf8, tableFromArrays } from 'apache-arrow';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { commitPath } from '../../src/protocol/log-paths.js';
import { tableIds } from '../support/read.js';
import { batchOf, idBatch, tempDir } from '../support/temp.js';

/** Every file under `dir`, relative, sorted ('/' separated). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')).sort();
}

/** Asserts `run` rejects with a DeltaError of `code` whose message and hint match. */
async function refuses(run: () => Promise<unknown>, code: string, message: RegExp, hint: RegExp): Promise<void> {
  await assert.rejects(run, (e: unknown) => {
    assert.ok(e instanceof DeltaError, `expected a DeltaError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    assert.match(e.hint ?? '', hint);
    return true;
  });
}

/** Asserts the table at `uri` still has exactly `files` and its latest commit is `version`. */
async function unchanged(uri: string, files: string[], version: number): Promise<void> {
  assert.deepEqual(await filesUnder(uri), files);
  assert.equal((await DeltaTable.open(uri)).version, version);
}

/** A table at version 0 holding ids 1, 2; returns its files. */
async function tableWithIds(properties: Record<string, string> = {}): Promise<{ uri: string; files: string[] }> {
  const uri = await tempDir('dlts-refuse-');
  await writeDeltaTable(uri, idBatch([1, 2]), { properties });
  return { uri, files: await filesUnder(uri) };
}

async function warningsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error): void => void seen.push(`${w.name}: ${w.message}`);
  process.on('warning', listener);
  try {
    await run();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('write options are checked before anything is written', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp, RegExp]> = [
    ['an unknown mode', { mode: 'overwirte' }, /option mode is 'overwirte'; allowed: 'error', 'append', 'overwrite', 'ignore'/, /did you mean 'overwrite'\?/],
    ['an unknown schemaMode', { schemaMode: 'add' }, /option schemaMode is 'add'; allowed: 'merge', 'overwrite'/, /pass one of 'merge', 'overwrite' as schemaMode/],
    ['an unknown compression', { compression: 'bogus' }, /option compression is 'bogus'; allowed: 'snappy', 'zstd', 'gzip', 'lz4', 'uncompressed'/, /pass one of 'snappy'/],
    ['a negative targetFileSizeBytes', { targetFileSizeBytes: -1 }, /option targetFileSizeBytes is -1; allowed: a positive integer/, /pass a positive integer as targetFileSizeBytes/],
    ['a zero targetFileSizeBytes', { targetFileSizeBytes: 0 }, /targetFileSizeBytes is 0/, /positive integer/],
    ['a NaN targetFileSizeBytes', { targetFileSizeBytes: NaN }, /targetFileSizeBytes is NaN/, /positive integer/],
    ['a fractional targetFileSizeBytes', { targetFileSizeBytes: 1.5 }, /targetFileSizeBytes is 1.5/, /positive integer/],
    ['partitionBy as a string', { partitionBy: 'id' }, /option partitionBy is 'id'; allowed: an array of column names/, /pass an array of column names/],
    ['a misspelled option key', { mode: 'append', partitonBy: ['id'] }, /unknown option "partitonBy"/, /did you mean "partitionBy"\?/],
    ['a property value that is not a string', { properties: { 'delta.appendOnly': true } }, /option properties is an object; allowed: an object of string values/, /write every property value as a string/],
    ['an appTransaction with a negative version', { appTransaction: { appId: 'a', version: -1 } }, /appTransaction: option version is -1/, /non-negative integer/],
    ['a filter predicate that is an object', { mode: 'overwrite', predicate: { id: 1 } }, /option predicate is an object; allowed: a filter in DNF/, /write predicate like \[\['country', '=', 'BR'\]/],
  ];
  for (const [what, opts, message, hint] of cases) {
    test(`${what} is INVALID_ARGUMENT naming the option and value; no new table, no change to an existing one`, async () => {
      const fresh = await tempDir('dlts-refuse-');
      await refuses(() => writeDeltaTable(fresh, idBatch([1]), opts), 'INVALID_ARGUMENT', message, hint);
      assert.deepEqual(await filesUnder(fresh), []);
      const { uri, files } = await tableWithIds();
      await refuses(() => writeDeltaTable(uri, idBatch([3]), { mode: 'append', ...opts }), 'INVALID_ARGUMENT', message, hint);
      await unchanged(uri, files, 0);
    });
  }

  test('every codec parquet-wasm writes is accepted and reads back', async () => {
    for (const compression of ['snappy', 'zstd', 'gzip', 'lz4', 'uncompressed'] as const) {
      const uri = await tempDir('dlts-codec-');
      await writeDeltaTable(uri, idBatch([1, 2]), { compression });
      assert.deepEqual(await tableIds(uri), [1, 2], compression);
    }
  });
});

describe('read, maintenance and stream options are checked at the boundary', () => {
  test('open, scan, toArrow, history, vacuum, restore, changes refuse bad values with the option named', async () => {
    const { uri, files } = await tableWithIds();
    await refuses(() => DeltaTable.open(uri, { version: -1 }), 'INVALID_ARGUMENT', /option version is -1; allowed: a non-negative integer/, /non-negative integer as version/);
    await refuses(() => DeltaTable.open(uri, { version: 1.5 }), 'INVALID_ARGUMENT', /version is 1.5/, /non-negative integer/);
    await refuses(() => DeltaTable.open(uri, { version: 0, timestamp: '2024-01-01' }), 'INVALID_ARGUMENT', /either version or timestamp/, /drop one/);
    const table = await DeltaTable.open(uri);
    await refuses(() => table.toArrow({ columns: 'id' as unknown as string[] }), 'INVALID_ARGUMENT', /option columns is 'id'/, /array of column names/);
    assert.throws(() => table.scan({ filter: { id: 1 } as never }), (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT' && /option filter is an object/.test(e.message));
    await refuses(() => table.history({ limit: -1 }), 'INVALID_ARGUMENT', /option limit is -1/, /non-negative integer/);
    await refuses(() => table.vacuum({ retentionHours: NaN }), 'INVALID_ARGUMENT', /option retentionHours is NaN; allowed: a finite number >= 0/, /retentionHours/);
    await refuses(() => table.vacuum({ dryRun: 'no' as unknown as boolean }), 'INVALID_ARGUMENT', /option dryRun is 'no'; allowed: true or false/, /dryRun/);
    await refuses(() => table.restore({ version: -1 }), 'INVALID_ARGUMENT', /restore: option version is -1/, /non-negative integer/);
    await refuses(() => table.restore({} as never), 'INVALID_ARGUMENT', /exactly one of version and timestamp/, /\{ version: <n> \}/);
    await refuses(() => table.changes({ startingVersion: -2 }), 'INVALID_ARGUMENT', /option startingVersion is -2/, /non-negative integer/);
    await unchanged(uri, files, 0);
  });

  test('readStream and writeStream refuse bad values when created, before reading or writing', async () => {
    const uri = await tempDir('dlts-refuse-');
    assert.throws(() => DeltaTable.readStream(uri, { maxFilesPerTrigger: 1.5 }), (e: unknown) => e instanceof DeltaError && /option maxFilesPerTrigger is 1.5; allowed: a positive integer/.test(e.message));
    assert.throws(() => DeltaTable.readStream(uri, { startingVersion: -1 }), (e: unknown) => e instanceof DeltaError && /startingVersion is -1; allowed: a non-negative integer or 'latest'/.test(e.message));
    assert.throws(() => DeltaTable.writeStream(uri, { appId: 'a', outputMode: 'update' as never }), (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT' && /outputMode is 'update'/.test(e.message));
    const sink = DeltaTable.writeStream(uri, { appId: 'a', properties: { 'delta.checkpointInterval': '0' } });
    await refuses(() => sink.write(0, idBatch([1])), 'INVALID_ARGUMENT', /delta.checkpointInterval="0" is not valid: it must be a positive integer/, /"delta.checkpointInterval": "10"/);
    assert.deepEqual(await filesUnder(uri), []);
  });
});

describe('filters refuse shapes that would silently change the result', () => {
  test('undefined values, non-array filters and groups, empty groups and non-string columns are INVALID_ARGUMENT', async () => {
    const { uri } = await tableWithIds();
    const table = await DeltaTable.open(uri);
    const read = (filter: unknown) => () => table.toArrow({ filter: filter as never });
    await refuses(read([['id', '=', undefined]]), 'INVALID_ARGUMENT', /filter value for "id" is undefined/, /for IS NULL write \['id', '=', null\]/);
    await refuses(read([['id', '!=', undefined]]), 'INVALID_ARGUMENT', /undefined/, /\['id', '!=', null\]/);
    await refuses(read([['id', 'in', [1, undefined]]]), 'INVALID_ARGUMENT', /"in" list for "id" holds undefined/, /every value must be defined/);
    await refuses(read([[['id', '=', 1]], 'x']), 'INVALID_ARGUMENT', /filter group 'x' is not a list/, /OR of ANDs/);
    await refuses(read([[['id', '=', 1]], []]), 'INVALID_ARGUMENT', /empty group of terms, which would match every row/, /remove the empty group/);
    await refuses(read([[1, '=', 1]]), 'INVALID_ARGUMENT', /names its column with 1, not a string/, /column name first/);
    // null still means IS NULL, and the predicate of an overwrite is checked the same way.
    assert.equal((await table.toArrow({ filter: [['id', '=', null]] })).numRows, 0);
    await refuses(() => writeDeltaTable(uri, idBatch([1]), { mode: 'overwrite', predicate: [['id', '=', undefined]] }), 'INVALID_ARGUMENT', /undefined/, /null/);
    assert.deepEqual(await tableIds(uri), [1, 2]);
  });
});

describe('layouts that would lose data are refused, and nothing is written', () => {
  test('partitioning by every column', async () => {
    const uri = await tempDir('dlts-refuse-');
    const data = tableFromArrays({ id: new Int32Array([1, 2]) });
    await refuses(() => writeDeltaTable(uri, data, { partitionBy: ['id'] }), 'INVALID_ARGUMENT', /cannot partition by every column \(\[id\]\)/, /leave at least one column out of partitionBy/);
    await refuses(() => DeltaTable.create(uri, { schema: data.schema, partitionBy: ['id'] }), 'INVALID_ARGUMENT', /every column/, /leave at least one column out/);
    assert.deepEqual(await filesUnder(uri), []);
  });

  test('columns id and ID in one batch, at the top level or inside a struct', async () => {
    const uri = await tempDir('dlts-refuse-');
    const top = batchOf({ id: { type: new Int64(), values: [1n] }, ID: { type: new Int64(), values: [2n] } });
    await refuses(() => writeDeltaTable(uri, top), 'INVALID_ARGUMENT', /columns "id" and "ID": Delta column names are case-insensitive/, /rename or drop one of "id" and "ID"/);
    const struct = new Struct([new Field('x', new Int64()), new Field('X', new Int64())]);
    const nested = batchOf({ id: { type: new Int64(), values: [1n] }, s: { type: struct, values: [{ x: 1n, X: 2n }] } });
    await refuses(() => writeDeltaTable(uri, nested), 'INVALID_ARGUMENT', /columns "s.x" and "s.X"/, /rename or drop one of "s.x" and "s.X"/);
    await refuses(() => DeltaTable.create(uri, { schema: new Schema([new Field('a', new Utf8()), new Field('A', new Utf8())]) }), 'INVALID_ARGUMENT', /columns "a" and "A"/, /rename or drop/);
    assert.deepEqual(await filesUnder(uri), []);
    const { uri: existing, files } = await tableWithIds();
    const dup = batchOf({ id: { type: new Int64(), values: [3n] }, ID: { type: new Int64(), values: [4n] }, label: { type: new Utf8(), values: ['y'] } });
    await refuses(() => writeDeltaTable(existing, dup, { mode: 'append' }), 'INVALID_ARGUMENT', /columns "id" and "ID"/, /rename or drop/);
    await refuses(() => writeDeltaTable(existing, dup, { mode: 'append', schemaMode: 'merge' }), 'INVALID_ARGUMENT', /columns "id" and "ID"/, /rename or drop/);
    await unchanged(existing, files, 0);
  });

  test('a new table in a folder that holds other files; hidden files and a stale _delta_log folder do not count', async () => {
    const uri = await tempDir('dlts-refuse-');
    await mkdir(path.join(uri, 'data'));
    await writeFile(path.join(uri, 'data', 'export.csv'), 'id\n1\n');
    await refuses(() => writeDeltaTable(uri, idBatch([1])), 'INVALID_ARGUMENT', /is not empty and holds no Delta table: it contains data\/export.csv/, /choose an empty folder/);
    await refuses(() => DeltaTable.create(uri, { schema: idBatch([1]).schema }), 'INVALID_ARGUMENT', /not empty/, /choose an empty folder/);
    await refuses(() => DeltaTable.writeStream(uri, { appId: 's' }).write(0, idBatch([1])), 'INVALID_ARGUMENT', /not empty/, /choose an empty folder/);
    assert.deepEqual(await filesUnder(uri), ['data/export.csv']);
    const ok = await tempDir('dlts-refuse-');
    await writeFile(path.join(ok, '.DS_Store'), '');
    await writeFile(path.join(ok, '_SUCCESS'), '');
    await mkdir(path.join(ok, '_delta_log'));
    assert.equal((await writeDeltaTable(ok, idBatch([1]))).version, 0);
    assert.deepEqual(await tableIds(ok), [1]);
  });

  test('an overwrite of an append-only table is refused before it writes a data file', async () => {
    const { uri, files } = await tableWithIds({ 'delta.appendOnly': 'true' });
    await refuses(() => writeDeltaTable(uri, idBatch([9]), { mode: 'overwrite' }), 'UNSUPPORTED_FEATURE', /append-only \(delta.appendOnly=true\): this overwrite would remove 1 file/, /append instead \(mode: 'append'\)/);
    await refuses(() => writeDeltaTable(uri, idBatch([1]), { mode: 'overwrite', predicate: [['id', '=', 1]] }), 'UNSUPPORTED_FEATURE', /would remove up to 1 file/, /delta.appendOnly=false/);
    await unchanged(uri, files, 0);
    // An overwrite that removes nothing is an append and stays allowed.
    assert.equal((await writeDeltaTable(uri, idBatch([7]), { mode: 'overwrite', predicate: [['id', '=', 7]] })).version, 1);
    assert.deepEqual(await tableIds(uri), [1, 2, 7]);
  });
});

describe('table properties are validated when set', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['delta.checkpointInterval', 'ten', /must be a positive integer/],
    ['delta.checkpointInterval', '0', /must be a positive integer/],
    ['delta.checkpointInterval', '2.5', /must be a positive integer/],
    ['delta.dataSkippingNumIndexedCols', '-2', /must be an integer >= -1/],
    ['delta.logRetentionDuration', 'forever', /must be an interval such as "interval 7 days"/],
    ['delta.deletedFileRetentionDuration', 'interval 1 month', /must be an interval/],
    ['delta.appendOnly', 'yes', /must be true or false/],
    ['delta.enableChangeDataFeed', 'on', /must be true or false/],
    ['delta.enableInCommitTimestamps', '1', /must be true or false/],
  ];
  for (const [key, value, allowed] of bad) {
    test(`${key}=${value} is refused on create and on a later write, with nothing written`, async () => {
      const message = new RegExp(`table property ${key.replace(/\./g, '\\.')}=${JSON.stringify(value).replace(/\./g, '\\.')} is not valid: it ${allowed.source}`);
      const hint = new RegExp(`set it like \\{ "${key.replace(/\./g, '\\.')}": `);
      const fresh = await tempDir('dlts-refuse-');
      await refuses(() => writeDeltaTable(fresh, idBatch([1]), { properties: { [key]: value } }), 'INVALID_ARGUMENT', message, hint);
      await refuses(() => DeltaTable.create(fresh, { schema: idBatch([1]).schema, properties: { [key]: value } }), 'INVALID_ARGUMENT', message, hint);
      assert.deepEqual(await filesUnder(fresh), []);
      const { uri, files } = await tableWithIds();
      await refuses(() => writeDeltaTable(uri, idBatch([3]), { mode: 'append', properties: { [key]: value } }), 'INVALID_ARGUMENT', message, hint);
      await unchanged(uri, files, 0);
    });
  }

  test('known keys are stored in their canonical case and booleans in lower case, so they take effect', async () => {
    const { uri } = await tableWithIds({ 'delta.APPENDONLY': 'TRUE', 'my.own.key': 'Kept As Is' });
    const table = await DeltaTable.open(uri);
    assert.deepEqual(table.metadata.configuration, { 'delta.appendOnly': 'true', 'my.own.key': 'Kept As Is' });
    await refuses(() => writeDeltaTable(uri, idBatch([9]), { mode: 'overwrite' }), 'UNSUPPORTED_FEATURE', /append-only/, /append instead/);
  });

  test('an invalid value already in the log (another engine) never makes a landed commit throw: the append returns its version and a warning is emitted', async () => {
    const { uri } = await tableWithIds();
    const v0 = (await readFile(path.join(uri, commitPath(0)), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, { configuration?: unknown }>);
    const metaData = { ...v0.find((a) => a.metaData)!.metaData, configuration: { 'delta.checkpointInterval': 'ten' } };
    await writeFile(path.join(uri, commitPath(1)), `${JSON.stringify({ commitInfo: { timestamp: Date.now(), operation: 'SET TBLPROPERTIES' } })}\n${JSON.stringify({ metaData })}\n`);
    const results: number[] = [];
    const warnings = await warningsDuring(async () => {
      for (const id of [100, 101]) results.push((await writeDeltaTable(uri, idBatch([id]), { mode: 'append' })).version);
    });
    assert.deepEqual(results, [2, 3]);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /^DeltaCheckpointWarning: checkpoint of version 2 failed \(the commit itself succeeded\): table property delta.checkpointInterval=ten/);
    assert.deepEqual(await tableIds(uri), [1, 2, 100, 101]);
  });
});

describe('hints never send the user back to what they did', () => {
  test('a type mismatch under schemaMode merge does not suggest schemaMode merge', async () => {
    const { uri, files } = await tableWithIds();
    const data = batchOf({ id: { type: new Utf8(), values: ['a'] } });
    await refuses(() => writeDeltaTable(uri, data, { mode: 'append' }), 'SCHEMA_MISMATCH', /column "id" is string in the data but long in the table/, /schemaMode: 'merge'/);
    await assert.rejects(writeDeltaTable(uri, data, { mode: 'append', schemaMode: 'merge' }), (e: unknown) => {
      assert.ok(e instanceof DeltaError && e.code === 'SCHEMA_MISMATCH');
      assert.match(e.hint!, /schemaMode 'merge' adds columns but cannot change a column's type: cast "id" to the table's type/);
      assert.doesNotMatch(e.hint!, /\{ schemaMode: 'merge' \}/);
      return true;
    });
    await unchanged(uri, files, 0);
  });

  test('concurrent appends that create a new table all land: the losers of the create retry as appends', async () => {
    const uri = await tempDir('dlts-race-');
    const results = await Promise.all([1, 2, 3, 4].map((id) => writeDeltaTable(uri, idBatch([id]), { mode: 'append' })));
    assert.deepEqual(results.map((r) => r.version).sort(), [0, 1, 2, 3]);
    assert.deepEqual(await tableIds(uri), [1, 2, 3, 4]);
    const history = await (await DeltaTable.open(uri)).history();
    assert.deepEqual(history.map((h) => h.operation).sort(), ['CREATE TABLE AS SELECT', 'WRITE', 'WRITE', 'WRITE']);
  });

  test('losing a create race in mode error or with another schema is refused with a hint that fits, and leaves no data file behind', async () => {
    const uri = await tempDir('dlts-race-');
    const outcomes = await Promise.allSettled([1, 2].map((id) => writeDeltaTable(uri, idBatch([id]))));
    const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!.reason as DeltaError;
    assert.equal(lost.code, 'COMMIT_CONFLICT');
    assert.match(lost.message, /another writer created the table .* while this write was creating it; nothing was written/);
    assert.match(lost.hint!, /write with \{ mode: 'append' \}/);
    assert.equal((await filesUnder(uri)).filter((f) => f.endsWith('.parquet')).length, 1);

    const other = await tempDir('dlts-race-');
    const mixed = await Promise.allSettled([
      writeDeltaTable(other, idBatch([1]), { mode: 'append' }),
      writeDeltaTable(other, batchOf({ id: { type: new Utf8(), values: ['x'] } }), { mode: 'append' }),
    ]);
    const refused = mixed.find((o): o is PromiseRejectedResult => o.status === 'rejected')!.reason as DeltaError;
    assert.equal(refused.code, 'COMMIT_CONFLICT');
    assert.match(refused.message, /with a different schema; nothing was written/);
    assert.match(refused.hint!, /open it with DeltaTable.open\(\) to see its schema/);
    assert.equal((await filesUnder(other)).filter((f) => f.endsWith('.parquet')).length, 1);

    const ignored = await tempDir('dlts-race-');
    const both = await Promise.all([1, 2].map((id) => writeDeltaTable(ignored, idBatch([id]), { mode: 'ignore' })));
    assert.deepEqual(both.map((r) => [r.version, r.skipped]).sort(), [[0, false], [0, true]]);
    assert.equal((await tableIds(ignored)).length, 1);
    assert.equal((await filesUnder(ignored)).filter((f) => f.endsWith('.parquet')).length, 1);
  });

  test('a path that is a file says so instead of blaming permissions', async () => {
    const dir = await tempDir('dlts-refuse-');
    const file = path.join(dir, 'table.parquet');
    await writeFile(file, 'PAR1');
    await refuses(() => DeltaTable.open(file), 'INVALID_ARGUMENT', /table.parquet is a file, not a table directory/, /pass the table's folder \(the one that holds _delta_log\)/);
    await refuses(() => writeDeltaTable(file, idBatch([1])), 'INVALID_ARGUMENT', /is a file, not a table directory/, /holds _delta_log/);
    await refuses(() => DeltaTable.open(path.join(file, 'inner')), 'INVALID_ARGUMENT', /is inside a file, not a table directory/, /holds _delta_log/);
    assert.equal(await readFile(file, 'utf8'), 'PAR1');
  });

  test('restore on a handle opened at an old version names the versions and says to open the latest', async () => {
    const { uri } = await tableWithIds();
    await writeDeltaTable(uri, idBatch([3]), { mode: 'append' });
    const files = await filesUnder(uri);
    const old = await DeltaTable.open(uri, { version: 0 });
    await refuses(() => old.restore({ version: 0 }), 'INVALID_ARGUMENT', /this DeltaTable shows version 0, but the table has newer versions \(at least 1\)/, /open the latest version with DeltaTable.open\(uri\)/);
    await unchanged(uri, files, 1);
    assert.equal((await (await DeltaTable.open(uri)).restore({ version: 0 })).version, 2);
    assert.deepEqual(await tableIds(uri), [1, 2]);
  });
});
