import { unsupportedFeature } from '../../errors.js';
import { DataType, makeData, type Data } from 'apache-arrow';
import { nullData } from '../../format/arrow-cast.js';

/**
 * An Arrow array of `length` copies of one value, used for partition columns (their values live
 * in the log, not in the data files). `value` is in the form parsePartitionValue returns.
 */
export function constantData(type: DataType, value: unknown, length: number): Data {
  if (value === null || value === undefined) return nullData(type, length);
  if (DataType.isInt(type)) {
    if (type.bitWidth === 64) return makeData({ type, length, nullCount: 0, data: new BigInt64Array(length).fill(BigInt(value as number | bigint)) as never });
    const Arr = { 8: Int8Array, 16: Int16Array, 32: Int32Array }[type.bitWidth as 8 | 16 | 32];
    return makeData({ type, length, nullCount: 0, data: new Arr(length).fill(Number(value)) as never });
  }
  if (DataType.isFloat(type)) {
    const Arr = type.precision === 1 ? Float32Array : Float64Array;
    return makeData({ type, length, nullCount: 0, data: new Arr(length).fill(Number(value)) as never });
  }
  if (DataType.isBool(type)) {
    const bits = new Uint8Array(Math.ceil(length / 8)).fill(value ? 0xff : 0);
    return makeData({ type, length, nullCount: 0, data: bits });
  }
  if (DataType.isDate(type)) {
    return makeData({ type, length, nullCount: 0, data: new Int32Array(length).fill(Number(value)) as never });
  }
  if (DataType.isTimestamp(type)) {
    return makeData({ type, length, nullCount: 0, data: new BigInt64Array(length).fill(BigInt(value as bigint)) as never });
  }
  if (DataType.isDecimal(type)) {
    const words = decimalWords(BigInt(value as bigint));
    const data = new Uint32Array(length * 4);
    for (let i = 0; i < length; i++) data.set(words, i * 4);
    return makeData({ type, length, nullCount: 0, data });
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : (value as Uint8Array);
    const data = new Uint8Array(bytes.length * length);
    const valueOffsets = new Int32Array(length + 1);
    for (let i = 0; i < length; i++) {
      data.set(bytes, i * bytes.length);
      valueOffsets[i + 1] = (i + 1) * bytes.length;
    }
    return makeData({ type, length, nullCount: 0, data, valueOffsets } as never);
  }
  throw unsupportedFeature(`partition columns of type ${String(type)} are not supported`);
}

/** Little-endian 32-bit words of a 128-bit two's complement integer (Arrow Decimal128 layout). */
function decimalWords(v: bigint): Uint32Array {
  let x = BigInt.asUintN(128, v);
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    words[i] = Number(x & 0xffffffffn);
    x >>= 32n;
  }
  return words;
}
