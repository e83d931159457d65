import type { DeltaType, StructField, StructType } from '../protocol/schema.js';

/**
 * Why files written with `written`, the schema of a version at or before the one the stream
 * started at, cannot be read with the stream's schema `reading` (undefined when they can). Older
 * schemas may be narrower (columns added since read as null), but every column they have must
 * exist with the same type, and may only be nullable where the stream's column is.
 */
export function unreadableWith(written: StructType, reading: StructType): string | undefined {
  const byName = fieldsByName(reading);
  for (const f of written.fields) {
    const r = byName.get(f.name.toLowerCase());
    if (!r) return `column "${f.name}" was added`;
    if (!sameType(r.type, f.type)) return `column "${f.name}" changed type`;
    if (f.nullable && !r.nullable) return `column "${f.name}" may hold nulls there, but is not nullable in the stream's schema`;
  }
  return undefined;
}

/**
 * How the schema of a `metaData` committed after the stream started differs from the stream's
 * (undefined when it can still be read as before). A new, dropped or retyped column, or one that
 * may now hold nulls, stops the stream, as in Spark: files written from then on have columns the
 * stream cannot deliver, or lack ones it promised. A column becoming non-nullable is harmless.
 */
export function schemaChange(changed: StructType, reading: StructType): string | undefined {
  const problem = unreadableWith(changed, reading);
  if (problem) return problem;
  const byName = fieldsByName(changed);
  for (const r of reading.fields) {
    const f = byName.get(r.name.toLowerCase());
    if (!f) return `column "${r.name}" was dropped`;
  }
  return undefined;
}

function fieldsByName(s: StructType): Map<string, StructField> {
  return new Map(s.fields.map((f) => [f.name.toLowerCase(), f]));
}

function sameType(a: DeltaType, b: DeltaType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
