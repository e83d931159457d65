// `node dist/bench/vacuum.js [files]`: vacuum plan and delete throughput on a table with many
// unreferenced files (default 100k), next to a plain recursive listing of the same folder.
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeltaTable, writeDeltaTable } from '../src/index.js';
import { idBatch, tempDir } from '../test/support/temp.js';

const count = Number(process.argv[2] ?? 100_000);
const uri = await tempDir('dlts-bench-vacuum-');
await writeDeltaTable(uri, idBatch([1]));
const old = (Date.now() - 30 * 86_400_000) / 1000;
for (let d = 0; d < count / 1000; d++) {
  const dir = path.join(uri, `p=${d}`);
  await mkdir(dir, { recursive: true });
  await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
    const f = path.join(dir, `part-${i}.parquet`);
    await writeFile(f, 'x');
    await utimes(f, old, old);
  }));
}
let t0 = performance.now();
const listed = (await readdir(uri, { recursive: true })).length;
const listMs = performance.now() - t0;
const table = await DeltaTable.open(uri);
t0 = performance.now();
const plan = await table.vacuum();
const planMs = performance.now() - t0;
t0 = performance.now();
const done = await table.vacuum({ dryRun: false });
const deleteMs = performance.now() - t0;
const rate = (n: number, ms: number): string => Math.round(n / (ms / 1000)).toLocaleString('en-US');
console.log(`vacuum ${count.toLocaleString('en-US')} orphan files: plan ${rate(plan.files.length, planMs)} files/s (${planMs.toFixed(0)} ms), delete ${rate(done.files.length, deleteMs)} files/s (${deleteMs.toFixed(0)} ms); plain recursive readdir ${rate(listed, listMs)} entries/s (${listMs.toFixed(0)} ms); plan/listing ratio ${(listMs / planMs).toFixed(2)}`);
console.log(`table still reads: ${(await (await DeltaTable.open(uri)).toArrow()).numRows} row(s)`);
