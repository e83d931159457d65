import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ours from 'apache-arrow';
import type { DataType, Table } from 'apache-arrow';
import { DeltaError, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { canonicalRows } from '../support/canonical.js';
import { tempDir } from '../support/temp.js';

// Input as JavaScript users build it, with this package's apache-arrow and with other copies
// (devDependencies apache-arrow-v15/v18/v20): every type converts exactly or is refused by name.

type Arrow = typeof ours;
const COPIES: Array<[string, () => Promise<Arrow>]> = [
  ['ours', async () => ours],
  ['v15', async () => (await import('apache-arrow-v15')) as unknown as Arrow],
  ['v18', async () => (await import('apache-arrow-v18')) as unknown as Arrow],
  ['v20', async () => (await import('apache-arrow-v20')) as unknown as Arrow],
];

/** Bitmap with bit i set for each valid row. */
function validity(valid: boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(valid.length / 8));
  valid.forEach((v, i) => { if (v) out[i >> 3]! |= 1 << (i & 7); });
  return out;
}

/** A 64-bit-valued column (dates, timestamps) from exact bigints; null where the value is null. */
function int64Column(A: Arrow, type: DataType, values: Array<bigint | null>): unknown {
  return A.makeVector(A.makeData({
    type, length: values.length, nullCount: values.filter((v) => v === null).length,
    nullBitmap: validity(values.map((v) => v !== null)), data: BigInt64Array.from(values.map((v) => v ?? 0n)),
  } as never));
}

/** Decimal values as little-endian two's-complement 32-bit words, `words` per value (4 for 128 bits). */
function decimalColumn(A: Arrow, type: DataType, values: Array<bigint | null>, words: number): unknown {
  const data = new Uint32Array(values.length * words);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(words * 32, v ?? 0n);
    for (let w = 0; w < words; w++, x >>= 32n) data[i * words + w] = Number(x & 0xffffffffn);
  });
  return A.makeVector(A.makeData({
    type, length: values.length, nullCount: values.filter((v) => v === null).length, nullBitmap: validity(values.map((v) => v !== null)), data,
  } as never));
}

