import { DataType, makeData, TimeUnit, type Data, type Field } from 'apache-arrow';
import { invalidArgument } from '../errors.js';

/** Picks, for a target struct field, the index of the matching source field (or -1). */
export type ChildResolver = (target: Field, sources: readonly Field[]) => number;

const byName: ChildResolver = (t, sources) => sources.findIndex((s) => s.name === t.name);

/**
 * Converts an array to `to`: identity, timestamp units and zones (to microseconds), integer
 * widening, ints/float to double, dates to timestamps, decimal rescaling, ints to decimal, and
 * structs/lists/maps recursively (struct children matched by `resolve`, missing ones null).
 */
export function castData(data: Data, to: DataType, resolve: ChildResolver = byName): Data {
  const from = data.type as DataType;
  if (DataType.isNull(from)) return nullData(to, data.length);
  if (DataType.isStruct(to) && DataType.isStruct(from)) {
    const children = to.children.map((f) => {
      const i = resolve(f, from.children);
      const child = i >= 0 ? data.children[i]! : undefined;
      if (!child) return nullData(f.type as DataType, data.length);
      // Children are sliced with their parent (Arrow JS): row r of the struct is row r of each child.
      return castData(child, f.type as DataType, resolve);
    });
    return makeData({ type: to, length: data.length, nullCount: data.nullCount, nullBitmap: bitmapOf(data), children } as never);
  }
  if ((DataType.isList(to) && DataType.isList(from)) || (DataType.isMap(to) && DataType.isMap(from))) {
    const child = castData(data.children[0]!, to.children[0]!.type as DataType, resolve);
    // Offsets are sliced with the array (Arrow JS), so they start at this array's first row.
    const valueOffsets = (data.valueOffsets as Int32Array).subarray(0, data.length + 1);
    return makeData({ type: to, length: data.length, nullCount: data.nullCount, nullBitmap: bitmapOf(data), valueOffsets, child } as never);
  }
  if (sameType(from, to)) return data;
  const n = data.length;
  const at = 0; // fixed-width values are sliced with the array (Arrow JS)
  const values = data.values as ArrayLike<number | bigint>;
  const fixed = (out: ArrayLike<unknown>): Data =>
    makeData({ type: to, length: n, nullCount: data.nullCount, nullBitmap: bitmapOf(data), data: out } as never);
  if ((DataType.isUtf8(to) && DataType.isLargeUtf8(from)) || (DataType.isBinary(to) && DataType.isLargeBinary(from))) {
    // 64-bit offsets (LargeUtf8, as delta-rs 0.17 wrote into ARROW:schema) to 32-bit ones.
    const wide = (data.valueOffsets as unknown as BigInt64Array).subarray(0, n + 1);
    const base = wide[0] ?? 0n;
    if ((wide[n] ?? 0n) - base > 0x7fffffffn) throw cannotCast(from, to);
    const valueOffsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) valueOffsets[i] = Number(wide[i]! - base);
    const bytes = (data.values as Uint8Array).subarray(Number(base), Number(wide[n] ?? 0n));
    return makeData({ type: to, length: n, nullCount: data.nullCount, nullBitmap: bitmapOf(data), valueOffsets, data: bytes } as never);
  }
  if (DataType.isTimestamp(to) && to.unit === TimeUnit.MICROSECOND) {
    // Same unit, another zone label ('+00:00' from a Parquet schema, 'UTC' in the table): same values.
    if (DataType.isTimestamp(from) && from.unit === to.unit) return fixed(data.values as BigInt64Array);
    if (DataType.isTimestamp(from)) {
      const out = new BigInt64Array(n);
      const scale = [1_000_000n, 1_000n, 1n, 1n][from.unit]!;
      for (let i = 0; i < n; i++) {
        const v = BigInt(values[at + i]!);
        out[i] = from.unit === TimeUnit.NANOSECOND ? floorDiv(v, 1000n) : v * scale;
      }
      return fixed(out);
    }
    if (DataType.isDate(from)) {
      const out = new BigInt64Array(n);
      const perUnit = from.unit === 0 ? 86_400_000_000n : 1000n; // DAY or MILLISECOND
      for (let i = 0; i < n; i++) out[i] = BigInt(values[at + i]!) * perUnit;
      return fixed(out);
    }
  }
  if (DataType.isInt(to) && DataType.isInt(from) && to.bitWidth >= from.bitWidth) {
    const Ctor = { 8: Int8Array, 16: Int16Array, 32: Int32Array, 64: BigInt64Array }[to.bitWidth as 8 | 16 | 32 | 64];
    const out = new Ctor(n);
    for (let i = 0; i < n; i++) (out as unknown as unknown[])[i] = to.bitWidth === 64 ? BigInt(values[at + i]!) : Number(values[at + i]!);
    return fixed(out);
  }
  if (DataType.isFloat(to) && to.precision === 2 && (DataType.isFloat(from) || DataType.isInt(from))) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(values[at + i]!);
    return fixed(out);
  }
  if (DataType.isDecimal(to) && (DataType.isDecimal(from) || DataType.isInt(from))) {
    const fromScale = DataType.isDecimal(from) ? from.scale : 0;
    if (to.scale < fromScale) throw cannotCast(from, to);
    const factor = 10n ** BigInt(to.scale - fromScale);
    const out = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const v = DataType.isDecimal(from) ? readDecimal(data.values as Uint32Array, (at + i) * (from.bitWidth / 32), from.bitWidth / 32) : BigInt(values[at + i]!);
      writeDecimal(out, i * 4, v * factor);
    }
    return fixed(out);
  }
  if (DataType.isDecimal(to) && DataType.isDecimal(from) && from.bitWidth === to.bitWidth) return data;
  throw cannotCast(from, to);
}

