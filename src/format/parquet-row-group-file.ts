import { corruptData } from '../errors.js';
import { exposeInt96Schema } from './int96.js';
import { field, setField, T, writeStruct, type ThriftList, type ThriftStruct, type ThriftValue } from './thrift-compact.js';

/**
 * A file's footer cut down to the columns a read wants: parquet-wasm's synchronous reader
 * decodes every column it is given, so projection happens here, by handing it a file that holds
 * only those columns:
 *
 *   "PAR1" [chunks of the kept columns of one row group] [footer: kept schema, one row group] len "PAR1"
 */
export interface ProjectedFooter {
  /** FileMetaData with the kept schema; row groups are filled in per decode. */
  readonly meta: ThriftStruct;
  /** Leaf indexes (schema order, in the original file) of the kept columns. */
  readonly leaves: readonly number[];
  /** Leaf indexes, among the kept ones, that were INT96 (now 12-byte binaries); undefined for none. */
  readonly int96Leaves: ReadonlySet<number> | undefined;
  /** Top-level column names kept, in file order. */
  readonly columns: readonly string[];
}

/** One row group's bytes to fetch, as ranges of the original file, and how to assemble them. */
export interface RowGroupPlan {
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /**
   * Builds the one-row-group file from the fetched ranges (same order as `ranges`), in the
   * buffer `allocate` gives for its size (a fresh one when absent).
   */
  assemble(fetched: Uint8Array[], allocate?: (size: number) => Uint8Array): Uint8Array;
}

const INT96 = 3;
const FIXED_LEN_BYTE_ARRAY = 7;
const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // "PAR1"
/** Ranges closer than this are fetched as one (a request costs more than the bytes between). */
const MERGE_GAP_BYTES = 64 * 1024;

/**
 * Keeps the top-level columns named in `columns` (all when absent; the first column when none
 * is present, so the row count is still known), INT96 leaves exposed as 12-byte binaries.
 * The embedded ARROW:schema is dropped: it describes every column, and arrow-rs refuses a hint
 * that does not match the file's schema (types then come from the Parquet schema alone).
 */
export function projectFooter(metadata: ThriftStruct, columns?: readonly string[]): ProjectedFooter {
  const schema = items<ThriftStruct>(metadata, 2);
  const root = schema[0];
  if (!root) throw corruptFooter('the schema has no root element');
  const wanted = columns ? new Set(columns) : undefined;
  const subtrees: Array<{ name: string; elements: ThriftStruct[]; leaves: number[] }> = [];
  let leaf = 0;
  let i = 1;
  while (i < schema.length) {
    const size = 1 + descendants(schema, i);
    const elements = schema.slice(i, i + size);
    const leaves: number[] = [];
    for (const el of elements) if (numChildren(el) === 0) leaves.push(leaf++);
    subtrees.push({ name: text(schema[i]!, 4), elements, leaves });
    i += size;
  }
  if (subtrees.length !== numChildren(root)) throw corruptFooter(`the root has ${numChildren(root)} children, the schema lists ${subtrees.length}`);
  let kept = wanted ? subtrees.filter((s) => wanted.has(s.name)) : subtrees;
  if (kept.length === 0) kept = subtrees.slice(0, 1);
  const keptSchema = [{ ...root, fields: root.fields.map((f) => ({ ...f })) }, ...kept.flatMap((s) => s.elements.map(copyStruct))];
  setField(keptSchema[0]!, 5, T.I32, kept.length);
  const leaves = kept.flatMap((s) => s.leaves);
  const meta: ThriftStruct = { kind: 'struct', fields: metadata.fields.filter((f) => f.id !== 4).map((f) => ({ ...f })) };
  setField(meta, 2, T.LIST, { kind: 'list', elemType: T.STRUCT, items: keptSchema });
  const orders = field(metadata, 7)?.value as ThriftList | undefined;
  if (orders) setField(meta, 7, T.LIST, { ...orders, items: leaves.map((l) => orders.items[l]).filter((o): o is ThriftValue => o !== undefined) });
  const kv = field(meta, 5)?.value as ThriftList | undefined;
  if (kv) setField(meta, 5, T.LIST, { ...kv, items: (kv.items as ThriftStruct[]).filter((e) => text(e, 1) !== 'ARROW:schema') });
  const int96Leaves = exposeInt96Schema(keptSchema)?.leaves;
  return { meta, leaves, int96Leaves, columns: kept.map((s) => s.name) };
}

/** The row groups of a footer (FileMetaData field 4). */
export function rowGroupsOf(metadata: ThriftStruct): ThriftStruct[] {
  return items<ThriftStruct>(metadata, 4);
}

/**
 * Plans the decode of one row group: the byte ranges of the kept column chunks (which must lie
 * between the leading magic and `footerStart`) and a footer with their offsets rebased.
 */
