import { DataType, type Data } from 'apache-arrow';
import { decimalOverflow } from '../../errors.js';
import { formatDecimal } from '../../protocol/numbers.js';
import { decimalParts, type DeltaType } from '../../protocol/schema.js';

/**
 * Refuses (SCHEMA_MISMATCH naming column, value and type) a decimal value with more digits than
 * its column's precision: Parquet would store it and other engines would read an impossible
 * value. `data` is already cast to the table's types (Decimal128 at the column's scale);
 * nested struct, list and map values are checked too.
 */
export function checkDecimalRange(column: string, type: DeltaType, data: Data, from = 0, to = data.length): void {
  if (typeof type === 'string') {
    const dec = decimalParts(type);
    if (!dec || !DataType.isDecimal(data.type)) return;
    const limit = 10n ** BigInt(dec.precision);
    const words = data.values as Uint32Array;
    const stride = data.type.bitWidth / 32;
    for (let i = from; i < to; i++) {
      if (!data.getValid(i)) continue;
      const v = readDecimal(words, i * stride, stride);
      if (v >= limit || v <= -limit) {
        const digits = (v < 0n ? -v : v).toString().length;
        throw decimalOverflow(column, formatDecimal(v, dec.scale), type, Math.max(digits, dec.scale + 1), dec.scale);
      }
    }
    return;
  }
  if (type.type === 'struct') {
    type.fields.forEach((f, i) => {
      const child = data.children[i];
      if (child) checkDecimalRange(`${column}.${f.name}`, f.type, child, from, to);
    });
    return;
  }
  // Lists and maps: the child rows this array's rows point at (offsets are sliced with the array).
  const offsets = data.valueOffsets as Int32Array | undefined;
  const child = data.children[0];
  if (!offsets || !child || to <= from) return;
  const start = offsets[from]!;
  const end = offsets[to]!;
  if (type.type === 'array') checkDecimalRange(`${column}[]`, type.elementType, child, start, end);
  else {
    checkDecimalRange(`${column}.key`, type.keyType, child.children[0]!, start, end);
    checkDecimalRange(`${column}.value`, type.valueType, child.children[1]!, start, end);
  }
}

function readDecimal(words: Uint32Array, start: number, count: number): bigint {
  let v = 0n;
  for (let w = count - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[start + w]!);
  return BigInt.asIntN(count * 32, v);
}