/** An all-null array of any type, nested types included. */
export function nullData(type: DataType, length: number): Data {
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  const base = { type, length, nullCount: length, nullBitmap };
  if (DataType.isNull(type)) return makeData({ type, length } as never);
  if (DataType.isStruct(type)) return makeData({ ...base, children: type.children.map((f) => nullData(f.type as DataType, length)) } as never);
  if (DataType.isList(type) || DataType.isMap(type)) {
    return makeData({ ...base, valueOffsets: new Int32Array(length + 1), child: nullData(type.children[0]!.type as DataType, 0) } as never);
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) return makeData({ ...base, valueOffsets: new Int32Array(length + 1), data: new Uint8Array(0) } as never);
  if (DataType.isBool(type)) return makeData({ ...base, data: new Uint8Array(Math.ceil(length / 8)) } as never);
  if (DataType.isDecimal(type)) return makeData({ ...base, data: new Uint32Array(length * (type.bitWidth / 32)) } as never);
  if (DataType.isFixedSizeBinary(type)) return makeData({ ...base, data: new Uint8Array(length * type.byteWidth) } as never);
  const Ctor = (type as unknown as { ArrayType: new (n: number) => ArrayLike<unknown> }).ArrayType;
  return makeData({ ...base, data: new Ctor(length) } as never);
}

function sameType(a: DataType, b: DataType): boolean {
  if (DataType.isTimestamp(a) && DataType.isTimestamp(b)) return a.unit === b.unit && (a.timezone ?? null) === (b.timezone ?? null);
  if (DataType.isDecimal(a) && DataType.isDecimal(b)) return a.scale === b.scale && a.bitWidth === b.bitWidth;
  if (DataType.isTimestamp(b) || DataType.isTimestamp(a)) return false;
  return a.typeId === b.typeId && String(a) === String(b);
}

/** The validity bitmap re-based to offset 0 (the array may be a slice), or undefined when there are no nulls. */
export function bitmapOf(data: Data): Uint8Array | undefined {
  if (data.nullCount === 0) return undefined;
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) if (data.getValid(i)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function readDecimal(words: Uint32Array, start: number, count: number): bigint {
  let v = 0n;
  for (let w = count - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[start + w]!);
  return BigInt.asIntN(count * 32, v);
}

function writeDecimal(out: Uint32Array, start: number, v: bigint): void {
  let x = BigInt.asUintN(128, v);
  for (let w = 0; w < 4; w++) {
    out[start + w] = Number(x & 0xffffffffn);
    x >>= 32n;
  }
}

function cannotCast(from: DataType, to: DataType): Error {
  return invalidArgument(`cannot convert ${String(from)} to ${String(to)}`, 'the file holds a type the table schema does not allow');
}
