import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeltaError } from '../../../src/errors.js';
import {
  decodeAddPath, encodeAddPath, escapePartitionPathSegment, HIVE_DEFAULT_PARTITION, parsePartitionValue, partitionDirectory,
  serializePartitionValue, unescapePartitionPathSegment,
} from '../../../src/protocol/partition-values.js';

test('null, absent and empty strings are null partition values for every type', () => {
  for (const type of ['string', 'long', 'integer', 'date', 'timestamp', 'decimal(5,2)', 'binary'] as const) {
    assert.equal(parsePartitionValue(null, type), null);
    assert.equal(parsePartitionValue(undefined, type), null);
    assert.equal(parsePartitionValue('', type), null);
  }
  assert.equal(parsePartitionValue('null', 'string'), 'null'); // the literal text is a value
});

test('numbers, booleans and strings parse to Arrow-ready values', () => {
  assert.equal(parsePartitionValue('-128', 'byte'), -128);
  assert.equal(parsePartitionValue('32767', 'short'), 32767);
  assert.equal(parsePartitionValue('-2147483648', 'integer'), -2147483648);
  assert.equal(parsePartitionValue('9223372036854775807', 'long'), 9223372036854775807n);
  assert.equal(parsePartitionValue('0.1', 'float'), Math.fround(0.1));
  assert.equal(parsePartitionValue('1.0E10', 'double'), 1e10);
  assert.ok(Number.isNaN(parsePartitionValue('NaN', 'double')));
  assert.equal(parsePartitionValue('-Infinity', 'double'), -Infinity);
  assert.equal(parsePartitionValue('TRUE', 'boolean'), true);
  assert.equal(parsePartitionValue('false', 'boolean'), false);
  assert.equal(parsePartitionValue('a/b c', 'string'), 'a/b c');
  assert.deepEqual(parsePartitionValue('\u0001\u0002é', 'binary'), Uint8Array.of(1, 2, 0xc3, 0xa9));
});

test('decimals parse to unscaled bigints at the column scale', () => {
  assert.equal(parsePartitionValue('123.45', 'decimal(5,2)'), 12345n);
  assert.equal(parsePartitionValue('-0.5', 'decimal(5,2)'), -50n);
  assert.equal(parsePartitionValue('1E-7', 'decimal(10,7)'), 1n);
  assert.equal(parsePartitionValue('0', 'decimal(38,18)'), 0n);
  assert.equal(parsePartitionValue('1.005', 'decimal(5,2)'), 101n); // half-up, as Spark's cast
});

test('dates parse to days since the epoch, proleptic Gregorian', () => {
  assert.equal(parsePartitionValue('1970-01-01', 'date'), 0);
  assert.equal(parsePartitionValue('2021-09-08', 'date'), 18878);
  assert.equal(parsePartitionValue('1969-12-31', 'date'), -1);
  assert.equal(parsePartitionValue('0001-01-01', 'date'), -719162);
  assert.equal(parsePartitionValue('2000-02-29', 'date'), 11016);
});

test('timestamps with Z or an offset are exact; without a zone they are read as UTC', () => {
  assert.equal(parsePartitionValue('1971-07-22T03:06:40.000000Z', 'timestamp'), 49_000_000_000_000n);
  assert.equal(parsePartitionValue('2021-09-08 11:11:11', 'timestamp'), 1_631_099_471_000_000n);
  assert.equal(parsePartitionValue('2021-09-08 11:11:11.123456', 'timestamp'), 1_631_099_471_123_456n);
  assert.equal(parsePartitionValue('2021-09-08T13:11:11+02:00', 'timestamp'), 1_631_099_471_000_000n);
  assert.equal(parsePartitionValue('2021-09-08T06:11:11.5-0500', 'timestamp'), 1_631_099_471_500_000n);
  assert.equal(parsePartitionValue('1969-12-31 23:59:59.999999', 'timestamp'), -1n);
  assert.equal(parsePartitionValue('2021-09-08 11:11:11.123456789', 'timestamp'), 1_631_099_471_123_456n);
});

test('timestamp_ntz values are wall-clock readings', () => {
  assert.equal(parsePartitionValue('2021-09-08 11:11:11', 'timestamp_ntz'), 1_631_099_471_000_000n);
  assert.equal(parsePartitionValue('2021-09-08T11:11:11+02:00', 'timestamp_ntz'), 1_631_099_471_000_000n);
});

test('a value that does not fit its type is CORRUPT_LOG naming it', () => {
  for (const [raw, type] of [['128', 'byte'], ['1.5', 'integer'], ['abc', 'long'], ['9223372036854775808', 'long'], ['yes', 'boolean'],
    ['2021-02-30', 'date'], ['2021-09-08 25:00:00', 'timestamp'], ['1000.0', 'decimal(5,2)'], ['1e', 'double']] as const) {
    assert.throws(() => parsePartitionValue(raw, type), (err: unknown) => isDeltaError(err, 'CORRUPT_LOG') && err.message.includes(`"${raw}"`), `${raw} as ${type}`);
  }
});

