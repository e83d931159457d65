import { corruptLog, unsupportedFeature } from '../errors.js';

/** Primitive type names of PROTOCOL.md "Schema Serialization Format"; decimals carry (p,s). */
export type PrimitiveType =
  | 'string' | 'long' | 'integer' | 'short' | 'byte' | 'float' | 'double' | 'boolean' | 'binary' | 'date'
  | 'timestamp' | 'timestamp_ntz' | 'void' | 'variant' | `decimal(${number},${number})`;

export interface StructType { type: 'struct'; fields: StructField[] }
export interface ArrayType { type: 'array'; elementType: DeltaType; containsNull: boolean }
export interface MapType { type: 'map'; keyType: DeltaType; valueType: DeltaType; valueContainsNull: boolean }
export type DeltaType = PrimitiveType | StructType | ArrayType | MapType;

/** Column metadata values are arbitrary JSON (`delta.columnMapping.id` is a number, comments strings). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface StructField {
  name: string;
  type: DeltaType;
  nullable: boolean;
  metadata: Record<string, JsonValue>;
}

const SIMPLE_TYPES: ReadonlySet<string> = new Set([
  'string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp',
  'timestamp_ntz', 'void', 'variant',
]);
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;

/** Precision and scale of a `decimal(p,s)` type name, else undefined. */
export function decimalParts(type: DeltaType): { precision: number; scale: number } | undefined {
  if (typeof type !== 'string') return undefined;
  const m = DECIMAL.exec(type);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

/**
 * Parses `metaData.schemaString` strictly: a malformed schema is CORRUPT_LOG naming `where`;
 * a well-formed type this library does not know (a newer feature's type) is UNSUPPORTED_FEATURE.
 */
export function parseSchemaString(schemaString: string, where: string): StructType {
  const known = parsedSchemas.get(schemaString);
  if (known) return known;
  const parsed = parseSchemaStrictly(schemaString, where);
  parsedSchemas.set(schemaString, parsed);
  if (parsedSchemas.size > PARSED_SCHEMAS_KEPT) parsedSchemas.delete(parsedSchemas.keys().next().value!);
  return parsed;
}

/**
 * Schemas parsed lately, by their text: one write checks the same schema in several places, and
 * a wide schema's parse costs more than a small append's other bookkeeping. Parsed schemas are
 * never mutated (they are shared between table states already), so sharing them is safe.
 */
const parsedSchemas = new Map<string, StructType>();
const PARSED_SCHEMAS_KEPT = 16;

function parseSchemaStrictly(schemaString: string, where: string): StructType {
  let json: unknown;
  try {
    json = JSON.parse(schemaString);
  } catch (err) {
    throw corruptLog(where, `schemaString is not valid JSON (${err instanceof Error ? err.message : String(err)})`, err);
  }
  const type = parseType(json, where, 'schema', 0);
  if (typeof type === 'string' || type.type !== 'struct') throw corruptLog(where, 'the table schema must be a struct type');
  return type;
}

/** The single-line JSON Spark writes into `schemaString`. */
export function serializeSchema(schema: StructType): string {
  return JSON.stringify(typeJson(schema));
}

/** A top-level field by name: exact case first, then case-insensitively (Delta names are case-insensitive). */
export function findField(schema: StructType, name: string): StructField | undefined {
  const exact = schema.fields.find((f) => f.name === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return schema.fields.find((f) => f.name.toLowerCase() === lower);
}

/** Every non-struct field, depth first, with its path of logical names (arrays and maps are leaves). */
export function leafColumns(schema: StructType): Array<{ path: string[]; field: StructField }> {
  const out: Array<{ path: string[]; field: StructField }> = [];
  const visit = (fields: StructField[], prefix: string[]): void => {
    for (const f of fields) {
      if (typeof f.type !== 'string' && f.type.type === 'struct') visit(f.type.fields, [...prefix, f.name]);
      else out.push({ path: [...prefix, f.name], field: f });
    }
  };
  visit(schema.fields, []);
  return out;
}

/**
 * Types nest at most this deep (struct, array and map levels). Far beyond any real schema (Parquet
 * writers stop near 64), low enough that every recursive walk of a schema has stack to spare.
 */
export const MAX_TYPE_DEPTH = 1000;

function parseType(json: unknown, where: string, at: string, depth: number): DeltaType {
  if (depth > MAX_TYPE_DEPTH) throw corruptLog(where, `the schema nests types deeper than ${MAX_TYPE_DEPTH} levels`);
  if (typeof json === 'string') {
    if (SIMPLE_TYPES.has(json)) return json as PrimitiveType;
    const m = DECIMAL.exec(json);
    if (m) {
      const precision = Number(m[1]);
      const scale = Number(m[2]);
      if (precision < 1 || precision > 38 || scale > precision) throw corruptLog(where, `${at}: invalid decimal type "${json}"`);
      return `decimal(${precision},${scale})`;
    }
    // Spark reads a bare "decimal" as its default decimal(10,0).
    if (json === 'decimal') return 'decimal(10,0)';
    throw unsupportedFeature(`${where}: ${at} has type "${json}", which this library does not support`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corruptLog(where, `${at}: a type must be a name or an object`);
  const o = json as Record<string, unknown>;
  switch (o['type']) {
    case 'struct': {
      if (!Array.isArray(o['fields'])) throw corruptLog(where, `${at}: struct without a "fields" array`);
      const fields = o['fields'].map((f: unknown, i: number) => parseField(f, where, `${at}.fields[${i}]`, depth + 1));
      const seen = new Set<string>();
      for (const f of fields) {
        const key = f.name.toLowerCase();
        if (seen.has(key)) throw corruptLog(where, `${at}: column name "${f.name}" appears twice (names are case-insensitive)`);
        seen.add(key);
      }
      return { type: 'struct', fields };
    }
    case 'array':
      if (typeof o['containsNull'] !== 'boolean') throw corruptLog(where, `${at}: array without a boolean "containsNull"`);
      return { type: 'array', elementType: parseType(o['elementType'], where, `${at}.elementType`, depth + 1), containsNull: o['containsNull'] };
    case 'map':
      if (typeof o['valueContainsNull'] !== 'boolean') throw corruptLog(where, `${at}: map without a boolean "valueContainsNull"`);
      return {
        type: 'map',
        keyType: parseType(o['keyType'], where, `${at}.keyType`, depth + 1),
        valueType: parseType(o['valueType'], where, `${at}.valueType`, depth + 1),
        valueContainsNull: o['valueContainsNull'],
      };
    default:
      throw corruptLog(where, `${at}: unknown complex type ${JSON.stringify(o['type'])}`);
  }
}

function parseField(json: unknown, where: string, at: string, depth: number): StructField {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corruptLog(where, `${at}: a field must be an object`);
  const o = json as Record<string, unknown>;
  if (typeof o['name'] !== 'string') throw corruptLog(where, `${at}: field without a string "name"`);
  const name = o['name'];
  if (typeof o['nullable'] !== 'boolean') throw corruptLog(where, `${at} ("${name}"): field without a boolean "nullable"`);
  const metadata = o['metadata'] ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw corruptLog(where, `${at} ("${name}"): "metadata" must be an object`);
  return { name, type: parseType(o['type'], where, `${at} ("${name}")`, depth), nullable: o['nullable'], metadata: metadata as Record<string, JsonValue> };
}

function typeJson(t: DeltaType): unknown {
  if (typeof t === 'string') return t;
  switch (t.type) {
    case 'struct':
      return { type: 'struct', fields: t.fields.map((f) => ({ name: f.name, type: typeJson(f.type), nullable: f.nullable, metadata: f.metadata })) };
    case 'array':
      return { type: 'array', elementType: typeJson(t.elementType), containsNull: t.containsNull };
    case 'map':
      return { type: 'map', keyType: typeJson(t.keyType), valueType: typeJson(t.valueType), valueContainsNull: t.valueContainsNull };
  }
}