export function planRowGroup(footer: ProjectedFooter, rowGroup: ThriftStruct, footerStart: number): RowGroupPlan {
  const chunks = items<ThriftStruct>(rowGroup, 1);
  const spans = footer.leaves.map((leaf) => {
    const cc = chunks[leaf];
    const md = cc ? field(cc, 3)?.value as ThriftStruct | undefined : undefined;
    if (!cc || !md) throw corruptFooter(`row group lacks the chunk of leaf column ${leaf}`);
    const data = num(md, 9);
    const dict = field(md, 11) ? num(md, 11) : 0;
    const start = dict > 0 && dict < data ? dict : data;
    const size = num(md, 7);
    if (start < MAGIC.length || size < 0 || start + size > footerStart) {
      throw corruptFooter(`column chunk [${start}, ${start + size}) lies outside the data pages [4, ${footerStart})`);
    }
    return { cc, md, start, size, data, dict };
  });
  // Ranges in file order, neighbours merged.
  const ranges: Array<[number, number]> = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = ranges[ranges.length - 1];
    if (last && s.start <= last[1] + MERGE_GAP_BYTES) last[1] = Math.max(last[1], s.start + s.size);
    else ranges.push([s.start, s.start + s.size]);
  }
  return {
    ranges,
    assemble(fetched, allocate = (size) => new Uint8Array(size)) {
      const at = (offset: number): Uint8Array => {
        const r = ranges.findIndex(([a, b]) => offset >= a && offset < b);
        return fetched[r]!.subarray(offset - ranges[r]![0]);
      };
      const body = spans.reduce((n, s) => n + s.size, 0);
      let pos = MAGIC.length;
      const columnChunks: ThriftStruct[] = [];
      const parts: Uint8Array[] = [MAGIC];
      for (const s of spans) {
        parts.push(at(s.start).subarray(0, s.size));
        const md = copyStruct(s.md);
        if (field(md, 1)?.value === INT96) setField(md, 1, T.I32, FIXED_LEN_BYTE_ARRAY); // as exposeInt96Schema did to its element
        setField(md, 9, T.I64, BigInt(pos + s.data - s.start));
        md.fields = md.fields.filter((f) => f.id !== 10 && f.id !== 11 && f.id !== 14 && f.id !== 15);
        if (s.dict > 0 && s.dict === s.start) setField(md, 11, T.I64, BigInt(pos));
        // Page indexes, bloom filters and file_path are not carried over: they point elsewhere.
        const cc: ThriftStruct = { kind: 'struct', fields: s.cc.fields.filter((f) => f.id === 3 || f.id === 8 || f.id === 9).map((f) => ({ ...f })) };
        setField(cc, 2, T.I64, BigInt(pos));
        setField(cc, 3, T.STRUCT, md);
        columnChunks.push(cc);
        pos += s.size;
      }
      const rg: ThriftStruct = { kind: 'struct', fields: rowGroup.fields.filter((f) => f.id === 2 || f.id === 3 || f.id === 6).map((f) => ({ ...f })) };
      setField(rg, 1, T.LIST, { kind: 'list', elemType: T.STRUCT, items: columnChunks });
      const meta = copyStruct(footer.meta);
      setField(meta, 3, T.I64, BigInt(num(rowGroup, 3)));
      setField(meta, 4, T.LIST, { kind: 'list', elemType: T.STRUCT, items: [rg] });
      const encoded = writeStruct(meta);
      const out = allocate(MAGIC.length + body + encoded.length + 8);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      out.set(encoded, o);
      new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(o + encoded.length, encoded.length, true);
      out.set(MAGIC, o + encoded.length + 4);
      return out;
    },
  };
}

function corruptFooter(what: string): Error {
  return corruptData('Parquet footer', what);
}

function items<V>(s: ThriftStruct, id: number): V[] {
  const v = field(s, id)?.value as ThriftList | undefined;
  return (v?.kind === 'list' ? v.items : []) as V[];
}

function num(s: ThriftStruct, id: number): number {
  const v = field(s, id)?.value;
  if (typeof v !== 'number' && typeof v !== 'bigint') throw corruptFooter(`field ${id} is missing or not a number`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw corruptFooter(`field ${id} is ${String(v)}`);
  return n;
}

function numChildren(el: ThriftStruct): number {
  const v = field(el, 5)?.value;
  return typeof v === 'number' && v > 0 ? v : 0;
}

/** How many schema elements below element `i` belong to it (depth-first layout). */
function descendants(schema: ThriftStruct[], i: number): number {
  let pending = numChildren(schema[i]!);
  let n = 0;
  while (pending > 0) {
    n++;
    const el = schema[i + n];
    if (!el) throw corruptFooter('the schema ends inside a group');
    pending += numChildren(el) - 1;
  }
  return n;
}

function text(s: ThriftStruct, id: number): string {
  const v = field(s, id)?.value;
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : '';
}

/** A copy deep enough that setField on it (or its first level of struct fields) leaves the original alone. */
function copyStruct(s: ThriftStruct): ThriftStruct {
  return { kind: 'struct', fields: s.fields.map((f) => ({ ...f, value: isStruct(f.value) ? copyStruct(f.value) : f.value })) };
}

function isStruct(v: ThriftValue): v is ThriftStruct {
  return typeof v === 'object' && !(v instanceof Uint8Array) && v.kind === 'struct';
}
