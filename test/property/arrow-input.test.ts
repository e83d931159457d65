import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as ours from 'apache-arrow';
import type { DataType, RecordBatch } from 'apache-arrow';
import { inputBatches } from '../../src/format/arrow-input.js';
import { isDeltaError } from '../../src/errors.js';

// Input conversion is exact on adversarial input: any index width, slice, apache-arrow copy.
// fast-check prints the seed and the shrunk counterexample on failure; DLTS_SEED replays one.

type Arrow = typeof ours;
const copies: Record<string, Arrow> = {
  ours,
  v15: (await import('apache-arrow-v15')) as unknown as Arrow,
  v18: (await import('apache-arrow-v18')) as unknown as Arrow,
  v20: (await import('apache-arrow-v20')) as unknown as Arrow,
};
const params = { numRuns: 200, ...(process.env.DLTS_SEED ? { seed: Number(process.env.DLTS_SEED) } : {}) };

async function converted(table: unknown): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of inputBatches(table)) out.push(b);
  return out;
}

/** Column 0 of the batches as JS values (strings, or bigints read straight from the buffers). */
function column(batches: RecordBatch[]): unknown[] {
  return batches.flatMap((b) => {
    const data = b.getChildAt(0)!.data[0]!;
    if (ours.DataType.isTimestamp(data.type)) return [...(data.values as BigInt64Array).subarray(0, data.length)].map((v, i) => (data.getValid(i) ? v : null));
    return [...b.getChildAt(0)!];
  });
}

const indexTypes = ['Int8', 'Int16', 'Int32', 'Uint8', 'Uint16', 'Uint32'] as const;
const text = fc.option(fc.constantFrom('', 'a', 'BR', 'US', 'é', '\u{1F986}', '\uE000', 'a'.repeat(40), 'a'.repeat(40) + 'b'), { nil: null });

test('dictionary columns decode to exactly their values, for every index width, apache-arrow copy and slice', async () => {
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...Object.keys(copies)), fc.constantFrom(...indexTypes), fc.array(text, { maxLength: 60 }), fc.nat(), fc.nat(),
    async (copy, indexType, values, a, b) => {
      const A = copies[copy]!;
      const type = new A.Dictionary(new A.Utf8(), new A[indexType]() as never);
      const start = values.length === 0 ? 0 : a % (values.length + 1);
      const end = start + (values.length === 0 ? 0 : b % (values.length - start + 1));
      const table = new A.Table({ s: A.vectorFromArray(values, type as never) } as never).slice(start, end);
      const batches = await converted(table);
      assert.ok(batches.every((x) => ours.DataType.isUtf8(x.schema.fields[0]!.type)));
      assert.deepEqual(column(batches), values.slice(start, end));
    }), params);
});

const UNITS = [
  { unit: 'Second', bound: 9_223_372_036_854n, toMicros: (v: bigint) => v * 1_000_000n },
  { unit: 'Millisecond', bound: 9_223_372_036_854_775n, toMicros: (v: bigint) => v * 1_000n },
  { unit: 'Microsecond', bound: 2n ** 63n - 1n, toMicros: (v: bigint) => v },
  // Floor division, as Spark truncates nanoseconds: -1 ns is -1 us.
  { unit: 'Nanosecond', bound: 2n ** 63n - 1n, toMicros: (v: bigint) => (v / 1000n) - (v % 1000n < 0n ? 1n : 0n) },
] as const;

test('timestamps in every unit, zoned or not, become exact microseconds (nanoseconds floored)', async () => {
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...Object.keys(copies)), fc.constantFrom(...UNITS), fc.option(fc.constantFrom('UTC', 'Asia/Tokyo', '+05:30'), { nil: undefined }),
    fc.array(fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }), { maxLength: 30 }),
    async (copy, { unit, bound, toMicros }, zone, raw) => {
      const A = copies[copy]!;
      const values = raw.map((v) => (v === null ? null : v > bound ? bound : v < -bound ? -bound : v));
      const type = new A[`Timestamp${unit}`](zone as never);
      const valid = new Uint8Array(Math.ceil(values.length / 8));
      values.forEach((v, i) => { if (v !== null) valid[i >> 3]! |= 1 << (i & 7); });
      const data = A.makeData({ type, length: values.length, nullCount: values.filter((v) => v === null).length, nullBitmap: valid, data: BigInt64Array.from(values.map((v) => v ?? 0n)) } as never);
      const batches = await converted(new A.Table({ t: A.makeVector(data) } as never));
      for (const b of batches) assert.equal(String(b.schema.fields[0]!.type), zone ? 'Timestamp<MICROSECOND, UTC>' : 'Timestamp<MICROSECOND>');
      assert.deepEqual(column(batches), values.map((v) => (v === null ? null : toMicros(v))));
    }), params);
});

test('Uint64 values convert to long exactly when at most 2^63 - 1, and are refused naming the column otherwise', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 20 }), async (values) => {
    const table = new ours.Table({ u: ours.vectorFromArray(values, new ours.Uint64()) });
    const fits = values.every((v) => v <= 2n ** 63n - 1n);
    try {
      const batches = await converted(table);
      assert.ok(fits, 'converted although a value exceeds a long');
      assert.deepEqual([...batches[0]!.getChildAt(0)!], values);
    } catch (err) {
      if (!isDeltaError(err, 'INVALID_ARGUMENT')) throw err;
      assert.ok(!fits, `refused values that fit: ${err.message}`);
      assert.match(err.message, /^column "u" has Arrow type Uint64, and its value \d+ \(row \d+ of the batch\) does not fit a Delta long/);
    }
  }), params);
});

test('every Float16 bit pattern becomes the Float32 apache-arrow itself reads from it', async () => {
  const bits = new Uint16Array(65536).map((_, i) => i);
  const half = ours.makeVector(ours.makeData({ type: new ours.Float16(), length: bits.length, nullCount: 0, data: bits }));
  const [batch] = await converted(new ours.Table({ h: half }));
  const out = batch!.getChildAt(0)!.data[0]!;
  assert.ok(ours.DataType.isFloat(out.type as DataType) && String(out.type) === 'Float32');
  const wrong: string[] = [];
  for (let i = 0; i < bits.length; i++) {
    const expected = half.get(i)!;
    const actual = (out.values as Float32Array)[i]!;
    if (!(Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected)))) wrong.push(`0x${i.toString(16)}: ${actual} != ${expected}`);
  }
  assert.deepEqual(wrong.slice(0, 5), []);
});
