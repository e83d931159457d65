import { MapRow, Vector, type RecordBatch } from 'apache-arrow';

/**
 * Converts one Arrow value (as returned by Vector.get) to plain JSON-like data: structs and maps
 * become objects, lists arrays, 64-bit integers numbers (log values fit in 2^53), nulls null.
 */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Vector) return [...value].map(toPlain);
  if (value instanceof Uint8Array) return value;
  if (value instanceof MapRow) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value as Iterable<[unknown, unknown]>) setOwn(out, String(k), toPlain(v));
    return out;
  }
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const obj = (value as { toJSON(): Record<string, unknown> }).toJSON();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = toPlain(v);
    return out;
  }
  return value;
}

/**
 * Sets an own property, even for the key "__proto__" (which plain assignment would treat as the
 * prototype, silently dropping a map entry such as a partition value or a table property).
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Yields, for every row of `batch`, the non-null top-level struct columns among `columns`. */
export function* structCellsByRow(batch: RecordBatch, columns: readonly string[]): Generator<[string, unknown]> {
  // Columns that are null in every row are dropped up front: in a checkpoint of a million files,
  // protocol/metaData/txn are set in a handful of rows.
  const present = columns.flatMap((name) => {
    const child = batch.getChild(name);
    return child && child.nullCount < child.length ? [[name, child] as const] : [];
  });
  if (present.length === 0) return;
  for (let row = 0; row < batch.numRows; row++) {
    for (const [name, vec] of present) {
      if (!vec.isValid(row)) continue;
      yield [name, toPlain(vec.get(row))];
    }
  }
}
