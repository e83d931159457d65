import { Binary, Bool, DataType, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, makeData, Map_, Null, Struct, TimestampMicrosecond, Utf8, type Data } from 'apache-arrow';
import { unrepresentableColumn } from '../errors.js';

/*
 * Arrow objects are read by shape, never by `instanceof`: a Table made by another copy of
 * apache-arrow (another version, or the CommonJS build next to the ESM one) is not an instance
 * of this copy's classes. These interfaces name the parts read, which every apache-arrow since 15
 * has. Type ids are the Arrow format's own (Schema.fbs `Type`), so they agree across copies.
 */

/** An apache-arrow DataType of any copy of the library. */
export interface TypeLike {
  readonly typeId: number;
  readonly children?: readonly FieldLike[] | null;
}
/** An apache-arrow Field of any copy of the library. */
export interface FieldLike {
  readonly name: string;
  readonly type: TypeLike;
  readonly nullable: boolean;
  readonly metadata?: ReadonlyMap<string, string> | null;
}
/** An apache-arrow Data (one array's buffers) of any copy of the library. */
export interface DataLike {
  readonly type: TypeLike;
  readonly offset: number;
  readonly length: number;
  readonly nullCount: number;
  readonly nullBitmap?: Uint8Array | null;
  readonly valueOffsets?: Int32Array | BigInt64Array | null;
  readonly values?: ArrayLike<number | bigint> & { readonly BYTES_PER_ELEMENT: number; subarray(a: number, b?: number): unknown } | null;
  readonly children: readonly DataLike[];
  readonly dictionary?: { readonly data: readonly DataLike[] } | null;
  readonly variadicBuffers?: readonly Uint8Array[] | null;
}

/** Arrow format type ids (Schema.fbs); Dictionary is apache-arrow's -1. */
export const TYPE_ID = {
  Null: 1, Int: 2, Float: 3, Binary: 4, Utf8: 5, Bool: 6, Decimal: 7, Date: 8, Time: 9, Timestamp: 10, Interval: 11,
  List: 12, Struct: 13, Union: 14, FixedSizeBinary: 15, FixedSizeList: 16, Map: 17, Duration: 18, LargeBinary: 19,
  LargeUtf8: 20, LargeList: 21, BinaryView: 23, Utf8View: 24, Dictionary: -1,
} as const;

/** A numeric, string or object attribute of a foreign type (bitWidth, unit, timezone, dictionary...). */
export function attr<T>(t: TypeLike, name: string): T {
  return (t as unknown as Record<string, T>)[name]!;
}

/** The zone of a timestamp type, or undefined when it has none. */
export function timestampZone(t: TypeLike): string | undefined {
  const zone = attr<string | null | undefined>(t, 'timezone');
  return zone === null || zone === undefined || zone === '' ? undefined : zone;
}

/** The field on this copy of apache-arrow, with its type converted by `normalizeType`. */
export function normalizeField(f: FieldLike, path: string): Field {
  return new Field(f.name, normalizeType(f.type, path), f.nullable, new Map(f.metadata ?? []));
}

/**
 * The type (on this copy of apache-arrow) a column of type `t` is written as: one of the Arrow
 * types that map to Delta types (API.md "Types"). Types with no exact Delta form are refused,
 * naming the column path and what to cast it to.
 */
