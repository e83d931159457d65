import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isDeltaError } from '../../../src/errors.js';
import { parseCommitText } from '../../../src/protocol/action-codec.js';
import type { DeletionVectorDescriptor } from '../../../src/protocol/actions.js';
import {
  crc32, deserializeRoaringTreemap, DV_BITMAP_MAGIC, dvRelativePath, dvUniqueId, parseDvFile, z85Decode, z85Encode, z85ToUuid,
} from '../../../src/protocol/deletion-vector.js';
import { corpusRoot } from '../../support/paths.js';

// ---- test-only builders of the RoaringBitmap formats, so every container kind is exercised ----

type Kind = 'array' | 'bitmap' | 'run';

class Bytes {
  private readonly parts: number[] = [];
  u8(v: number): this { this.parts.push(v & 0xff); return this; }
  u16(v: number): this { return this.u8(v).u8(v >>> 8); }
  u32(v: number): this { return this.u16(v & 0xffff).u16(v >>> 16); }
  u64(v: number): this { return this.u32(v).u32(0); }
  raw(b: Uint8Array): this { for (const x of b) this.u8(x); return this; }
  get length(): number { return this.parts.length; }
  done(): Uint8Array { return Uint8Array.from(this.parts); }
}

function containerBody(kind: Kind, lows: number[]): Uint8Array {
  const b = new Bytes();
  if (kind === 'array') for (const v of lows) b.u16(v);
  else if (kind === 'bitmap') {
    const bits = new Uint8Array(8192);
    for (const v of lows) bits[v >> 3]! |= 1 << (v & 7);
    b.raw(bits);
  } else {
    const runs: Array<[number, number]> = [];
    for (const v of lows) {
      const last = runs.at(-1);
      if (last && last[0] + last[1] + 1 === v) last[1]++;
      else runs.push([v, 0]);
    }
    b.u16(runs.length);
    for (const [start, lenMinus1] of runs) b.u16(start).u16(lenMinus1);
  }
  return b.done();
}

function roaring32(containers: Array<{ key: number; kind: Kind; lows: number[] }>, runCookie: boolean): Uint8Array {
  const size = containers.length;
  const header = new Bytes();
  if (runCookie) {
    header.u32(12347 | ((size - 1) << 16));
    const flags = new Uint8Array(Math.ceil(size / 8));
    containers.forEach((c, i) => { if (c.kind === 'run') flags[i >> 3]! |= 1 << (i & 7); });
    header.raw(flags);
  } else {
    header.u32(12346).u32(size);
  }
  for (const c of containers) header.u16(c.key).u16(c.lows.length - 1);
  const bodies = containers.map((c) => containerBody(c.kind, c.lows));
  const withOffsets = !runCookie || size >= 4;
  let offset = header.length + (withOffsets ? 4 * size : 0);
  if (withOffsets) for (const body of bodies) { header.u32(offset); offset += body.length; }
  for (const body of bodies) header.raw(body);
  return header.done();
}

function treemap(buckets: Array<[number, Uint8Array]>): Uint8Array {
  const b = new Bytes().u32(DV_BITMAP_MAGIC).u64(buckets.length);
  for (const [key, bitmap] of buckets) b.u32(key).raw(bitmap);
  return b.done();
}

function dvFile(bitmaps: Uint8Array[]): Uint8Array {
  const out: number[] = [1];
  for (const bm of bitmaps) {
    const be = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    out.push(...be(bm.length), ...bm, ...be(crc32(bm)));
  }
  return Uint8Array.from(out);
}

function corrupt(fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => isDeltaError(err, 'CORRUPT_LOG'));
}

// ---- Z85 and descriptors ----

test('Z85 matches the RFC 32 test vector both ways', () => {
  const bytes = Uint8Array.of(0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b);
  assert.equal(z85Encode(bytes), 'HelloWorld');
  assert.deepEqual(z85Decode('HelloWorld'), bytes);
  corrupt(() => z85Decode('Hello'.slice(0, 4)));
  corrupt(() => z85Decode('Hell~'));
  corrupt(() => z85Decode('#####'));
});

