import {
  Binary, Bool, DataType, DateDay, DateUnit, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, makeData, RecordBatch, Schema,
  Struct, TimestampMicrosecond, Utf8, type Data, type Table,
} from 'apache-arrow';

/**
 * The differential filter test's own model of column types and values, kept independent of
 * src/: values are built into Arrow by hand and read back from Arrow buffers here.
 *
 * Values: byte/short/integer/float/double and date (days) as number; long, timestamps (µs)
 * and decimals (unscaled, at the column's scale) as bigint; boolean; string; binary as
 * Uint8Array; structs as objects; null.
 */
export type PrimitiveType =
  | 'byte' | 'short' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'string' | 'binary' | 'date'
  | 'timestamp' | 'timestamp_ntz' | `decimal(${number},${number})`;
export type ColumnType = PrimitiveType | { struct: Array<{ name: string; type: PrimitiveType }> };
export type Value = number | bigint | boolean | string | Uint8Array | { [k: string]: Value } | null;
export interface Column { name: string; type: ColumnType }

/** Decimal precision and scale of a type, or undefined. */
export function decimalOf(type: ColumnType): { precision: number; scale: number } | undefined {
  const m = typeof type === 'string' ? /^decimal\((\d+),(\d+)\)$/.exec(type) : null;
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

/** Types a filter may name (binary is not: filters on binary columns are refused). */
export function isFilterable(type: ColumnType): type is PrimitiveType {
  return typeof type === 'string' && type !== 'binary';
}

export function arrowType(type: ColumnType): DataType {
  if (typeof type !== 'string') return new Struct(type.struct.map((f) => new Field(f.name, arrowType(f.type), true)));
  const dec = decimalOf(type);
  if (dec) return new Decimal(dec.scale, dec.precision, 128);
  switch (type) {
    case 'byte': return new Int8();
    case 'short': return new Int16();
    case 'integer': return new Int32();
    case 'long': return new Int64();
    case 'float': return new Float32();
    case 'double': return new Float64();
    case 'boolean': return new Bool();
    case 'string': return new Utf8();
    case 'binary': return new Binary();
    case 'date': return new DateDay();
    case 'timestamp': return new TimestampMicrosecond('UTC');
    case 'timestamp_ntz': return new TimestampMicrosecond();
  }
  throw new TypeError(`no Arrow type for ${type}`);
}

/** A record batch of `rows` with these columns, built from typed buffers (no inference). */
export function batchOfRows(columns: Column[], rows: Array<Record<string, Value>>): RecordBatch {
  const fields = columns.map((c) => new Field(c.name, arrowType(c.type), true));
  const children = columns.map((c) => columnData(c.type, rows.map((r) => r[c.name] ?? null)));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children }));
}

