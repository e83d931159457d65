import { makeData, RecordBatch, Schema, Struct, Field, Utf8 } from 'apache-arrow';
import type { AddCDCFile } from '../../protocol/actions.js';
import { CHANGE_TYPE } from '../../protocol/change-data.js';
import type { StructType } from '../../protocol/schema.js';
import type { ColumnMappingMode } from '../../protocol/column-mapping.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { constantData } from '../read/constant-column.js';
import { DataFileWriter } from './data-file-writer.js';

/**
 * Writes change data files (PROTOCOL.md "Change Data Files"): Parquet under `_change_data/`,
 * partitioned like the table, holding the table's data columns plus `_change_type`. A commit
 * that has any cdc file is read through its cdc files alone, so a writer that records changes
 * this way must record all of them: the rows it deletes and the rows it inserts.
 */
export class ChangeDataWriter {
  private readonly files: DataFileWriter;

  constructor(store: ObjectStore, opts: { schema: StructType; partitionColumns: string[]; columnMapping: ColumnMappingMode; now?: () => number }) {
    this.files = new DataFileWriter(store, {
      schema: { type: 'struct', fields: [...opts.schema.fields, CHANGE_TYPE] },
      partitionColumns: opts.partitionColumns,
      columnMapping: opts.columnMapping,
      statsColumns: 0,
      directory: '_change_data/',
      filePrefix: 'cdc',
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  /** Records `batch` (conformed to the table schema) as rows of one change type. */
  async write(batch: RecordBatch, changeType: 'insert' | 'delete' | 'update_preimage' | 'update_postimage'): Promise<void> {
    if (batch.numRows === 0) return;
    const fields = [...batch.schema.fields, new Field(CHANGE_TYPE.name, new Utf8(), true)];
    const children = [...batch.schema.fields.map((_, i) => batch.getChildAt(i)!.data[0]!), constantData(new Utf8(), changeType, batch.numRows)];
    await this.files.write(new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children })));
  }

  /** Writes what is buffered; a `cdc` action per file. */
  async finish(): Promise<AddCDCFile[]> {
    return (await this.files.finish()).map((a) => ({ path: a.path, partitionValues: a.partitionValues, size: a.size, dataChange: false }));
  }
}