test('a short Z85 tail written with leading # characters decodes to its real length', () => {
  // From a Spark/kernel-rs inline DV (cdf-table-with-dv): 34 bytes in 45 characters.
  assert.equal(z85Decode('^Bg9^0rr910000000000iXQKl0rr91000005c8Xg##093').length, 34);
  assert.deepEqual(z85Decode('##093'), Uint8Array.of(3, 0));
});

test('relative DV paths come from the trailing 20-character Z85 UUID and an optional prefix', () => {
  const dv = (pathOrInlineDv: string): DeletionVectorDescriptor => ({ storageType: 'u', pathOrInlineDv, offset: 4, sizeInBytes: 40, cardinality: 6 });
  assert.equal(dvRelativePath(dv('ab^-aqEH.-t@S}K{vb[*k^')), 'ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin');
  assert.equal(dvRelativePath(dv('vBn[lx{q8@P<9BNH/isA')), 'deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin');
  assert.equal(dvRelativePath(dv('R7QFX3rGXPFLhHGq&7g<')), 'deletion_vector_a52eda8c-0a57-4636-814b-9c165388f7ca.bin');
  assert.equal(z85ToUuid('^-aqEH.-t@S}K{vb[*k^'), 'd2c639aa-8816-431a-aaf6-d3fe2512ff61');
  corrupt(() => dvRelativePath(dv('short')));
  assert.throws(() => dvRelativePath({ ...dv('x'), storageType: 'i' }), (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT'));
});

test('the DV unique id is storage type, path or inline data, and @offset when present', () => {
  assert.equal(dvUniqueId({ storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 }), 'uab^-aqEH.-t@S}K{vb[*k^@4');
  assert.equal(dvUniqueId({ storageType: 'i', pathOrInlineDv: 'wi5b=', sizeInBytes: 4, cardinality: 1 }), 'iwi5b=');
});

// ---- bitmaps ----

test("the spec's inline DV example decodes to rows 3, 4, 7, 11, 18, 29", () => {
  const bytes = z85Decode('wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L');
  assert.equal(bytes.length, 40);
  assert.deepEqual([...deserializeRoaringTreemap(bytes.subarray(0, 40))], [3, 4, 7, 11, 18, 29]);
});

test('array containers decode, with and without the run cookie', () => {
  const containers = [{ key: 0, kind: 'array' as const, lows: [1, 5, 65535] }, { key: 2, kind: 'array' as const, lows: [0, 7] }];
  const expected = [1, 5, 65535, 131072, 131079];
  assert.deepEqual([...deserializeRoaringTreemap(treemap([[0, roaring32(containers, false)]]))], expected);
  assert.deepEqual([...deserializeRoaringTreemap(treemap([[0, roaring32(containers, true)]]))], expected);
});

test('bitmap containers decode every set bit exactly', () => {
  const lows = Array.from({ length: 5000 }, (_, i) => i * 13);
  const rows = deserializeRoaringTreemap(treemap([[0, roaring32([{ key: 1, kind: 'bitmap', lows }], false)]]));
  assert.deepEqual([...rows], lows.map((v) => 65536 + v));
});

test('run containers decode, with few containers (no offsets) and with many (offsets)', () => {
  const few = roaring32([{ key: 0, kind: 'run', lows: [10, 11, 12, 13, 100, 101] }, { key: 3, kind: 'array', lows: [9] }], true);
  assert.deepEqual([...deserializeRoaringTreemap(treemap([[0, few]]))], [10, 11, 12, 13, 100, 101, 3 * 65536 + 9]);
  const many = roaring32([0, 1, 2, 3, 4].map((key) => ({ key, kind: key % 2 === 0 ? 'run' as const : 'array' as const, lows: [0, 1, 2] })), true);
  assert.deepEqual([...deserializeRoaringTreemap(treemap([[0, many]]))], [0, 1, 2, 3, 4].flatMap((k) => [0, 1, 2].map((v) => k * 65536 + v)));
  const full = roaring32([{ key: 0, kind: 'run', lows: Array.from({ length: 65536 }, (_, i) => i) }], true);
  assert.equal(deserializeRoaringTreemap(treemap([[0, full]])).length, 65536);
});

test('several 32-bit buckets give 64-bit row indexes in order', () => {
  const bm = roaring32([{ key: 0, kind: 'array', lows: [4] }], false);
  assert.deepEqual([...deserializeRoaringTreemap(treemap([[0, bm], [1, bm], [7, bm]]))], [4, 2 ** 32 + 4, 7 * 2 ** 32 + 4]);
});

test('malformed bitmaps are CORRUPT_LOG', () => {
  const good = treemap([[0, roaring32([{ key: 0, kind: 'array', lows: [1, 2] }], false)]]);
  corrupt(() => deserializeRoaringTreemap(good.subarray(0, good.length - 1)));
  const badMagic = good.slice();
  badMagic[0] = 0;
  corrupt(() => deserializeRoaringTreemap(badMagic));
  const bm = roaring32([{ key: 0, kind: 'array', lows: [1] }], false);
  corrupt(() => deserializeRoaringTreemap(treemap([[3, bm], [1, bm]])));
  corrupt(() => deserializeRoaringTreemap(treemap([[2 ** 22, bm]])));
  const unsorted = roaring32([{ key: 0, kind: 'array', lows: [5, 2] }], false);
  corrupt(() => deserializeRoaringTreemap(treemap([[0, unsorted]])));
});

// ---- DV files ----

test('a DV file yields the bitmap at an offset after checking size and CRC-32', () => {
  const a = treemap([[0, roaring32([{ key: 0, kind: 'array', lows: [0] }], false)]]);
  const b = treemap([[0, roaring32([{ key: 0, kind: 'array', lows: [2, 3] }], false)]]);
  const file = dvFile([a, b]);
  assert.deepEqual(parseDvFile(file, 1, a.length), a);
  const second = 1 + 4 + a.length + 4;
  assert.deepEqual([...deserializeRoaringTreemap(parseDvFile(file, second, b.length))], [2, 3]);
  corrupt(() => parseDvFile(file, 1, a.length + 1)); // size differs from the descriptor
  corrupt(() => parseDvFile(file, second, b.length + 100)); // past the end
  const flipped = file.slice();
  flipped[10]! ^= 1;
  assert.throws(() => parseDvFile(flipped, 1, a.length), (err: unknown) => isDeltaError(err, 'CORRUPT_LOG') && err.message.includes('checksum mismatch'));
  const v2 = file.slice();
  v2[0] = 2;
  corrupt(() => parseDvFile(v2, 1, a.length));
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('every DV in the corpus decodes to exactly its cardinality of sorted rows', () => {
  const tables = ['table-with-dv-small', 'with-short-dv', 'dv-partitioned-with-checkpoint', 'log-replay-dv-key-cases', 'cdf-table-with-dv'];
  const seen = new Map<string, number[]>();
  for (const table of tables) {
    const root = path.join(corpusRoot, 'tables', table);
    for (const name of readdirSync(path.join(root, '_delta_log')).filter((n) => /^\d{20}\.json$/.test(n))) {
      for (const a of parseCommitText(readFileSync(path.join(root, '_delta_log', name), 'utf8'), name)) {
        const dv = 'add' in a ? a.add.deletionVector : 'remove' in a ? a.remove.deletionVector : undefined;
        if (!dv) continue;
        const bitmap = dv.storageType === 'i'
          ? z85Decode(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes)
          : parseDvFile(readFileSync(path.join(root, dvRelativePath(dv))), dv.offset ?? 1, dv.sizeInBytes);
        const rows = [...deserializeRoaringTreemap(bitmap)];
        assert.equal(rows.length, dv.cardinality, `${table}/${name} ${dvUniqueId(dv)}`);
        assert.deepEqual(rows, [...new Set(rows)].sort((x, y) => x - y));
        seen.set(`${table} ${dvUniqueId(dv)}`, rows);
      }
    }
  }
  assert.equal(seen.size, 19);
  assert.deepEqual(seen.get('table-with-dv-small uvBn[lx{q8@P<9BNH/isA@1'), [0, 9]);
  const inline = [...seen].filter(([k]) => k.startsWith('cdf-table-with-dv i')).map(([, rows]) => rows);
  assert.deepEqual(inline, [[0, 1, 4, 5], [0, 5], [3]]);
});
