// A separate OS process that reads a table whose commit 1 is one line of about `mb` megabytes:
//   node huge-commit-worker.js <dir> <mb>  ->  one JSON line {"outcome", "rows", "maxRssMb", "baseRssMb"}
// The huge line is a commitInfo with a long userMetadata string (any engine may write one).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeltaTable, isDeltaError, writeDeltaTable } from '../../../src/index.js';
import { idBatch } from '../temp.js';

const [dir, mbArg] = process.argv.slice(2);
const uri = path.join(dir!, 't');
await writeDeltaTable(uri, idBatch([1, 2, 3]), { mode: 'append' });
const baseRssMb = process.resourceUsage().maxRSS / 1024;
const filler = 'x'.repeat(Number(mbArg) * 1024 * 1024);
await writeFile(path.join(uri, '_delta_log', '00000000000000000001.json'), `{"commitInfo":{"timestamp":1,"operation":"WRITE","userMetadata":"${filler}"}}\n`);
let line: Record<string, unknown>;
try {
  const table = await DeltaTable.open(uri);
  const rows = (await table.toArrow()).numRows;
  const history = await table.history();
  line = { outcome: 'read', rows, version: table.version, historyEntries: history.length };
} catch (err) {
  line = isDeltaError(err) ? { outcome: 'delta', code: err.code, message: err.message.slice(0, 200) } : { outcome: 'other', message: String(err).slice(0, 500) };
}
process.stdout.write(`${JSON.stringify({ ...line, baseRssMb: Math.round(baseRssMb), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
