import initWasm, * as esm from 'parquet-wasm/esm';
import type { ParquetWasm } from './parquet-wasm-node.js';

/*
 * The browser build's stand-in for parquet-wasm-node.ts (the build swaps one for the other):
 * parquet-wasm's web build, whose wasm is fetched from beside the bundle. It has one instance
 * per page, so after a trap the same instance is handed out again.
 */

/** Fetches and instantiates the wasm; call (and await) once before any Parquet work. */
export async function initParquetWasm(wasmUrl?: string | URL): Promise<void> {
  await initWasm(wasmUrl === undefined ? undefined : { module_or_path: wasmUrl });
}

/** The parquet-wasm bindings (the page's one instance). */
export function loadParquetWasm(_fresh: boolean): ParquetWasm {
  return esm as unknown as ParquetWasm;
}
