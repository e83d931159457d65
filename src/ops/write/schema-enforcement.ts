import { DataType, makeData, Null, RecordBatch, Schema, Struct, type Data, type Field } from 'apache-arrow';
import { schemaMismatch } from '../../errors.js';
import { castData, nullData } from '../../format/arrow-cast.js';
import { decimalParts, type DeltaType, type StructField, type StructType } from '../../protocol/schema.js';
import { arrowToDeltaSchema, deltaToArrowSchema } from '../../protocol/arrow-schema.js';
import { checkDecimalRange } from '../read/decimal-range.js';
import { retype } from '../read/retype.js';

/** Writes may widen these (table type <- data type); everything else must match exactly. */
const ALLOWED_WIDENING: Record<string, readonly string[]> = {
  short: ['byte'],
  integer: ['byte', 'short'],
  long: ['byte', 'short', 'integer'],
  double: ['float'],
  // Zone-less Arrow timestamps (what apache-arrow makes of JS Dates) are UTC instants in a `timestamp` column.
  timestamp: ['timestamp_ntz'],
};

/** The Delta type of an incoming Arrow column. */
export function incomingDeltaType(field: Field): DeltaType {
  return arrowToDeltaSchema(new Schema([field])).fields[0]!.type;
}

/**
 * The schema after `schemaMode: 'merge'`: the table's columns (case kept) plus data columns it
 * lacks, appended as nullable.
 */
export function mergeSchemas(table: StructType, data: StructType): StructType {
  const known = new Set(table.fields.map((f) => f.name.toLowerCase()));
  const added = data.fields.filter((f) => !known.has(f.name.toLowerCase())).map((f) => ({ ...f, nullable: true }));
  return { type: 'struct', fields: [...table.fields, ...added] };
}

/**
 * Conforms a batch to the table schema or refuses it with SCHEMA_MISMATCH: columns matched by
 * name case-insensitively (the table's case kept), allowed widenings cast, missing nullable
 * columns null-filled, Null-typed columns given the table's type, NOT NULL columns checked.
 */
export function conformBatch(batch: RecordBatch, table: StructType): RecordBatch {
  const arrowTable = deltaToArrowSchema(table);
  const incoming = new Map(batch.schema.fields.map((f, i) => [f.name.toLowerCase(), i] as const));
  const tableNames = new Set(table.fields.map((f) => f.name.toLowerCase()));
  for (const f of batch.schema.fields) {
    if (!tableNames.has(f.name.toLowerCase())) {
      throw schemaMismatch(f.name, 'absent', String(f.type), `drop column "${f.name}", or write with { schemaMode: 'merge' } to add it`);
    }
  }
  const children = table.fields.map((field, i): Data => {
    const targetType = arrowTable.fields[i]!.type as DataType;
    const idx = incoming.get(field.name.toLowerCase());
    if (idx === undefined) {
      if (!field.nullable) throw schemaMismatch(field.name, `${typeName(field.type)} NOT NULL`, 'missing', `add column "${field.name}" to the data; the table requires it`);
      return nullData(targetType, batch.numRows);
    }
    const source = batch.getChildAt(idx)!.data[0]!;
    const data = conformColumn(field, source, targetType, batch.schema.fields[idx]!);
    checkDecimalRange(field.name, field.type, data);
    if (!field.nullable && data.nullCount > 0) {
      throw schemaMismatch(
        field.name, `${typeName(field.type)} NOT NULL`, `${typeName(field.type)} with ${data.nullCount} null value(s)`,
        `remove the nulls from "${field.name}", or recreate the table with the column nullable`,
      );
    }
    return data;
  });
  return new RecordBatch(arrowTable, makeData({ type: new Struct(arrowTable.fields), length: batch.numRows, nullCount: 0, children }));
}

function conformColumn(field: StructField, source: Data, targetType: DataType, sourceField: Field): Data {
  if (source.type instanceof Null || DataType.isNull(source.type)) return nullData(targetType, source.length);
  const dataType = incomingDeltaType(sourceField);
  const tableType = typeName(field.type);
  const dataTypeName = typeName(dataType);
  if (!canWrite(field.type, dataType) && !decimalRescales(dataType, field.type)) {
    throw schemaMismatch(field.name, tableType, dataTypeName);
  }
  const cast = castData(source, targetType);
  // Same scale, other precision: castData keeps the values; the column takes the table's type.
  return DataType.isDecimal(cast.type) && String(cast.type) !== String(targetType) ? retype(cast, targetType) : cast;
}

/**
 * A decimal of another precision (or a smaller scale, rescaled exactly) is accepted as Spark's
 * insert does: values that fit the table's precision are written, others refused by value.
 */
function decimalRescales(data: DeltaType, table: DeltaType): boolean {
  const d = decimalParts(data);
  const t = decimalParts(table);
  return d !== undefined && t !== undefined && d.scale <= t.scale;
}

/** Can data of type `data` go into a column of type `table`: equal, or allowed widenings at any depth (castData converts them)? */
function canWrite(table: DeltaType, data: DeltaType): boolean {
  if (typeof table === 'string' || typeof data === 'string') {
    return typeof table === 'string' && typeof data === 'string' && (table === data || (ALLOWED_WIDENING[table] ?? []).includes(data));
  }
  if (table.type === 'struct' && data.type === 'struct') {
    return table.fields.length === data.fields.length
      && table.fields.every((f) => { const d = data.fields.find((x) => x.name === f.name); return d !== undefined && canWrite(f.type, d.type); });
  }
  if (table.type === 'array' && data.type === 'array') return canWrite(table.elementType, data.elementType);
  if (table.type === 'map' && data.type === 'map') return canWrite(table.keyType, data.keyType) && canWrite(table.valueType, data.valueType);
  return false;
}

/** The Delta type name shown in messages (`long`, `decimal(10,2)`, `struct<a: int>`...). */
export function typeName(t: DeltaType): string {
  if (typeof t === 'string') return t;
  if (t.type === 'array') return `array<${typeName(t.elementType)}>`;
  if (t.type === 'map') return `map<${typeName(t.keyType)}, ${typeName(t.valueType)}>`;
  return `struct<${t.fields.map((f) => `${f.name}: ${typeName(f.type)}`).join(', ')}>`;
}
