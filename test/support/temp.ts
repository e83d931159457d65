import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Field, Int64, RecordBatch, Schema, Utf8, vectorFromArray, makeData, Struct, type DataType } from 'apache-arrow';

/** A fresh empty directory under the OS temp dir. */
export async function tempDir(prefix = 'dlts-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A record batch from columns of JS values with explicit Arrow types. */
export function batchOf(columns: Record<string, { type: DataType; values: unknown[]; nullable?: boolean }>): RecordBatch {
  const fields = Object.entries(columns).map(([name, c]) => new Field(name, c.type, c.nullable ?? true));
  const schema = new Schema(fields);
  const children = Object.values(columns).map((c) => vectorFromArray(c.values, c.type).data[0]!);
  const length = children[0]?.length ?? 0;
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }));
}

/** A batch of `ids` (long) with a string label per id. */
export function idBatch(ids: number[], label = 'x'): RecordBatch {
  return batchOf({
    id: { type: new Int64(), values: ids.map((i) => BigInt(i)) },
    label: { type: new Utf8(), values: ids.map(() => label) },
  });
}