test('values serialize the way Spark writes partitionValues', () => {
  assert.equal(serializePartitionValue(null, 'long'), null);
  assert.equal(serializePartitionValue('', 'string'), null);
  assert.equal(serializePartitionValue('a b', 'string'), 'a b');
  assert.equal(serializePartitionValue(-5, 'integer'), '-5');
  assert.equal(serializePartitionValue(9223372036854775807n, 'long'), '9223372036854775807');
  assert.equal(serializePartitionValue(0, 'double'), '0.0');
  assert.equal(serializePartitionValue(1, 'double'), '1.0');
  assert.equal(serializePartitionValue(123.45, 'double'), '123.45');
  assert.equal(serializePartitionValue(0.001, 'double'), '0.001');
  assert.equal(serializePartitionValue(1e7, 'double'), '1.0E7');
  assert.equal(serializePartitionValue(1.5e-4, 'double'), '1.5E-4');
  assert.equal(serializePartitionValue(-1.2345e21, 'double'), '-1.2345E21');
  assert.equal(serializePartitionValue(NaN, 'double'), 'NaN');
  assert.equal(serializePartitionValue(-Infinity, 'float'), '-Infinity');
  assert.equal(serializePartitionValue(Math.fround(0.1), 'float'), '0.1');
  assert.equal(serializePartitionValue(Math.fround(3.4e38), 'float'), '3.4E38');
  assert.equal(serializePartitionValue(true, 'boolean'), 'true');
  assert.equal(serializePartitionValue(18878, 'date'), '2021-09-08');
  assert.equal(serializePartitionValue(-719162, 'date'), '0001-01-01');
  assert.equal(serializePartitionValue(1_631_099_471_123_456n, 'timestamp'), '2021-09-08T11:11:11.123456Z');
  assert.equal(serializePartitionValue(-1n, 'timestamp'), '1969-12-31T23:59:59.999999Z');
  assert.equal(serializePartitionValue(new Date('2021-09-08T11:11:11.5Z'), 'timestamp'), '2021-09-08T11:11:11.500000Z');
  assert.equal(serializePartitionValue(1_631_099_471_000_000n, 'timestamp_ntz'), '2021-09-08 11:11:11');
  assert.equal(serializePartitionValue(1_631_099_471_120_000n, 'timestamp_ntz'), '2021-09-08 11:11:11.12');
  assert.equal(serializePartitionValue(-50n, 'decimal(5,2)'), '-0.50');
  assert.equal(serializePartitionValue(12345n, 'decimal(5,0)'), '12345');
  assert.equal(serializePartitionValue(Uint8Array.of(0x68, 0x69), 'binary'), 'hi');
});

test('serialize then parse gives the value back', () => {
  const cases: Array<[unknown, Parameters<typeof parsePartitionValue>[1]]> = [
    [42, 'integer'], [-(2n ** 63n), 'long'], [0.30000000000000004, 'double'], [Math.fround(1e-10), 'float'],
    [-719162, 'date'], [253_402_300_799_999_999n, 'timestamp'], [-62_135_596_800_000_000n, 'timestamp_ntz'], [99999n, 'decimal(5,3)'],
  ];
  for (const [value, type] of cases) {
    assert.equal(parsePartitionValue(serializePartitionValue(value, type), type), value, `${String(value)} as ${type}`);
  }
});

test('values that cannot be written are INVALID_ARGUMENT', () => {
  assert.throws(() => serializePartitionValue(300, 'byte'), (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT'));
  assert.throws(() => serializePartitionValue(123456n, 'decimal(5,2)'), (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT'));
  assert.throws(() => serializePartitionValue(Uint8Array.of(0xff), 'binary'), (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT'));
  assert.throws(() => serializePartitionValue('x', { type: 'array', elementType: 'long', containsNull: true }), (err: unknown) => isDeltaError(err, 'INVALID_ARGUMENT'));
});

test('partition directories are Hive-escaped and add paths URI-encoded as Spark writes them', () => {
  // Real paths from Spark-written golden tables in the corpus.
  assert.equal(encodeAddPath(partitionDirectory(['as_date', 'as_timestamp'], ['2021-09-08', '2021-09-08 11:11:11'])),
    'as_date=2021-09-08/as_timestamp=2021-09-08%2011%253A11%253A11/');
  assert.equal(encodeAddPath(partitionDirectory(['x'], ['A/A'])), 'x=A%252FA/');
  assert.equal(encodeAddPath(partitionDirectory(['_2'], ['bar+%21']) + 'part-0.parquet'), '_2=bar+%252521/part-0.parquet');
  assert.equal(encodeAddPath('special p@#h'), 'special%20p@%23h');
  assert.equal(partitionDirectory(['a', 'b'], [null, '']), `a=${HIVE_DEFAULT_PARTITION}/b=${HIVE_DEFAULT_PARTITION}/`);
  assert.equal(partitionDirectory([], []), '');
  assert.equal(escapePartitionPathSegment('a=b:c\u0001{x}[y]^"#%\'*?\\\u007f'), 'a%3Db%3Ac%01%7Bx}%5By%5D%5E%22%23%25%27%2A%3F%5C%7F');
  assert.equal(unescapePartitionPathSegment('2021-09-08 11%3A11%3A11'), '2021-09-08 11:11:11');
  assert.equal(unescapePartitionPathSegment('100%'), '100%');
});

test('add paths are URI-decoded exactly once', () => {
  assert.equal(decodeAddPath('as_timestamp=2021-09-08%2011%253A11%253A11/part-0.parquet'), 'as_timestamp=2021-09-08 11%3A11%3A11/part-0.parquet');
  assert.equal(decodeAddPath('_2=bar+%252521/f'), '_2=bar+%2521/f');
  assert.equal(decodeAddPath('s3://bucket/t/x%C3%A9y'), 's3://bucket/t/xéy');
  assert.equal(decodeAddPath('100%/a%zz'), '100%/a%zz');
  assert.equal(decodeAddPath('bad%FF'), 'bad%FF');
  for (const p of ['a b/c%d/é/#?/x+y', 'p=2021-09-08 11%3A11%3A11/f.parquet']) assert.equal(decodeAddPath(encodeAddPath(p)), p);
});
