import { loadParquetWasm, type ParquetWasm } from './parquet-wasm-node.js';

export type { ParquetWasm };

// Node loads its wasm through require (parquet-wasm-node.ts); the browser build swaps in
// parquet-wasm-web.ts, so this file needs no runtime of its own.
let current = loadParquetWasm(false);
let instancesReplaced = 0;

/** The parquet-wasm instance new work should use (a fresh one after a trap). */
export function parquetWasm(): ParquetWasm {
  return current;
}

/** How many times a trap made the instance be replaced (for tests and diagnostics). */
export function wasmInstancesReplaced(): number {
  return instancesReplaced;
}

/** A WebAssembly trap (or stack overflow) inside parquet-wasm: the call was aborted midway. */
export class WasmTrap extends Error {
  override readonly name = 'WasmTrap';
}

/**
 * Runs a synchronous parquet-wasm call. A trap (Rust panic, `unreachable`, out-of-bounds access,
 * stack overflow) aborts the call without running any of its destructors or restoring its shadow
 * stack pointer: memory it allocated stays allocated and later calls start lower on the stack.
 * So the instance is never used again; the next call gets a new one, and the trap is rethrown as
 * a WasmTrap. Objects made by the old instance keep working against it until they are dropped.
 *
 * Only synchronous calls contain a trap: in parquet-wasm's async readers a trap is thrown from a
 * microtask, where no caller can catch it, and the process exits.
 */
export function callWasm<T>(call: (wasm: ParquetWasm) => T): T {
  const wasm = current;
  try {
    return call(wasm);
  } catch (err) {
    if (!isTrap(err)) throw err;
    if (wasm === current) replaceInstance();
    throw new WasmTrap(`parquet-wasm trapped: ${err.message}`, { cause: err });
  }
}

// The WebAssembly global is not in the compiled-in type libraries (no DOM lib).
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly.RuntimeError;

function isTrap(err: unknown): err is Error {
  return err instanceof WasmRuntimeError || err instanceof RangeError;
}

function replaceInstance(): void {
  current = loadParquetWasm(true);
  instancesReplaced++;
}