function validity(values: Value[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.max(1, Math.ceil(values.length / 8)));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

function columnData(type: ColumnType, values: Value[]): Data {
  const { nullBitmap, nullCount } = validity(values);
  const length = values.length;
  if (typeof type !== 'string') {
    const arrow = arrowType(type) as Struct;
    const children = type.struct.map((f) => columnData(f.type, values.map((v) => (v === null ? null : (v as Record<string, Value>)[f.name] ?? null))));
    return makeData({ type: arrow, length, nullCount, nullBitmap, children });
  }
  const dec = decimalOf(type);
  if (dec) {
    const words = new Uint32Array(length * 4);
    values.forEach((v, i) => {
      let u = BigInt.asUintN(128, (v as bigint | null) ?? 0n);
      for (let w = 0; w < 4; w++, u >>= 32n) words[i * 4 + w] = Number(u & 0xffffffffn);
    });
    return makeData({ type: arrowType(type) as Decimal, length, nullCount, nullBitmap, data: words });
  }
  switch (type) {
    case 'string': case 'binary': {
      const parts = values.map((v) => (v === null ? new Uint8Array(0) : typeof v === 'string' ? Buffer.from(v, 'utf8') : (v as Uint8Array)));
      const valueOffsets = new Int32Array(length + 1);
      parts.forEach((p, i) => (valueOffsets[i + 1] = valueOffsets[i]! + p.length));
      const data = new Uint8Array(valueOffsets[length]!);
      parts.forEach((p, i) => data.set(p, valueOffsets[i]!));
      return type === 'string'
        ? makeData({ type: new Utf8(), length, nullCount, nullBitmap, valueOffsets, data })
        : makeData({ type: new Binary(), length, nullCount, nullBitmap, valueOffsets, data });
    }
    case 'boolean': {
      const data = new Uint8Array(Math.max(1, Math.ceil(length / 8)));
      values.forEach((v, i) => { if (v === true) data[i >> 3]! |= 1 << (i & 7); });
      return makeData({ type: new Bool(), length, nullCount, nullBitmap, data });
    }
    case 'long': case 'timestamp': case 'timestamp_ntz': {
      const data = BigInt64Array.from(values, (v) => (v as bigint | null) ?? 0n);
      return type === 'long'
        ? makeData({ type: new Int64(), length, nullCount, nullBitmap, data })
        : makeData({ type: arrowType(type) as TimestampMicrosecond, length, nullCount, nullBitmap, data });
    }
    default: {
      const n = values.map((v) => (v as number | null) ?? 0);
      switch (type) {
        case 'byte': return makeData({ type: new Int8(), length, nullCount, nullBitmap, data: Int8Array.from(n) });
        case 'short': return makeData({ type: new Int16(), length, nullCount, nullBitmap, data: Int16Array.from(n) });
        case 'integer': return makeData({ type: new Int32(), length, nullCount, nullBitmap, data: Int32Array.from(n) });
        case 'float': return makeData({ type: new Float32(), length, nullCount, nullBitmap, data: Float32Array.from(n) });
        case 'double': return makeData({ type: new Float64(), length, nullCount, nullBitmap, data: Float64Array.from(n) });
        case 'date': return makeData({ type: new DateDay(), length, nullCount, nullBitmap, data: Int32Array.from(n) });
      }
    }
  }
  throw new TypeError(`cannot build a column of ${type}`);
}

/** The filterable type of an Arrow column as read, or undefined when filters cannot name it. */
export function filterableTypeOf(type: DataType): PrimitiveType | undefined {
  if (DataType.isInt(type)) return ({ 8: 'byte', 16: 'short', 32: 'integer', 64: 'long' } as const)[type.bitWidth as 8];
  if (DataType.isFloat(type)) return type.precision === 1 ? 'float' : type.precision === 2 ? 'double' : undefined;
  if (DataType.isBool(type)) return 'boolean';
  if (DataType.isUtf8(type)) return 'string';
  if (DataType.isDate(type) && type.unit === DateUnit.DAY) return 'date';
  if (DataType.isTimestamp(type)) return type.timezone ? 'timestamp' : 'timestamp_ntz';
  if (DataType.isDecimal(type)) return `decimal(${type.precision},${type.scale})`;
  return undefined;
}

/** The values of column `name` of a table as read, in the model (filterable types only). */
export function readColumn(table: Table, name: string): Value[] {
  const out: Value[] = [];
  const idx = table.schema.fields.findIndex((f) => f.name === name);
  for (const batch of table.batches) {
    for (const data of batch.getChildAt(idx)!.data) {
      for (let i = 0; i < data.length; i++) out.push(data.getValid(i) ? valueAt(data, i) : null);
    }
  }
  return out;
}

/** Per row of column `name`: true when it holds a value, null when null (any column type). */
export function readNullness(table: Table, name: string): Value[] {
  const idx = table.schema.fields.findIndex((f) => f.name === name);
  return table.batches.flatMap((b) => b.getChildAt(idx)!.data.flatMap((d) => Array.from({ length: d.length }, (_, i) => (d.getValid(i) ? true : null))));
}

function valueAt(data: Data, i: number): Value {
  const type = data.type as DataType;
  // Arrow JS slices fixed-width and offset buffers with the array; bit-packed ones count from data.offset.
  if (DataType.isBool(type)) {
    const bit = data.offset + i;
    return (((data.values as Uint8Array)[bit >> 3]! >> (bit & 7)) & 1) === 1;
  }
  if (DataType.isUtf8(type)) {
    const o = data.valueOffsets as Int32Array;
    return Buffer.from((data.values as Uint8Array).subarray(o[i]!, o[i + 1]!)).toString('utf8');
  }
  if (DataType.isDecimal(type)) {
    const words = data.values as Uint32Array;
    let v = 0n;
    for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[i * 4 + w]!);
    return BigInt.asIntN(128, v);
  }
  const raw = (data.values as ArrayLike<number | bigint>)[i]!;
  if (DataType.isInt(type) && type.bitWidth === 64) return BigInt(raw);
  if (DataType.isTimestamp(type)) return BigInt(raw);
  return Number(raw);
}
