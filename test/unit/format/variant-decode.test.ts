import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeltaError, decodeVariant } from '../../../src/index.js';
import { encodeVariant, type Enc } from '../../support/variant-encode.js';

const decode = (e: Enc, dictOffsetSize?: number): unknown => {
  const { metadata, value } = encodeVariant(e, dictOffsetSize);
  return decodeVariant(metadata, value);
};

test('variant primitives decode to JSON-compatible values', () => {
  const cases: Array<[Enc, unknown]> = [
    [{ t: 'null' }, null], [{ t: 'bool', v: true }, true], [{ t: 'bool', v: false }, false],
    [{ t: 'int8', v: -128n }, -128], [{ t: 'int16', v: 32767n }, 32767], [{ t: 'int32', v: -2147483648n }, -2147483648],
    [{ t: 'int64', v: 9007199254740991n }, 9007199254740991], [{ t: 'int64', v: -9223372036854775808n }, -9223372036854775808n],
    [{ t: 'double', v: 1.5e300 }, 1.5e300], [{ t: 'float', v: 0.5 }, 0.5],
    [{ t: 'decimal4', unscaled: -1250n, scale: 2 }, '-12.50'], [{ t: 'decimal4', unscaled: 5n, scale: 3 }, '0.005'],
    [{ t: 'decimal8', unscaled: 123456789012345678n, scale: 0 }, '123456789012345678'],
    [{ t: 'decimal16', unscaled: -(10n ** 37n) - 1n, scale: 10 }, '-1000000000000000000000000000.0000000001'],
    [{ t: 'date', days: 19723 }, '2024-01-01'], [{ t: 'date', days: -1 }, '1969-12-31'],
    [{ t: 'timestamp', v: 1_704_067_200_123_456n }, '2024-01-01T00:00:00.123456Z'],
    [{ t: 'timestamp_ntz', v: -1n }, '1969-12-31T23:59:59.999999'],
    [{ t: 'timestamp_nanos', v: 1_704_067_200_000_000_001n }, '2024-01-01T00:00:00.000000001Z'],
    [{ t: 'timestamp_nanos_ntz', v: 0n }, '1970-01-01T00:00:00.000000000'],
    [{ t: 'time', v: 45_296_000_007n }, '12:34:56.000007'],
    [{ t: 'binary', v: Uint8Array.from([0, 255, 16]) }, 'AP8Q'],
    [{ t: 'string', v: 'short é' }, 'short é'], [{ t: 'string', v: 'long form', long: true }, 'long form'],
    [{ t: 'string', v: 'x'.repeat(100) }, 'x'.repeat(100)],
    [{ t: 'uuid', v: '00112233-4455-6677-8899-aabbccddeeff' }, '00112233-4455-6677-8899-aabbccddeeff'],
  ];
  for (const [enc, want] of cases) assert.deepEqual(decode(enc), want, JSON.stringify(enc, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
});

test('variant objects and arrays decode at every offset, id and count width', () => {
  const nested: Enc = { t: 'object', fields: [
    ['b', { t: 'array', items: [{ t: 'int8', v: 1n }, { t: 'string', v: 'two' }, { t: 'null' }] }],
    ['a', { t: 'object', fields: [['z', { t: 'bool', v: true }]] }],
    ['__proto__', { t: 'int8', v: 7n }],
  ] };
  const want = JSON.parse('{"b":[1,"two",null],"a":{"z":true},"__proto__":7}') as unknown;
  assert.deepEqual(decode(nested), want);
  const viaProto = decode(nested) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(viaProto), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(viaProto, '__proto__')?.value, 7);
  for (const offsetSize of [1, 2, 3, 4]) {
    if (offsetSize >= 2) {
      // 300 elements need the 4-byte count (is_large) and offsets wider than one byte.
      const items: Enc[] = Array.from({ length: 300 }, (_, i) => ({ t: 'int16', v: BigInt(i) }));
      assert.deepEqual(decode({ t: 'array', items, large: true, offsetSize }), items.map((_, i) => i));
    }
    assert.deepEqual(decode({ t: 'array', items: [{ t: 'int8', v: 5n }], offsetSize }), [5]);
    assert.deepEqual(decode({ t: 'object', fields: [['k', { t: 'int8', v: 1n }], ['j', { t: 'string', v: 'v' }]], offsetSize, idSize: offsetSize, large: offsetSize > 2 }, offsetSize), { j: 'v', k: 1 });
  }
  assert.deepEqual(decode({ t: 'object', fields: [] }), {});
  assert.deepEqual(decode({ t: 'array', items: [] }), []);
});

test('malformed variants are INVALID_ARGUMENT, never a RangeError', () => {
  const good = encodeVariant({ t: 'object', fields: [['k', { t: 'string', v: 'value', long: true }]] });
  const invalid = (e: unknown) => e instanceof DeltaError && e.code === 'INVALID_ARGUMENT' && /not a valid variant/.test(e.message) && !!e.hint;
  assert.throws(() => decodeVariant(new Uint8Array(0), good.value), invalid);
  assert.throws(() => decodeVariant(Uint8Array.from([2, 0, 0]), good.value), invalid);
  assert.throws(() => decodeVariant(good.metadata, new Uint8Array(0)), invalid);
  assert.throws(() => decodeVariant(good.metadata, Uint8Array.from([21 << 2])), invalid);
  for (let cut = 1; cut < good.value.length; cut++) assert.throws(() => decodeVariant(good.metadata, good.value.subarray(0, cut)), invalid, `cut at ${cut}`);
  for (let cut = 1; cut < good.metadata.length; cut++) {
    try {
      decodeVariant(good.metadata.subarray(0, cut), good.value);
      assert.fail(`metadata cut at ${cut} decoded`);
    } catch (e) {
      assert.ok(invalid(e), `metadata cut at ${cut}: ${String(e)}`);
    }
  }
});
