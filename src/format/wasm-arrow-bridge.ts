import { RecordBatch, Struct, tableFromIPC, type Schema } from 'apache-arrow';
import { parseData, parseSchema } from 'arrow-js-ffi';
import type { ParquetWasm } from './parquet-wasm-instance.js';

type WasmTable = ReturnType<ParquetWasm['readParquet']>;
type WasmSchema = ReturnType<ParquetWasm['readSchema']>;

/**
 * Moves a table decoded by parquet-wasm into Arrow JS batches through the Arrow C Data
 * Interface (arrow-js-ffi): the buffers are copied straight out of wasm memory, where the IPC
 * bridge first serialises the whole table inside wasm (`intoIPCStream`, a third of a scan's
 * time) and then parses it again in JS.
 *
 * Lifetimes: `w` must be the very instance that decoded the table (a restart after a trap makes
 * a new instance with a memory of its own); its memory is taken after the export, and the copy
 * is made before any other wasm call could grow (and so detach) it.
 * The exported structs and the table are freed before returning, whatever happens: no batch
 * views wasm memory, and nothing stays allocated in it.
 *
 * arrow-js-ffi 0.4 copies every buffer from its start and ignores a non-zero ArrowArray offset;
 * the decoder's fresh arrays have none, but a table with one anywhere takes the IPC bridge
 * (checked on the exported structs before anything is copied), so no value is ever misread.
 */
export function batchesFromWasm(w: ParquetWasm, table: WasmTable): RecordBatch[] {
  let viaIPC = false;
  try {
    // toFFI shares the arrays (reference counts, no copy) and leaves the table usable.
    const stream = table.toFFI();
    try {
      const memory = w.wasmMemory().buffer;
      const arrays = stream.arrayAddrs();
      if (arrays.every((at) => offsetsAreZero(memory, at))) {
        // Batch by batch rather than parseTable: an Arrow JS Table compares every batch's schema
        // to its own, work that the one schema parsed here makes pointless.
        const schema = parseSchema(memory, stream.schemaAddr());
        const type = new Struct(schema.fields);
        return Array.from(arrays, (at) => new RecordBatch(schema, parseData(memory, at, type, true)));
      }
    } finally {
      stream.free();
    }
    viaIPC = true;
    return tableFromIPC(table.intoIPCStream()).batches; // consumes the table
  } finally {
    if (!viaIPC) table.free();
  }
}

/** The Arrow schema parquet-wasm read from a footer, through the C Data Interface. */
export function schemaFromWasm(w: ParquetWasm, schema: WasmSchema): Schema {
  const ffi = schema.intoFFI();
  try {
    return parseSchema(w.wasmMemory().buffer, ffi.addr());
  } finally {
    ffi.free();
  }
}

// ArrowArray on wasm32: int64 length, null_count, offset, n_buffers, n_children; then 4-byte
// pointers buffers, children, dictionary.
const OFFSET_AT = 16;
const N_CHILDREN_AT = 32;
const CHILDREN_AT = 44;
const DICTIONARY_AT = 48;

/** Whether an exported array and every array under it (children, dictionary) start at offset 0. */
function offsetsAreZero(memory: ArrayBuffer, at: number): boolean {
  const view = new DataView(memory);
  if (view.getBigInt64(at + OFFSET_AT, true) !== 0n) return false;
  const children = Number(view.getBigInt64(at + N_CHILDREN_AT, true));
  const childPointers = view.getUint32(at + CHILDREN_AT, true);
  for (let i = 0; i < children; i++) if (!offsetsAreZero(memory, view.getUint32(childPointers + 4 * i, true))) return false;
  const dictionary = view.getUint32(at + DICTIONARY_AT, true);
  return dictionary === 0 || offsetsAreZero(memory, dictionary);
}

