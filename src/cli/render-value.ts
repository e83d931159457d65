// Arrow cells as exact, readable values for `deltalake cat` (table, CSV and JSON).
// Values are read from the Arrow buffers, not through Vector.get(): get() gives a decimal as
// 32-bit words, a date or timestamp as JS milliseconds (µs and years beyond JS Date lost).
// The reader goes by type ids and buffer shapes, so Data from another apache-arrow copy works too.
import { makeVector, Type, type Data, type RecordBatch } from 'apache-arrow';
import { formatDate } from '../index.js';
import { decimalText, float32Text, floorDiv, halfToNumber, hex, numberText, timeOfDayText, timestampText, UNITS_PER_SECOND } from './render-scalar.js';

/** A number as exact decimal text: "1.23", "9007199254740993", "-0", "NaN", "Infinity". */
export class ExactNumber {
  constructor(readonly text: string) {}
}

/** Named entries in order: a struct's fields, or a map whose keys are printed as text. */
export class Entries {
  constructor(readonly entries: Array<[string, Cell]>) {}
}

/** One value, ready to print. Strings also carry dates, timestamps and binary (hex). */
export type Cell = null | boolean | string | ExactNumber | Entries | Cell[];

type Reader = (i: number) => Cell;
// Only the parts of Arrow's Data this module reads; structural, so any Arrow copy fits.
type AnyData = Data;

/** Reads the rows of a batch as cells, column by column. */
export function batchCells(batch: RecordBatch): { names: string[]; row: (i: number) => Cell[] } {
  const names = batch.schema.fields.map((f) => f.name);
  const readers = batch.data.children.map((d) => cellReader(d as AnyData));
  return { names, row: (i) => readers.map((r) => r(i)) };
}

/** A reader of cell i of one Arrow Data (any type Delta reads return, plus a generic fallback). */
export function cellReader(data: AnyData): Reader {
  const value = valueReader(data);
  const bitmap = data.nullBitmap;
  if (data.typeId === Type.Null) return () => null;
  if (!bitmap || bitmap.length === 0) return value;
  const offset = data.offset;
  return (i) => {
    const j = offset + i;
    return ((bitmap[j >> 3]! >> (j & 7)) & 1) === 1 ? value(i) : null;
  };
}

function valueReader(data: AnyData): Reader {
  const type = data.type as AnyData['type'] & Record<string, unknown>;
  const values = data.values as ArrayLike<number | bigint> & { subarray?: unknown };
  switch (data.typeId) {
    case Type.Int:
      if (type['bitWidth'] === 64) return (i) => new ExactNumber(int64At(values, i, type['isSigned'] !== false).toString());
      return (i) => new ExactNumber(String(values[i]));
    case Type.Float:
      if (type['precision'] === 0) return (i) => new ExactNumber(numberText(halfToNumber(Number(values[i]))));
      if (type['precision'] === 1) return (i) => new ExactNumber(float32Text(Number(values[i])));
      return (i) => new ExactNumber(numberText(Number(values[i])));
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      return (i) => {
        const j = data.offset + i;
        return ((bits[j >> 3]! >> (j & 7)) & 1) === 1;
      };
    }
    case Type.Utf8:
    case Type.LargeUtf8: {
      const decoder = new TextDecoder();
      const bytes = bytesReader(data);
      return (i) => decoder.decode(bytes(i));
    }
    case Type.Binary:
    case Type.LargeBinary: {
      const bytes = bytesReader(data);
      return (i) => hex(bytes(i));
    }
    case Type.FixedSizeBinary: {
      const width = Number(type['byteWidth']);
      const bytes = data.values as Uint8Array;
      return (i) => hex(bytes.subarray(i * width, (i + 1) * width));
    }
    case Type.Decimal: {
      const bitWidth = Number(type['bitWidth'] ?? 128);
      const scale = Number(type['scale']);
      return (i) => new ExactNumber(decimalText(decimalAt(data.values as Uint32Array, i, bitWidth), scale));
    }
    case Type.Date:
      // unit 0 is DAY (Date32), 1 is MILLISECOND (Date64, whole days by definition).
      if (type['unit'] === 0) return (i) => formatDate(Number(values[i]));
      return (i) => formatDate(Number(floorDiv(int64At(values, i, true), 86_400_000n)));
    case Type.Timestamp: {
      const perSecond = UNITS_PER_SECOND[Number(type['unit'])]!;
      const zone = typeof type['timezone'] === 'string' && type['timezone'] !== '' ? 'Z' : '';
      return (i) => timestampText(int64At(values, i, true), perSecond) + zone;
    }
    case Type.Time: {
      const perSecond = UNITS_PER_SECOND[Number(type['unit'])]!;
      return (i) => timeOfDayText(type['bitWidth'] === 64 ? int64At(values, i, true) : BigInt(values[i]!), perSecond);
    }
    case Type.Struct: {
      const names = (type['children'] as Array<{ name: string }>).map((f) => f.name);
      const children = data.children.map((c) => cellReader(c as AnyData));
      return (i) => new Entries(names.map((n, k) => [n, children[k]!(i)]));
    }
    case Type.List:
    case Type.LargeList: {
      const offsets = data.valueOffsets as ArrayLike<number | bigint>;
      const child = cellReader(data.children[0] as AnyData);
      return (i) => range(Number(offsets[i]), Number(offsets[i + 1])).map(child);
    }
    case Type.FixedSizeList: {
      const size = Number(type['listSize']);
      const child = cellReader(data.children[0] as AnyData);
      return (i) => range(i * size, (i + 1) * size).map(child);
    }
    case Type.Map:
      return mapReader(data);
    default:
      return fallbackReader(data);
  }
}

