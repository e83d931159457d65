import { createRequire } from 'node:module';
import type * as ParquetWasmModule from 'parquet-wasm';

/** The parquet-wasm bindings of one WebAssembly instance. */
export type ParquetWasm = typeof ParquetWasmModule;

const require = createRequire(import.meta.url);
// The package's node build (CommonJS) instantiates its wasm when it is evaluated; evaluating it
// again (after dropping it from the require cache) gives a second, independent instance.
const modulePath = require.resolve('parquet-wasm');

/** The parquet-wasm bindings; `fresh` gives a new, independent instance (after a trap). */
export function loadParquetWasm(fresh: boolean): ParquetWasm {
  if (fresh) delete require.cache[modulePath];
  return require(modulePath) as ParquetWasm;
}
