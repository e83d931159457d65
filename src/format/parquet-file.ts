import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm';
import { parseFooter } from './parquet-footer.js';
import { field, type ThriftList, type ThriftStruct } from './thrift-compact.js';

/** What the footer says about one column chunk of a row group. */
export interface ColumnChunkInfo {
  /** Values, nulls included (repetition makes this differ from the row count). */
  numValues: number;
  /** Nulls, when the writer recorded statistics. */
  nullCount: number | undefined;
}

/** What the footer says about one row group: rows, and each leaf column by dotted path. */
export interface RowGroupLeaves {
  numRows: number;
  columns: ReadonlyMap<string, ColumnChunkInfo>;
}

/**
 * One Parquet file held in memory, read piecewise: the footer is decoded once, and each read
 * decodes only the row groups and columns asked for (parquet-wasm reads the byte ranges it needs
 * from a Blob, rather than copying the whole file into wasm memory for every call).
 */
export class ParquetBytes {
  private constructor(private readonly file: ParquetFile, readonly rowGroups: readonly RowGroupLeaves[]) {}

  static async open(bytes: Uint8Array): Promise<ParquetBytes> {
    const rowGroups = readRowGroupLeaves(bytes);
    const file = await ParquetFile.fromFile(new Blob([bytes]));
    return new ParquetBytes(file, rowGroups);
  }

  /** Top-level column names in the file. */
  get columnNames(): string[] {
    const names = new Set<string>();
    for (const rg of this.rowGroups) for (const p of rg.columns.keys()) names.add(p.split('.')[0]!);
    return [...names];
  }

  /** Decodes `columns` (top-level names; absent ones ignored) of one row group. */
  async readRowGroup(rowGroup: number, columns: readonly string[], batchSize = 65_536): Promise<RecordBatch[]> {
    const present = new Set(this.columnNames);
    const wanted = columns.filter((c) => present.has(c));
    if (wanted.length === 0) return [];
    const table = await this.file.read({ rowGroups: [rowGroup], columns: wanted, batchSize });
    return tableFromIPC(table.intoIPCStream()).batches;
  }

  /** Releases the wasm-side reader. */
  close(): void {
    this.file.free();
  }
}

/** The row groups of a whole Parquet file in memory, leaf column by leaf column (FileMetaData.row_groups). */
export function readRowGroupLeaves(bytes: Uint8Array): RowGroupLeaves[] {
  const footer = parseFooter(bytes, bytes.length);
  if ('missingBytes' in footer) throw new RangeError('not a Parquet file: footer length out of range');
  const meta = footer.metadata;
  const groups = (field(meta, 4)?.value as ThriftList | undefined)?.items ?? [];
  const decoder = new TextDecoder();
  return (groups as ThriftStruct[]).map((rg) => {
    const columns = new Map<string, ColumnChunkInfo>();
    for (const chunk of ((field(rg, 1)?.value as ThriftList | undefined)?.items ?? []) as ThriftStruct[]) {
      const md = field(chunk, 3)?.value as ThriftStruct | undefined; // ColumnChunk.meta_data
      if (!md) continue;
      const path = (((field(md, 3)?.value as ThriftList | undefined)?.items ?? []) as Uint8Array[]).map((p) => decoder.decode(p)).join('.');
      const stats = field(md, 12)?.value as ThriftStruct | undefined; // ColumnMetaData.statistics
      const nulls = stats ? field(stats, 3)?.value : undefined; // Statistics.null_count
      columns.set(path, { numValues: Number(field(md, 5)?.value ?? 0), nullCount: nulls === undefined ? undefined : Number(nulls) });
    }
    return { numRows: Number(field(rg, 3)?.value ?? 0), columns };
  });
}

/**
 * Whether a row group may hold a non-null value in the leaf column `path`: false only when
 * the footer proves every value null (statistics present and null_count = num_values), or the
 * file lacks the column.
 */
export function mayHoldValues(rowGroup: RowGroupLeaves, path: string): boolean {
  const info = rowGroup.columns.get(path);
  if (!info) return false;
  return info.nullCount === undefined || info.nullCount < info.numValues;
}
