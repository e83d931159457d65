import { unsupportedFeature } from '../../errors.js';
import { DataType, type Data } from 'apache-arrow';
import type { Comparable } from './filter.js';

/**
 * A reader of row values in the comparable domain used by filters: numbers, bigint for 64-bit
 * integers, timestamps (micros) and decimals (unscaled), days for dates, strings, booleans.
 * Reads the buffers directly because Arrow JS converts timestamps and dates to lossy milliseconds.
 * Arrow JS slices values and offsets buffers with the array, so they are indexed by `i`; only
 * the bit-packed booleans (like validity bitmaps) still count from `data.offset`.
 */
export function comparableReader(data: Data): (row: number) => Comparable | null {
  const type = data.type as DataType;
  const valid = (i: number): boolean => data.getValid(i);
  const values = data.values as ArrayLike<number | bigint>;
  const off = data.offset;
  if (DataType.isDecimal(type)) {
    const words = data.values as Uint32Array;
    return (i) => {
      if (!valid(i)) return null;
      const base = i * 4;
      let v = 0n;
      for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[base + w]!);
      return BigInt.asIntN(128, v);
    };
  }
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDate(type) || DataType.isTimestamp(type)) {
    return (i) => (valid(i) ? (values[i] as number | bigint) : null);
  }
  if (DataType.isUtf8(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const decoder = new TextDecoder();
    return (i) => (valid(i) ? decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!)) : null);
  }
  if (DataType.isBool(type)) {
    const bits = data.values as Uint8Array;
    return (i) => {
      if (!valid(i)) return null;
      const idx = off + i;
      return ((bits[idx >> 3]! >> (idx & 7)) & 1) === 1;
    };
  }
  throw unsupportedFeature(`filters on columns of type ${String(type)} are not supported`, 'filter on another column, or filter the rows after reading them');
}