/** Three rows of every Arrow type a JS user produces that Delta can store, and the exact rows read back. */
function everyType(A: Arrow): { table: Table; expected: Array<Record<string, unknown>>; types: Record<string, string> } {
  const dict = (indices: DataType) => new A.Dictionary(new A.Utf8(), indices as never);
  const columns: Record<string, unknown> = {
    id: A.vectorFromArray([1, 2, 3], new A.Int32()),
    dict: A.vectorFromArray(['BR', null, 'BR']),
    dict8: A.vectorFromArray(['x', 'y', null], dict(new A.Int8())),
    dictU16: A.vectorFromArray([null, 'é', 'é'], dict(new A.Uint16())),
    // Dictionary entry 1 is itself null; row 2's index is null.
    dictNullEntry: A.makeVector(A.makeData({
      type: dict(new A.Int32()), length: 3, nullCount: 1, nullBitmap: validity([true, true, false]), data: Int32Array.of(1, 0, 0),
      dictionary: A.vectorFromArray(['a', null], new A.Utf8()),
    } as never)),
    dictBinary: A.makeVector(A.makeData({
      type: new A.Dictionary(new A.Binary(), new A.Int16()), length: 3, nullCount: 1, nullBitmap: validity([true, true, false]),
      data: Int16Array.of(0, 0, 0), dictionary: A.vectorFromArray([Uint8Array.of(1, 2)], new A.Binary()),
    } as never)),
    large: A.vectorFromArray(['ab', null, '🦆'], new A.LargeUtf8()),
    largeBin: A.vectorFromArray([Uint8Array.of(255), Uint8Array.of(), null], new A.LargeBinary()),
    fsb: A.vectorFromArray([Uint8Array.of(1, 2), null, Uint8Array.of(3, 4)], new A.FixedSizeBinary(2)),
    // Raw half-precision bits: 1.5, -65504 (the largest half), 2^-24 (the smallest subnormal).
    f16: A.makeVector(A.makeData({ type: new A.Float16(), length: 3, nullCount: 0, data: Uint16Array.of(0x3e00, 0xfbff, 0x0001) } as never)),
    date64: int64Column(A, new A.DateMillisecond(), [-1n, 3n * 86_400_000n + 5n, null]),
    tsS: int64Column(A, new A.TimestampSecond(), [-1n, 1_700_000_000n, null]),
    tsMsZoned: int64Column(A, new A.TimestampMillisecond('America/New_York'), [0n, -1n, 1n]),
    tsNs: int64Column(A, new A.TimestampNanosecond('UTC'), [9_007_199_254_740_993_001n, -1n, -1001n]),
    tsUs: int64Column(A, new A.TimestampMicrosecond(), [1n, null, -1n]),
    u8: A.vectorFromArray([0, 255, null], new A.Uint8()),
    u16: A.vectorFromArray([65535, 0, 1], new A.Uint16()),
    u32: A.vectorFromArray([4294967295, null, 0], new A.Uint32()),
    u64: A.vectorFromArray([9223372036854775807n, 0n, null], new A.Uint64()),
    fsl: A.vectorFromArray([[1, 2], null, [3, 4]], new A.FixedSizeList(2, new A.Field('item', new A.Int32(), true))),
    struct: A.vectorFromArray([{ x: 1, y: 'q' }, null, { x: null, y: 'q' }], new A.Struct([new A.Field('x', new A.Float64(), true), new A.Field('y', dict(new A.Int32()), true)])),
    listDict: A.vectorFromArray([['a', 'b'], null, []], new A.List(new A.Field('item', dict(new A.Int32()), true))),
    dec128: decimalColumn(A, new A.Decimal(2, 10, 128), [12345n, -1n, null], 4),
    dec256: decimalColumn(A, new A.Decimal(2, 20, 256), [10n ** 19n + 1n, -12345n, null], 8),
    map: A.vectorFromArray([new Map([['k', 255]]), null, new Map()], new A.Map_(new A.Field('entries', new A.Struct([
      new A.Field('key', new A.Utf8(), false), new A.Field('value', new A.Uint8(), true)] as never), false))),
  };
  const table = new A.Table(columns as never);
  const expected = [
    { id: 1, dict: 'BR', dict8: 'x', dictU16: null, dictNullEntry: null, dictBinary: '0102', large: 'ab', largeBin: 'ff', fsb: '0102', f16: 1.5,
      date64: '1969-12-31', tsS: '1969-12-31T23:59:59.000000Z', tsMsZoned: '1970-01-01T00:00:00.000000Z', tsNs: '2255-06-05T23:47:34.740993Z',
      tsUs: '1970-01-01T00:00:00.000001Z', u8: 0, u16: 65535, u32: '4294967295', u64: '9223372036854775807', fsl: [1, 2], struct: { x: 1, y: 'q' }, listDict: ['a', 'b'],
      dec128: '123.45', dec256: '100000000000000000.01', map: [['k', 255]] },
    { id: 2, dict: null, dict8: 'y', dictU16: 'é', dictNullEntry: 'a', dictBinary: '0102', large: null, largeBin: '', fsb: null, f16: -65504,
      date64: '1970-01-04', tsS: '2023-11-14T22:13:20.000000Z', tsMsZoned: '1969-12-31T23:59:59.999000Z', tsNs: '1969-12-31T23:59:59.999999Z',
      tsUs: null, u8: 255, u16: 0, u32: null, u64: '0', fsl: null, struct: null, listDict: null,
      dec128: '-0.01', dec256: '-123.45', map: null },
    { id: 3, dict: 'BR', dict8: null, dictU16: 'é', dictNullEntry: null, dictBinary: null, large: '🦆', largeBin: null, fsb: '0304', f16: 2 ** -24,
      date64: null, tsS: null, tsMsZoned: '1970-01-01T00:00:00.001000Z', tsNs: '1969-12-31T23:59:59.999998Z',
      tsUs: '1969-12-31T23:59:59.999999Z', u8: null, u16: 1, u32: '0', u64: null, fsl: [3, 4], struct: { x: null, y: 'q' }, listDict: [],
      dec128: null, dec256: null, map: [] },
  ];
  const types = {
    id: 'integer', dict: 'string', dict8: 'string', dictU16: 'string', dictNullEntry: 'string', dictBinary: 'binary', large: 'string',
    largeBin: 'binary', fsb: 'binary', f16: 'float', date64: 'date', tsS: 'timestamp', tsMsZoned: 'timestamp', tsNs: 'timestamp',
    tsUs: 'timestamp', u8: 'short', u16: 'integer', u32: 'long', u64: 'long',
    fsl: '{"type":"array","elementType":"integer","containsNull":true}',
    struct: '{"type":"struct","fields":[{"name":"x","type":"double","nullable":true,"metadata":{}},{"name":"y","type":"string","nullable":true,"metadata":{}}]}',
    listDict: '{"type":"array","elementType":"string","containsNull":true}',
    dec128: 'decimal(10,2)', dec256: 'decimal(20,2)',
    map: '{"type":"map","keyType":"string","valueType":"short","valueContainsNull":true}',
  };
  return { table, expected, types };
}

