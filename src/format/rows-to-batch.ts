import { DataType, makeData, RecordBatch, Struct, vectorFromArray, type Schema } from 'apache-arrow';

/**
 * Plain row objects as one Arrow RecordBatch of `schema` (columns matched by name; a missing key
 * is null). Timestamps accept Date or epoch milliseconds, 64-bit integers number or bigint.
 */
export function rowsToBatch(rows: readonly Record<string, unknown>[], schema: Schema): RecordBatch {
  const children = schema.fields.map((f) => {
    const isInt64 = DataType.isInt(f.type) && f.type.bitWidth === 64;
    const values = rows.map((r) => {
      const v = r[f.name];
      if (v === undefined) return null;
      if (isInt64 && typeof v === 'number') return BigInt(v);
      return v;
    });
    return vectorFromArray(values, f.type).data[0]!;
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}

/** A cheap size estimate of a row, for byte-bounded micro-batches (no serialisation). */
export function estimateRowBytes(row: Record<string, unknown>): number {
  let n = 0;
  for (const v of Object.values(row)) n += typeof v === 'string' ? v.length + 4 : 8;
  return n;
}

/** Bytes held by a batch's buffers. */
export function batchBytes(batch: RecordBatch): number {
  let n = 0;
  const visit = (d: { buffers: Array<{ byteLength: number } | undefined | null>; children: unknown[] }): void => {
    for (const b of d.buffers) n += b?.byteLength ?? 0;
    for (const c of d.children) visit(c as typeof d);
  };
  visit(batch.data as never);
  return n;
}
