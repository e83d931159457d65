import {
  Binary, Bool, DataType, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, Map_, Null, Precision,
  Schema, Struct, TimestampMicrosecond, Utf8, type Timestamp,
} from 'apache-arrow';
import { invalidArgument, unsupportedFeature } from '../errors.js';
import { decimalParts, type DeltaType, type JsonValue, type StructField, type StructType } from './schema.js';

/*
 * Delta <-> Arrow types (API.md "Types"). List items are named "element", as in the 3-level
 * Parquet lists Spark writes and arrow-rs (so parquet-wasm) reads back. Map entries are a
 * non-null struct "entries" of a non-null "key" and a "value": Arrow's canonical names, which
 * apache-arrow's Map_ imposes whatever name it is given (Parquet's "key_value" cannot survive it).
 *
 * Column metadata travels in Arrow field metadata, each value as its JSON text ("5", "\"x\""),
 * so Delta -> Arrow -> Delta is exact. One key is translated: Spark's `parquet.field.id` (set
 * on physical schemas under column mapping) becomes Arrow's `PARQUET:field_id`, the key Parquet
 * writers and readers use for field ids.
 */
/** Name of the item field of Arrow lists made from Delta arrays. */
export const LIST_ITEM_NAME = 'element';
/** Name of the entries struct of Arrow maps made from Delta maps. */
export const MAP_ENTRIES_NAME = 'entries';
const DELTA_FIELD_ID_KEY = 'parquet.field.id';
const ARROW_FIELD_ID_KEY = 'PARQUET:field_id';

/** The Arrow schema of a Delta struct (logical or physical names, as given). */
export function deltaToArrowSchema(schema: StructType): Schema {
  return new Schema(schema.fields.map(toArrowField));
}

/**
 * The Delta schema of an Arrow schema. Arrow types Delta lacks are widened to the nearest Delta
 * type (Utf8 variants to string, unsigned ints to the next signed width, other timestamp units to
 * microseconds); types with no lossless Delta form are INVALID_ARGUMENT. Writes and create pass
 * schemas through format/arrow-input first (the one place input types are converted), so this
 * sees only the Arrow twins of Delta types there.
 */
export function arrowToDeltaSchema(schema: Schema): StructType {
  return { type: 'struct', fields: schema.fields.map((f) => fromArrowField(f, f.name)) };
}

function toArrowField(f: StructField): Field {
  const metadata = new Map<string, string>();
  for (const [k, v] of Object.entries(f.metadata)) {
    metadata.set(k === DELTA_FIELD_ID_KEY ? ARROW_FIELD_ID_KEY : k, JSON.stringify(v));
  }
  return new Field(f.name, toArrowType(f.type), f.nullable, metadata);
}

function toArrowType(t: DeltaType): DataType {
  if (typeof t !== 'string') {
    switch (t.type) {
      case 'struct': return new Struct(t.fields.map(toArrowField));
      case 'array': return new List(new Field(LIST_ITEM_NAME, toArrowType(t.elementType), t.containsNull));
      case 'map': {
        const entries = new Struct([new Field('key', toArrowType(t.keyType), false), new Field('value', toArrowType(t.valueType), t.valueContainsNull)]);
        return new Map_(new Field(MAP_ENTRIES_NAME, entries, false), false);
      }
    }
  }
  switch (t) {
    case 'string': return new Utf8();
    case 'long': return new Int64();
    case 'integer': return new Int32();
    case 'short': return new Int16();
    case 'byte': return new Int8();
    case 'float': return new Float32();
    case 'double': return new Float64();
    case 'boolean': return new Bool();
    case 'binary': return new Binary();
    case 'date': return new DateDay();
    case 'timestamp': return new TimestampMicrosecond('UTC');
    case 'timestamp_ntz': return new TimestampMicrosecond();
    case 'void': return new Null();
    // The unshredded Parquet layout (PROTOCOL.md "Variant Data Type"); decodeVariant reads a row.
    case 'variant': return new Struct([new Field('metadata', new Binary(), false), new Field('value', new Binary(), false)]);
  }
  const dec = decimalParts(t);
  if (!dec) throw unsupportedFeature(`Delta type "${t}" has no Arrow mapping`);
  return new Decimal(dec.scale, dec.precision, 128);
}

function fromArrowField(f: Field, path: string): StructField {
  const metadata: Record<string, JsonValue> = {};
  for (const [k, v] of f.metadata) {
    metadata[k === ARROW_FIELD_ID_KEY ? DELTA_FIELD_ID_KEY : k] = parseMetadataValue(v);
  }
  return { name: f.name, type: fromArrowType(f.type as DataType, path), nullable: f.nullable, metadata };
}

/** Metadata written by other tools may be plain text rather than JSON; keep such text as a string. */
function parseMetadataValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function fromArrowType(t: DataType, path: string): DeltaType {
  if (DataType.isDictionary(t)) return fromArrowType(t.dictionary, path);
  if (DataType.isNull(t)) return 'void';
  if (DataType.isBool(t)) return 'boolean';
  if (DataType.isInt(t)) {
    const width = t.bitWidth + (t.isSigned ? 0 : 1);
    if (width <= 8) return 'byte';
    if (width <= 16) return 'short';
    if (width <= 32) return 'integer';
    if (width <= 64) return 'long';
    throw unrepresentable(path, t, 'cast it to Int64 (values above 2^63 do not fit a Delta long)');
  }
  if (DataType.isFloat(t)) return t.precision === Precision.DOUBLE ? 'double' : 'float';
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isUtf8View(t)) return 'string';
  if (DataType.isBinary(t) || DataType.isLargeBinary(t) || DataType.isBinaryView(t) || DataType.isFixedSizeBinary(t)) return 'binary';
  if (DataType.isDate(t)) return 'date';
  if (DataType.isTimestamp(t)) {
    const zone = (t as Timestamp).timezone;
    return zone === null || zone === undefined || zone === '' ? 'timestamp_ntz' : 'timestamp';
  }
  if (DataType.isDecimal(t)) {
    if (t.precision > 38 || t.scale < 0 || t.scale > t.precision) throw unrepresentable(path, t, 'Delta decimals have precision <= 38 and 0 <= scale <= precision');
    return `decimal(${t.precision},${t.scale})`;
  }
  if (DataType.isStruct(t)) return { type: 'struct', fields: t.children.map((c) => fromArrowField(c, `${path}.${c.name}`)) };
  if (DataType.isList(t) || DataType.isLargeList(t) || DataType.isFixedSizeList(t)) {
    const item = t.children[0]!;
    return { type: 'array', elementType: fromArrowType(item.type as DataType, `${path}[]`), containsNull: item.nullable };
  }
  if (DataType.isMap(t)) {
    const [key, value] = t.children[0]!.type.children as Field[];
    return {
      type: 'map',
      keyType: fromArrowType(key!.type as DataType, `${path}.key`),
      valueType: fromArrowType(value!.type as DataType, `${path}.value`),
      valueContainsNull: value!.nullable,
    };
  }
  throw unrepresentable(path, t, 'cast it to a type Delta supports (numbers, strings, binary, dates, timestamps, decimals, struct/list/map)');
}

function unrepresentable(path: string, t: DataType, hint: string): Error {
  return invalidArgument(`column "${path}" has Arrow type ${String(t)}, which a Delta table cannot store`, hint);
}