/** A map with scalar keys prints as an object keyed by the key's text; nested keys as [{key, value}]. */
function mapReader(data: AnyData): Reader {
  const offsets = data.valueOffsets as ArrayLike<number>;
  const entries = data.children[0] as AnyData;
  const keyData = entries.children[0] as AnyData;
  const key = cellReader(keyData);
  const value = cellReader(entries.children[1] as AnyData);
  const nestedKeys = [Type.Struct, Type.List, Type.LargeList, Type.FixedSizeList, Type.Map].includes(keyData.typeId);
  return (i) => {
    const js = range(Number(offsets[i]), Number(offsets[i + 1]));
    if (nestedKeys) return js.map((j) => new Entries([['key', key(j)], ['value', value(j)]]));
    return new Entries(js.map((j) => [cellText(key(j)), value(j)]));
  };
}

/** Types Delta never returns (intervals, durations, unions, views): Arrow's own get(), made printable. */
function fallbackReader(data: AnyData): Reader {
  const vector = makeVector(data);
  const toCell = (v: unknown): Cell => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'bigint' || typeof v === 'number') return new ExactNumber(typeof v === 'number' ? numberText(v) : v.toString());
    if (typeof v === 'boolean' || typeof v === 'string') return v;
    if (v instanceof Uint8Array) return hex(v);
    if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return toCell((v as { toJSON(): unknown }).toJSON());
    if (Array.isArray(v)) return v.map(toCell);
    if (typeof v === 'object') return new Entries(Object.entries(v).map(([k, x]) => [k, toCell(x)]));
    return String(v);
  };
  return (i) => toCell(vector.get(i));
}

function bytesReader(data: AnyData): (i: number) => Uint8Array {
  const offsets = data.valueOffsets as ArrayLike<number | bigint>;
  const bytes = data.values as Uint8Array;
  return (i) => bytes.subarray(Number(offsets[i]), Number(offsets[i + 1]));
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let j = from; j < to; j++) out.push(j);
  return out;
}

/** A 64-bit value: BigInt64Array in current Arrow, [lo, hi] 32-bit pairs in some older layouts. */
function int64At(values: ArrayLike<number | bigint>, i: number, signed: boolean): bigint {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return values[i]!;
  const lo = BigInt(Number(values[2 * i]) >>> 0);
  const hi = BigInt(Number(values[2 * i + 1]) >>> 0);
  const u = (hi << 32n) | lo;
  return signed ? BigInt.asIntN(64, u) : u;
}

/** The unscaled value of decimal i: little-endian 32-bit words, two's complement. */
function decimalAt(words: Uint32Array, i: number, bitWidth: number): bigint {
  const n = bitWidth / 32;
  let u = 0n;
  for (let k = n - 1; k >= 0; k--) u = (u << 32n) | BigInt(words[i * n + k]!);
  return BigInt.asIntN(bitWidth, u);
}

/** A cell as JSON text. Numbers keep every digit; NaN and ±Infinity, not JSON numbers, become strings. */
export function cellJson(c: Cell): string {
  if (c === null) return 'null';
  if (typeof c === 'boolean') return c ? 'true' : 'false';
  if (typeof c === 'string') return JSON.stringify(c);
  if (c instanceof ExactNumber) return /^-?\d/.test(c.text) ? c.text : JSON.stringify(c.text);
  if (c instanceof Entries) return `{${c.entries.map(([k, v]) => `${JSON.stringify(k)}:${cellJson(v)}`).join(',')}}`;
  return `[${c.map(cellJson).join(',')}]`;
}

/** A cell as plain text for the table and CSV formats: scalars as is, nested values as JSON. */
export function cellText(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'boolean') return c ? 'true' : 'false';
  if (typeof c === 'string') return c;
  if (c instanceof ExactNumber) return c.text;
  return cellJson(c);
}
