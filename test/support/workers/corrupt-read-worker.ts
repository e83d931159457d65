// A separate OS process that reads damaged copies of corpus tables, one case at a time:
//   node corrupt-read-worker.js <cases.json> <first index>
// Each case copies a corpus table to a temp dir, XORs bytes of one of its files, then opens and
// reads it through the public API. Prints one JSON line per case:
//   {"i":3,"outcome":"same"|"different"|"delta","code":"CORRUPT_DATA","message":"...","traps":1}
// and "other" with the error's name for anything that is not a DeltaError. The parent enforces
// a time limit per case and counts an exit of this process as a failure.
import { cp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeltaTable, isDeltaError } from '../../../src/index.js';
import { wasmInstancesReplaced } from '../../../src/format/parquet-wasm-instance.js';
import { canonicalKey, canonicalRows } from '../canonical.js';
import { tempDir } from '../temp.js';

/** One damaged-file case: which table and file (relative to the table root), which bytes. */
export interface CorruptCase {
  table: string;
  file: string;
  region: string;
  /** [byte offset, XOR mask (1..255)] */
  flips: Array<[number, number]>;
}

const [casesFile, firstArg] = process.argv.slice(2);
const cases = JSON.parse(await readFile(casesFile!, 'utf8')) as { corpus: string; cases: CorruptCase[] };
const expected = new Map<string, string[]>();

async function rowsOf(uri: string): Promise<string[]> {
  const table = await (await DeltaTable.open(uri)).toArrow();
  const fields = table.schema.fields.map((f) => ({ name: f.name, type: f.type }));
  return canonicalRows(table).map((r) => canonicalKey(r, fields)).sort();
}

for (let i = Number(firstArg ?? 0); i < cases.cases.length; i++) {
  const c = cases.cases[i]!;
  const source = path.join(cases.corpus, c.table);
  if (!expected.has(c.table)) expected.set(c.table, await rowsOf(source));
  const dir = await tempDir('dlts-corrupt-');
  const uri = path.join(dir, c.table);
  let line: Record<string, unknown>;
  try {
    await cp(source, uri, { recursive: true });
    const target = path.join(uri, c.file);
    const bytes = new Uint8Array(await readFile(target));
    for (const [at, mask] of c.flips) bytes[at]! ^= mask;
    await unlink(target); // the copy keeps the corpus's read-only mode
    await writeFile(target, bytes);
    const rows = await rowsOf(uri);
    const want = expected.get(c.table)!;
    line = { outcome: rows.length === want.length && rows.every((r, k) => r === want[k]) ? 'same' : 'different' };
  } catch (err) {
    line = isDeltaError(err)
      ? { outcome: 'delta', code: err.code, message: err.message, hint: err.hint }
      : { outcome: 'other', name: err instanceof Error ? err.name : typeof err, message: err instanceof Error ? err.stack : String(err) };
  }
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ i, ...line, traps: wasmInstancesReplaced() })}\n`);
}
