// The browser entry of deltalake-ts (`deltalake-ts/browser`): the same API as src/index.ts, with
// parquet-wasm's web build, whose wasm is fetched from beside this module before anything is used.
// scripts/build-browser.mjs bundles it into one ESM file a page imports without a bundler.
import { initParquetWasm } from './format/parquet-wasm-web.js';

await initParquetWasm();

export * from './index.js';