export function normalizeType(t: TypeLike, path: string): DataType {
  const children = t.children ?? [];
  switch (t.typeId) {
    case TYPE_ID.Null: return new Null();
    case TYPE_ID.Bool: return new Bool();
    case TYPE_ID.Int: {
      // Unsigned ints widen to the next signed width; Uint64 stays 64-bit and is range-checked per value.
      const width = attr<number>(t, 'bitWidth') * (attr<boolean>(t, 'isSigned') ? 1 : 2);
      return width <= 8 ? new Int8() : width <= 16 ? new Int16() : width <= 32 ? new Int32() : new Int64();
    }
    case TYPE_ID.Float: return attr<number>(t, 'precision') === 2 ? new Float64() : new Float32(); // HALF widens exactly
    case TYPE_ID.Utf8: case TYPE_ID.LargeUtf8: case TYPE_ID.Utf8View: return new Utf8();
    case TYPE_ID.Binary: case TYPE_ID.LargeBinary: case TYPE_ID.FixedSizeBinary: case TYPE_ID.BinaryView: return new Binary();
    case TYPE_ID.Date: return new DateDay();
    // Any zone means the values are instants (UTC epoch counts, as Arrow defines them): Delta `timestamp`.
    case TYPE_ID.Timestamp: return timestampZone(t) === undefined ? new TimestampMicrosecond() : new TimestampMicrosecond('UTC');
    case TYPE_ID.Decimal: {
      const precision = attr<number>(t, 'precision');
      const scale = attr<number>(t, 'scale');
      if (precision > 38 || scale < 0 || scale > precision) {
        throw unrepresentableColumn(path, String(t), 'which a Delta decimal cannot hold (precision <= 38, 0 <= scale <= precision)', 'cast it to Decimal128 with precision <= 38, or to Float64 or Utf8');
      }
      return new Decimal(scale, precision, 128);
    }
    case TYPE_ID.Struct: return new Struct(children.map((c) => normalizeField(c, `${path}.${c.name}`)));
    case TYPE_ID.List: case TYPE_ID.LargeList: case TYPE_ID.FixedSizeList: return new List(normalizeField(children[0]!, `${path}[]`));
    case TYPE_ID.Map: {
      const entries = children[0]!;
      const [key, value] = entries.type.children ?? [];
      const struct = new Struct([normalizeField(key!, `${path}.key`), normalizeField(value!, `${path}.value`)]);
      return new Map_(new Field(entries.name, struct, false), attr<boolean>(t, 'keysSorted') === true);
    }
    case TYPE_ID.Dictionary: return normalizeType(attr<TypeLike>(t, 'dictionary'), path); // decoded on write
    case TYPE_ID.Time:
      throw unrepresentableColumn(path, String(t), 'which a Delta table cannot store (Delta has no time-of-day type)', 'store it as an Int64 count since midnight (e.g. microseconds) or as a Utf8 string such as "13:45:00"');
    case TYPE_ID.Duration:
      throw unrepresentableColumn(path, String(t), 'which a Delta table cannot store (Delta has no duration type)', 'store it as an Int64 count of its unit (e.g. microseconds)');
    case TYPE_ID.Interval:
      throw unrepresentableColumn(path, String(t), 'which a Delta table cannot store (Delta has no interval type)', 'store its parts as Int32/Int64 columns (months, days, nanoseconds) or as a Utf8 string');
    case TYPE_ID.Union:
      throw unrepresentableColumn(path, String(t), 'which a Delta table cannot store (Delta has no union type)', 'split it into one nullable column per member type, or a Struct of them');
    default:
      throw unrepresentableColumn(path, String(t), 'which a Delta table cannot store', 'cast it to a type Delta stores: Int8-64, Float32/64, Utf8, Binary, Bool, Decimal128, DateDay, Timestamp, Struct, List or Map');
  }
}

/** Is row i of `data` valid (not null)? The bitmap counts from `data.offset`. */
export function isValidAt(data: DataLike, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || !bitmap || bitmap.length === 0) return true;
  const at = data.offset + i;
  return ((bitmap[at >> 3]! >> (at & 7)) & 1) === 1;
}

/** Rows aligned with `data`: same offset, length, nulls and validity bitmap; new buffers/children. */
export function aligned(data: DataLike, to: DataType, parts: Record<string, unknown>): Data {
  return makeData({
    type: to, offset: data.offset, length: data.length, nullCount: data.nullCount,
    ...(data.nullBitmap && data.nullCount > 0 ? { nullBitmap: data.nullBitmap } : {}), ...parts,
  } as never);
}
