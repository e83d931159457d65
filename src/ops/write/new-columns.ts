import type { Schema } from 'apache-arrow';
import { invalidArgument, unrepresentableColumn } from '../../errors.js';
import { type DeltaType, type StructField, type StructType } from '../../protocol/schema.js';
import { arrowToDeltaSchema } from '../../protocol/arrow-schema.js';
import type { TableState } from '../../snapshot/table-state.js';

/** How a write types the columns it creates (a new table, schemaMode 'merge' or 'overwrite'). */
export interface NewColumnOptions {
  /**
   * Nullability of created columns. 'nullable': every column and nested field may hold nulls,
   * whatever Arrow says (typed arrays and null-free vectors make Arrow fields non-nullable, and a
   * NOT NULL column can never be relaxed). 'arrow': keep each Arrow field's `nullable` flag.
   * To choose per column, create the table first with `DeltaTable.create({ schema })`.
   * @defaultValue 'nullable'
   */
  nullability?: 'nullable' | 'arrow';
  /**
   * Delta type of created columns from Arrow timestamps without a zone (what tableFromArrays and
   * tableFromJSON make of JS `Date`s): 'timestamp' reads their values as UTC instants, as JS Dates
   * are; 'timestamp_ntz' keeps them as wall-clock times (needs readers with table features,
   * reader version 3). Zoned Arrow timestamps are always `timestamp`.
   * @defaultValue 'timestamp'
   */
  zonelessTimestamps?: 'timestamp' | 'timestamp_ntz';
}

/**
 * The Delta schema of the data where this write creates columns: Arrow types as API.md "Types"
 * maps them, then `nullability` and `zonelessTimestamps` applied. Null-typed columns the write
 * would create are refused: no type can be inferred from them.
 */
export function newColumnsSchema(schema: Schema, snapshot: TableState | undefined, opts: NewColumnOptions & { schemaMode?: 'merge' | 'overwrite' }): StructType {
  const nullability = opts.nullability ?? 'nullable';
  const zoneless = opts.zonelessTimestamps ?? 'timestamp';
  if (nullability !== 'nullable' && nullability !== 'arrow') {
    throw invalidArgument(`nullability must be 'nullable' or 'arrow', got ${JSON.stringify(nullability)}`, "omit it (every created column is nullable), or pass 'arrow' to keep Arrow's flags");
  }
  if (zoneless !== 'timestamp' && zoneless !== 'timestamp_ntz') {
    throw invalidArgument(`zonelessTimestamps must be 'timestamp' or 'timestamp_ntz', got ${JSON.stringify(zoneless)}`, "omit it (zone-less timestamps become UTC timestamps), or pass 'timestamp_ntz'");
  }
  const rules = { nullable: nullability === 'nullable', ntz: zoneless === 'timestamp_ntz' };
  const fields = arrowToDeltaSchema(schema).fields.map((f) => newField(f, rules));
  if (!snapshot || opts.schemaMode !== undefined) {
    const known = new Set(snapshot && opts.schemaMode === 'merge' ? snapshot.schema.fields.map((f) => f.name.toLowerCase()) : []);
    for (const f of fields) if (!known.has(f.name.toLowerCase())) refuseVoid(f.type, f.name);
  }
  return { type: 'struct', fields };
}

interface Rules { nullable: boolean; ntz: boolean }

function newField(f: StructField, rules: Rules): StructField {
  return { ...f, type: newType(f.type, rules), nullable: rules.nullable || f.nullable };
}

function newType(t: DeltaType, rules: Rules): DeltaType {
  if (t === 'timestamp_ntz') return rules.ntz ? t : 'timestamp';
  if (typeof t === 'string') return t;
  switch (t.type) {
    case 'struct': return { ...t, fields: t.fields.map((f) => newField(f, rules)) };
    case 'array': return { ...t, elementType: newType(t.elementType, rules), containsNull: rules.nullable || t.containsNull };
    case 'map': return { ...t, keyType: newType(t.keyType, rules), valueType: newType(t.valueType, rules), valueContainsNull: rules.nullable || t.valueContainsNull };
  }
}

/** Arrow's Null type (an all-null column, e.g. vectorFromArray([null, null])) becomes Delta `void`, which no engine writes. */
function refuseVoid(t: DeltaType, path: string): void {
  if (t === 'void') {
    throw unrepresentableColumn(path, 'Null', 'so its Delta type cannot be inferred (the column holds only nulls)',
      'give the column a type (e.g. vectorFromArray(values, new Utf8())), or create the table first with DeltaTable.create({ schema })');
  }
  if (typeof t === 'string') return;
  if (t.type === 'struct') for (const f of t.fields) refuseVoid(f.type, `${path}.${f.name}`);
  else if (t.type === 'array') refuseVoid(t.elementType, `${path}[]`);
  else {
    refuseVoid(t.keyType, `${path}.key`);
    refuseVoid(t.valueType, `${path}.value`);
  }
}
