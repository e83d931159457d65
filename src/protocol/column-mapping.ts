import { corruptLog, unsupportedFeature } from '../errors.js';
import type { DeltaType, JsonValue, StructField, StructType } from './schema.js';

/** `delta.columnMapping.mode` (PROTOCOL.md "Column Mapping"). */
export type ColumnMappingMode = 'none' | 'name' | 'id';

const MODE_KEY = 'delta.columnMapping.mode';
const PHYSICAL_NAME_KEY = 'delta.columnMapping.physicalName';
const ID_KEY = 'delta.columnMapping.id';
/** Where Spark puts the field id on a physical schema; Parquet writers turn it into field_id. */
const PARQUET_FIELD_ID_KEY = 'parquet.field.id';
const MAPPING_KEYS = [PHYSICAL_NAME_KEY, ID_KEY, 'delta.columnMapping.nested.ids', PARQUET_FIELD_ID_KEY];

/** The table's column mapping mode; absent means 'none', an unknown mode is UNSUPPORTED_FEATURE. */
export function columnMappingMode(configuration: Readonly<Record<string, string>>): ColumnMappingMode {
  const raw = configuration[MODE_KEY];
  if (raw === undefined) return 'none';
  const mode = raw.toLowerCase();
  if (mode === 'none' || mode === 'name' || mode === 'id') return mode;
  throw unsupportedFeature(`${MODE_KEY} is "${raw}"; this library knows the modes none, name and id`);
}

/**
 * The name a column has in data files, stats and partitionValues: the logical name without
 * column mapping, else `delta.columnMapping.physicalName` (required then: CORRUPT_LOG if absent).
 * Without a mode, the physical name is used when the field has one.
 */
export function physicalName(field: StructField, mode?: ColumnMappingMode): string {
  if (mode === 'none') return field.name;
  const physical = field.metadata[PHYSICAL_NAME_KEY];
  if (typeof physical === 'string') return physical;
  if (mode === undefined) return field.name;
  throw corruptLog('schema', `column "${field.name}" has no ${PHYSICAL_NAME_KEY} although column mapping mode is ${mode}`);
}

/** `delta.columnMapping.id`, or undefined when the field has none. */
export function fieldId(field: StructField): number | undefined {
  const id = field.metadata[ID_KEY];
  return typeof id === 'number' && Number.isInteger(id) ? id : undefined;
}

/**
 * The schema as stored in data files: every field (nested in structs, arrays and maps too)
 * renamed to its physical name and carrying its id as `parquet.field.id`, as Spark writes
 * Parquet under column mapping. With mode 'none' the schema is returned unchanged.
 */
export function toPhysicalSchema(schema: StructType, mode: ColumnMappingMode): StructType {
  if (mode === 'none') return schema;
  return { type: 'struct', fields: schema.fields.map((f) => physicalField(f, mode)) };
}

/** The schema without column mapping metadata (for a new table created from another's schema). */
export function dropColumnMappingMetadata(schema: StructType): StructType {
  const strip = (t: DeltaType): DeltaType => mapNested(t, (f) => {
    const metadata: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(f.metadata)) if (!MAPPING_KEYS.includes(k)) metadata[k] = v;
    return { ...f, type: strip(f.type), metadata };
  });
  return strip(schema) as StructType;
}

function physicalField(f: StructField, mode: ColumnMappingMode): StructField {
  const id = fieldId(f);
  const metadata = id === undefined ? f.metadata : { ...f.metadata, [PARQUET_FIELD_ID_KEY]: id };
  return {
    name: physicalName(f, mode),
    type: mapNested(f.type, (child) => physicalField(child, mode)),
    nullable: f.nullable,
    metadata,
  };
}

/** Applies `fn` to the struct fields directly inside `t` (through arrays and maps). */
function mapNested(t: DeltaType, fn: (f: StructField) => StructField): DeltaType {
  if (typeof t === 'string') return t;
  switch (t.type) {
    case 'struct': return { type: 'struct', fields: t.fields.map(fn) };
    case 'array': return { ...t, elementType: mapNested(t.elementType, fn) };
    case 'map': return { ...t, keyType: mapNested(t.keyType, fn), valueType: mapNested(t.valueType, fn) };
  }
}

/** Table property holding the highest column id handed out. */
export const MAX_COLUMN_ID_KEY = 'delta.columnMapping.maxColumnId';

/**
 * The highest column id the table has handed out: `delta.columnMapping.maxColumnId`, or the
 * highest id in the schema when that is larger (ids are never reused, PROTOCOL.md "Column Mapping").
 */
export function maxColumnId(schema: StructType, configuration: Readonly<Record<string, string>>): number {
  let max = Number(configuration[MAX_COLUMN_ID_KEY] ?? 0);
  if (!Number.isInteger(max) || max < 0) max = 0;
  const visit = (t: DeltaType): DeltaType => mapNested(t, (f) => {
    max = Math.max(max, fieldId(f) ?? 0);
    visit(f.type);
    return f;
  });
  visit(schema);
  return max;
}

/**
 * Gives every field lacking them (nested in structs, arrays and maps too) a column id counting
 * up from `lastId` and a physical name, numbering a parent before its children as Spark does.
 * New physical names are `col-<uuid>`, unique across the table's history, so a dropped column's
 * files can never be read as a new column's. `physicalNameOf` overrides that for fields already
 * in data files under their logical names (turning column mapping on for an existing table).
 * Returns the schema and the highest id now in use (the new `delta.columnMapping.maxColumnId`).
 */
export function assignColumnMapping(
  schema: StructType, lastId: number, physicalNameOf: (f: StructField) => string = () => `col-${crypto.randomUUID()}`,
): { schema: StructType; maxColumnId: number } {
  let next = lastId;
  const assign = (f: StructField): StructField => {
    const metadata: Record<string, JsonValue> = { ...f.metadata };
    if (fieldId(f) === undefined) metadata[ID_KEY] = ++next;
    if (typeof metadata[PHYSICAL_NAME_KEY] !== 'string') metadata[PHYSICAL_NAME_KEY] = physicalNameOf(f);
    return { ...f, metadata, type: mapNested(f.type, assign) };
  };
  const assigned = mapNested(schema, assign) as StructType;
  return { schema: assigned, maxColumnId: next };
}
