import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deserializeRoaringTreemap, dvRelativePath, parseDvFile, z85Decode } from '../../../src/protocol/deletion-vector.js';
import { dvFileBytes, uuidToZ85 } from '../../../src/protocol/deletion-vector-file.js';
import { serializeRoaringTreemap } from '../../../src/protocol/roaring-write.js';

describe('deletion vector writer', () => {
  it('serializes PROTOCOL.md example 3 rows to a bitmap our reader decodes back', () => {
    const rows = [3, 4, 7, 11, 18, 29];
    const bitmap = serializeRoaringTreemap(rows);
    assert.deepEqual([...deserializeRoaringTreemap(bitmap)], rows);
    // The protocol's inline example holds the same rows (in the native layout).
    const example = z85Decode('wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L').subarray(0, 40);
    assert.deepEqual([...deserializeRoaringTreemap(example)], rows);
  });

  it('frames several bitmaps with size and CRC at offsets 1, 1+8+size, ...', () => {
    const a = serializeRoaringTreemap([0, 1, 2]);
    const b = serializeRoaringTreemap([5]);
    const { bytes, offsets } = dvFileBytes([a, b]);
    assert.deepEqual(offsets, [1, 1 + 8 + a.length]);
    assert.equal(bytes[0], 1);
    assert.deepEqual([...deserializeRoaringTreemap(parseDvFile(bytes, offsets[0]!, a.length))], [0, 1, 2]);
    assert.deepEqual([...deserializeRoaringTreemap(parseDvFile(bytes, offsets[1]!, b.length))], [5]);
  });

  it('encodes a UUID as the 20 Z85 characters of the PROTOCOL.md example', () => {
    const z = uuidToZ85('d2c639aa-8816-431a-aaf6-d3fe2512ff61');
    assert.equal(z, '^-aqEH.-t@S}K{vb[*k^');
    assert.equal(dvRelativePath({ storageType: 'u', pathOrInlineDv: `ab${z}`, offset: 1, sizeInBytes: 1, cardinality: 1 }),
      'ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin');
  });

  it('round-trips any ascending row set, across array and bitmap containers and 2^32 buckets (seeded)', () => {
    const rowSet = fc.oneof(
      fc.uniqueArray(fc.integer({ min: 0, max: 200_000 }), { maxLength: 300 }),
      fc.integer({ min: 0, max: 70_000 }).map((start) => Array.from({ length: 5000 }, (_, i) => start + i)),
      fc.uniqueArray(fc.integer({ min: 0, max: 3 }).chain((hi) => fc.integer({ min: 0, max: 1000 }).map((lo) => hi * 2 ** 32 + lo)), { maxLength: 50 }),
    );
    fc.assert(fc.property(rowSet, (rows) => {
      const sorted = [...rows].sort((x, y) => x - y);
      assert.deepEqual([...deserializeRoaringTreemap(serializeRoaringTreemap(sorted))], sorted);
    }), { seed: 1401, numRuns: 150 });
  });
});