async function readRows(uri: string): Promise<Array<Record<string, unknown>>> {
  const rows = canonicalRows(await (await DeltaTable.open(uri)).toArrow());
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

function columnTypes(table: DeltaTable): Record<string, string> {
  const schema = JSON.parse(table.snapshot.metadata.schemaString) as { fields: Array<{ name: string; type: unknown; nullable: boolean }> };
  return Object.fromEntries(schema.fields.map((f) => [f.name, typeof f.type === 'string' ? f.type : JSON.stringify(f.type)]));
}

/** Asserts that `run` rejects with a DeltaError of `code` whose message and hint match. */
async function rejectsWith(run: () => Promise<unknown>, code: string, message: RegExp, hint: RegExp): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof DeltaError, `expected a DeltaError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    assert.match(err.hint ?? '', hint);
    return true;
  });
}

for (const [copy, load] of COPIES) {
  test(`every Arrow type JS builds (apache-arrow ${copy}) writes the exact values, as a Table and as sliced RecordBatches`, async () => {
    const A = await load();
    const { table, expected, types } = everyType(A);
    const asTable = await tempDir('dlts-in-');
    await writeDeltaTable(asTable, table);
    const created = await DeltaTable.open(asTable);
    assert.deepEqual(columnTypes(created), types);
    assert.deepEqual(await readRows(asTable), expected);
    // Slices keep an offset into shared buffers; an async generator of them is another input form.
    const asBatches = await tempDir('dlts-in-');
    async function* slices() {
      yield* table.slice(0, 1).batches;
      yield* table.slice(1).batches;
    }
    await writeDeltaTable(asBatches, slices());
    assert.deepEqual(await readRows(asBatches), expected);
    await writeDeltaTable(asBatches, table.slice(2).batches[0]!, { mode: 'append' });
    assert.deepEqual((await readRows(asBatches)).map((r) => r.id), [1, 2, 3, 3]);
  });
}

test('Utf8View and BinaryView columns (inline and out-of-line values) write as string and binary', async () => {
  const long = 'a string longer than twelve bytes';
  const bytes = new TextEncoder().encode(long);
  const views = new Uint8Array(3 * 16);
  const dv = new DataView(views.buffer);
  dv.setInt32(0, 5, true);
  views.set(new TextEncoder().encode('short'), 4);
  dv.setInt32(16, bytes.length, true);
  views.set(bytes.subarray(0, 4), 20);
  dv.setInt32(24, 0, true); // buffer index
  dv.setInt32(28, 0, true); // offset in the buffer
  const view = (type: DataType) => ours.makeVector(ours.makeData({ type, length: 3, nullBitmap: validity([true, true, false]), views, variadicBuffers: [bytes] } as never));
  const uri = await tempDir('dlts-in-');
  await writeDeltaTable(uri, new ours.Table({ id: ours.vectorFromArray([1, 2, 3]), s: view(new ours.Utf8View()), b: view(new ours.BinaryView()) } as never));
  assert.deepEqual(columnTypes(await DeltaTable.open(uri)), { id: 'double', s: 'string', b: 'binary' });
  assert.deepEqual(await readRows(uri), [
    { id: 1, s: 'short', b: Buffer.from('short').toString('hex') }, { id: 2, s: long, b: Buffer.from(long).toString('hex') }, { id: 3, s: null, b: null },
  ]);
});

test('the README write example with tableFromArrays and tableFromJSON creates, appends, overwrites by predicate, time-travels', async () => {
  const uri = await tempDir('dlts-in-');
  await writeDeltaTable(uri, ours.tableFromArrays({ id: [1, 2], country: ['BR', 'US'] }), { partitionBy: ['country'] });
  await writeDeltaTable(uri, ours.tableFromJSON([{ id: 3, country: 'US' }, { id: 4, country: 'BR' }]), { mode: 'append' });
  await writeDeltaTable(uri, ours.tableFromArrays({ id: [5], country: ['US'] }), { mode: 'overwrite', predicate: [['country', '=', 'US']] });
  assert.deepEqual(await readRows(uri), [{ id: 1, country: 'BR' }, { id: 4, country: 'BR' }, { id: 5, country: 'US' }]);
  const v1 = canonicalRows(await (await DeltaTable.open(uri, { version: 1 })).toArrow()).sort((a, b) => Number(a.id) - Number(b.id));
  assert.deepEqual(v1.map((r) => r.id), [1, 2, 3, 4]);
  assert.deepEqual(columnTypes(await DeltaTable.open(uri)), { id: 'double', country: 'string' });
});

test('structs tableFromJSON infers from objects, with dictionary strings inside, write and append', async () => {
  const uri = await tempDir('dlts-in-');
  await writeDeltaTable(uri, ours.tableFromJSON([{ id: 1, o: { x: 1, y: 'q' }, tags: [1, 2] }, { id: 2, o: { x: 2, y: 'r' }, tags: [0.5] }]));
  await writeDeltaTable(uri, ours.tableFromJSON([{ id: 3, o: { x: 3, y: 'q' }, tags: [3] }]), { mode: 'append' });
  assert.deepEqual(await readRows(uri), [
    { id: 1, o: { x: 1, y: 'q' }, tags: [1, 2] }, { id: 2, o: { x: 2, y: 'r' }, tags: [0.5] }, { id: 3, o: { x: 3, y: 'q' }, tags: [3] },
  ]);
});

test('dictionaries that change between batches decode each batch with its own dictionary', async () => {
  const uri = await tempDir('dlts-in-');
  const first = ours.tableFromArrays({ id: [1, 2], s: ['a', 'b'] });
  const second = ours.tableFromArrays({ id: [3, 4], s: ['z', null] });
  await writeDeltaTable(uri, [...first.batches, ...second.batches]);
  assert.deepEqual(await readRows(uri), [{ id: 1, s: 'a' }, { id: 2, s: 'b' }, { id: 3, s: 'z' }, { id: 4, s: null }]);
});

test('appends convert dictionary strings, Float16, unsigned ints and JS Dates to an existing table\'s types', async () => {
  const uri = await tempDir('dlts-in-');
  const { Field, Schema } = ours;
  await DeltaTable.create(uri, {
    schema: new Schema([
      new Field('s', new ours.Utf8(), true), new Field('f', new ours.Float32(), true), new Field('d', new ours.Float64(), true),
      new Field('i', new ours.Int32(), true), new Field('l', new ours.Int64(), true), new Field('t', new ours.TimestampMicrosecond('UTC'), true),
    ]),
  });
  const v20 = (await import('apache-arrow-v20')) as unknown as Arrow;
  const data = new v20.Table({
    s: v20.vectorFromArray(['BR', null]),
    f: v20.makeVector(v20.makeData({ type: new v20.Float16(), length: 2, nullCount: 0, data: Uint16Array.of(0x3e00, 0xc000) } as never)),
    d: v20.makeVector(v20.makeData({ type: new v20.Float16(), length: 2, nullCount: 0, data: Uint16Array.of(0x3c00, 0x0001) } as never)),
    i: v20.vectorFromArray([65535, 7], new v20.Uint16()),
    l: v20.vectorFromArray([4294967295, 0], new v20.Uint32()),
    t: v20.vectorFromArray([new Date(1000), new Date(-1)]),
  } as never);
  await writeDeltaTable(uri, data, { mode: 'append' });
  assert.deepEqual(await readRows(uri), [
    { s: 'BR', f: 1.5, d: 1, i: 65535, l: '4294967295', t: '1970-01-01T00:00:01.000000Z' },
    { s: null, f: -2, d: 2 ** -24, i: 7, l: '0', t: '1969-12-31T23:59:59.999000Z' },
  ]);
});

test('columns a write creates are nullable by default; nullability "arrow" keeps NOT NULL, and a null appended there is SCHEMA_MISMATCH', async () => {
  const typed = ours.tableFromArrays({ id: Int32Array.of(1, 2), big: BigInt64Array.of(1n, 2n) });
  assert.deepEqual(typed.schema.fields.map((f) => f.nullable), [false, false], 'apache-arrow marks typed-array columns non-nullable');
  const relaxed = await tempDir('dlts-in-');
  await writeDeltaTable(relaxed, typed);
  assert.deepEqual((await DeltaTable.open(relaxed)).schema.fields.map((f) => [f.name, f.nullable]), [['id', true], ['big', true]]);

  const strict = await tempDir('dlts-in-');
  await writeDeltaTable(strict, typed, { nullability: 'arrow' });
  assert.deepEqual((await DeltaTable.open(strict)).schema.fields.map((f) => [f.name, f.nullable]), [['id', false], ['big', false]]);
  const withNull = new ours.Table({ id: ours.vectorFromArray([null, 3], new ours.Int32()), big: ours.vectorFromArray([4n, 5n], new ours.Int64()) });
  await rejectsWith(() => writeDeltaTable(strict, withNull, { mode: 'append' }), 'SCHEMA_MISMATCH', /column "id" is integer with 1 null value\(s\) in the data but integer NOT NULL/, /remove the nulls from "id"/);
  await writeDeltaTable(relaxed, withNull, { mode: 'append' });
  assert.deepEqual((await readRows(relaxed)).map((r) => r.id), [null, 1, 2, 3]);
});

test('JS Date columns become timestamp (UTC, reader version 1); zonelessTimestamps "timestamp_ntz" asks for timestamp_ntz', async () => {
  const dates = ours.tableFromArrays({ at: [new Date('2024-01-01T10:00:00.123Z'), new Date(-1)] });
  const utc = await tempDir('dlts-in-');
  await writeDeltaTable(utc, dates);
  const t = await DeltaTable.open(utc);
  assert.deepEqual(columnTypes(t), { at: 'timestamp' });
  assert.deepEqual(t.protocol, { minReaderVersion: 1, minWriterVersion: 2 });
  assert.deepEqual(canonicalRows(await t.toArrow()), [{ at: '2024-01-01T10:00:00.123000Z' }, { at: '1969-12-31T23:59:59.999000Z' }]);
  await writeDeltaTable(utc, dates, { mode: 'append' });
  assert.equal((await (await DeltaTable.open(utc)).toArrow()).numRows, 4);

  const ntz = await tempDir('dlts-in-');
  await writeDeltaTable(ntz, dates, { zonelessTimestamps: 'timestamp_ntz' });
  const n = await DeltaTable.open(ntz);
  assert.deepEqual(columnTypes(n), { at: 'timestamp_ntz' });
  assert.ok(n.protocol.readerFeatures?.includes('timestampNtz'));
  assert.deepEqual(canonicalRows(await n.toArrow()), [{ at: '2024-01-01T10:00:00.123000' }, { at: '1969-12-31T23:59:59.999000' }]);
});

test('Arrow types Delta cannot store are INVALID_ARGUMENT naming the column path, its type and what to cast it to', async () => {
  const A = ours;
  const cases: Array<[string, unknown, RegExp, RegExp]> = [
    ['time', A.vectorFromArray([1], new A.TimeMillisecond()), /column "c" has Arrow type Time32<MILLISECOND>/, /Int64 count since midnight/],
    ['duration', A.makeVector(A.makeData({ type: new A.DurationSecond(), length: 1, nullCount: 0, data: BigInt64Array.of(5n) } as never)), /column "c" has Arrow type Duration/, /Int64 count of its unit/],
    ['interval', A.makeVector(A.makeData({ type: new A.IntervalYearMonth(), length: 1, nullCount: 0, data: Int32Array.of(5) } as never)), /column "c" has Arrow type Interval/, /months, days, nanoseconds/],
    ['union', A.makeVector(A.makeData({ type: new A.SparseUnion([0], [new A.Field('a', new A.Int32())]), length: 1, nullCount: 0, typeIds: Int8Array.of(0), children: [A.vectorFromArray([1], new A.Int32()).data[0]] } as never)), /column "c" has Arrow type .*Union/, /one nullable column per member type/],
    ['null', A.makeVector(A.makeData({ type: new A.Null(), length: 1 } as never)), /column "c" has Arrow type Null, so its Delta type cannot be inferred/, /DeltaTable\.create\(\{ schema \}\)/],
    ['uint64 overflow', A.vectorFromArray([1n, 9223372036854775808n], new A.Uint64()), /column "c" has Arrow type Uint64, and its value 9223372036854775808 \(row 1 of the batch\) does not fit a Delta long/, /Decimal128\(20, 0\)/],
    ['decimal256', A.makeVector(A.makeData({ type: new A.Decimal(0, 60, 256), length: 1, nullCount: 0, data: new Uint32Array(8) } as never)), /column "c" has Arrow type Decimal\[60e0\], which a Delta decimal cannot hold/, /precision <= 38/],
    ['large utf8 over 2 GiB', A.makeVector(A.makeData({ type: new A.LargeUtf8(), length: 1, nullCount: 0, valueOffsets: BigInt64Array.of(0n, 2n ** 31n), data: new Uint8Array(8) } as never)), /2147483648 bytes in one batch, more than the 2 GiB/, /smaller record batches/],
  ];
  for (const [what, vector, message, hint] of cases) {
    const uri = await tempDir('dlts-in-');
    await rejectsWith(() => writeDeltaTable(uri, new A.Table({ c: vector } as never)), 'INVALID_ARGUMENT', message, hint).catch((err: unknown) => { throw new Error(`${what}: ${String(err)}`); });
  }
  const nested = new A.Table({ s: A.vectorFromArray([{ t: 1 }], new A.Struct([new A.Field('t', new A.TimeSecond())])) } as never);
  await rejectsWith(async () => writeDeltaTable(await tempDir('dlts-in-'), nested), 'INVALID_ARGUMENT', /column "s\.t" has Arrow type Time32<SECOND>/, /Utf8 string/);
  const v18 = (await import('apache-arrow-v18')) as unknown as Arrow;
  const foreign = new v18.Table({ l: v18.vectorFromArray([[1]], new v18.List(new v18.Field('item', new v18.TimeSecond()))) } as never);
  await rejectsWith(async () => writeDeltaTable(await tempDir('dlts-in-'), foreign), 'INVALID_ARGUMENT', /column "l\[\]" has Arrow type Time32<SECOND>/, /Int64 count since midnight/);
});

test('a Null-typed column appended to an existing nullable column is written as nulls', async () => {
  const uri = await tempDir('dlts-in-');
  await writeDeltaTable(uri, ours.tableFromArrays({ id: [1], s: ['a'] }));
  const nulls = new ours.Table({ id: ours.vectorFromArray([2]), s: ours.makeVector(ours.makeData({ type: new ours.Null(), length: 1 })) } as never);
  await writeDeltaTable(uri, nulls, { mode: 'append' });
  assert.deepEqual(await readRows(uri), [{ id: 1, s: 'a' }, { id: 2, s: null }]);
});

test('plain rows, undefined, null, numbers, strings, Promises and Vectors are INVALID_ARGUMENT pointing at tableFromJSON', async () => {
  const uri = await tempDir('dlts-in-');
  const cases: Array<[unknown, RegExp, RegExp]> = [
    [[{ a: 1 }], /got plain JavaScript objects \(rows\)/, /tableFromJSON\(rows\)/],
    [{ a: 1 }, /got a plain object/, /tableFromJSON\(rows\)/],
    [undefined, /got undefined/, /tableFromJSON\(rows\)/],
    [null, /got null/, /tableFromJSON\(rows\)/],
    [42, /got a number/, /tableFromJSON\(rows\)/],
    ['a,b', /got a string/, /tableFromJSON\(rows\)/],
    [[ours.tableFromArrays({ a: [1] }).batches[0], 'x'], /item 1 is a string/, /tableFromArrays/],
    [Promise.resolve(ours.tableFromArrays({ a: [1] })), /got a Promise/, /await the promise/],
    [ours.vectorFromArray([1, 2]), /got an Arrow Vector/, /new Table\(\{ name: vector \}\)/],
  ];
  for (const [data, message, hint] of cases) {
    await rejectsWith(() => writeDeltaTable(uri, data as never), 'INVALID_ARGUMENT', message, hint);
  }
  await assert.rejects(DeltaTable.open(uri), (err: unknown) => err instanceof DeltaError && err.code === 'TABLE_NOT_FOUND', 'nothing was written');
});

test('DeltaTable.create takes a schema from another apache-arrow copy and keeps its nullability and zone-less timestamps', async () => {
  const v15 = (await import('apache-arrow-v15')) as unknown as Arrow;
  const uri = await tempDir('dlts-in-');
  const schema = new v15.Schema([
    new v15.Field('id', new v15.Int32(), false), new v15.Field('country', new v15.Dictionary(new v15.Utf8(), new v15.Int8()), true),
    new v15.Field('at', new v15.TimestampMillisecond(), true),
  ]);
  const table = await DeltaTable.create(uri, { schema: schema as never });
  assert.deepEqual(columnTypes(table), { id: 'integer', country: 'string', at: 'timestamp_ntz' });
  assert.deepEqual(table.schema.fields.map((f) => f.nullable), [false, true, true]);
});

test('the streaming sink and its Writable take RecordBatches and Tables of another apache-arrow copy', async () => {
  const v20 = (await import('apache-arrow-v20')) as unknown as Arrow;
  const uri = await tempDir('dlts-in-');
  const sink = DeltaTable.writeStream(uri, { appId: 'foreign' });
  await sink.write(0, v20.tableFromArrays({ id: [1], s: ['a'] }) as never);
  const writable = sink.writable({ maxDelayMs: 60_000 });
  writable.write(v20.tableFromArrays({ id: [2], s: ['b'] }).batches[0]);
  writable.write(v20.tableFromJSON([{ id: 3, s: 'c' }]));
  await new Promise<void>((resolve, reject) => writable.end((err?: Error | null) => (err ? reject(err) : resolve())));
  assert.deepEqual(await readRows(uri), [{ id: 1, s: 'a' }, { id: 2, s: 'b' }, { id: 3, s: 'c' }]);
  assert.equal(await sink.lastBatchId(), 1);
});
