import type { RecordBatch } from 'apache-arrow';
import { invalidArgument } from '../../../errors.js';
import { inputBatches, isTableLike, normalizeSchema } from '../../../format/arrow-input.js';
import { arrowToDeltaSchema } from '../../../protocol/arrow-schema.js';
import type { StructType } from '../../../protocol/schema.js';
import { comparableReader } from '../../read/comparable-values.js';
import type { Value, Values } from '../../read/expr/expr-types.js';
import type { WriteInput } from '../../write/write.js';

/** The merge source, read once: its schema and each primitive column as one array of values. */
export interface MergeSource {
  schema: StructType;
  numRows: number;
  column(name: string): Values;
}

export async function readMergeSource(data: WriteInput): Promise<MergeSource> {
  const batches: RecordBatch[] = [];
  for await (const b of inputBatches(data)) batches.push(b);
  const arrowSchema = batches[0]?.schema ?? (isTableLike(data) ? normalizeSchema(data.schema) : undefined);
  if (!arrowSchema) throw invalidArgument('the merge source has no rows and no schema', 'pass an Arrow Table (it carries a schema even when empty)');
  const schema = arrowToDeltaSchema(arrowSchema);
  const numRows = batches.reduce((n, b) => n + b.numRows, 0);
  const cache = new Map<string, Values>();
  return {
    schema,
    numRows,
    column(name) {
      let v = cache.get(name);
      if (!v) {
        const idx = schema.fields.findIndex((f) => f.name === name);
        v = new Array<Value>(numRows);
        let at = 0;
        for (const b of batches) {
          const read = comparableReader(b.getChildAt(idx)!.data[0]!);
          for (let i = 0; i < b.numRows; i++) v[at++] = read(i);
        }
        cache.set(name, v);
      }
      return v;
    },
  };
}
