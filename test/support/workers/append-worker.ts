// A separate OS process that appends rows to one table and acknowledges each commit on stdout:
//   node append-worker.js <uri> <writerId> <appends>  ->  "ack <id> <version>" per committed append
import { writeDeltaTable } from '../../../src/index.js';
import { idBatch } from '../temp.js';

const [uri, writer, count] = process.argv.slice(2);
const w = Number(writer);
for (let i = 0; i < Number(count); i++) {
  const id = w * 100_000 + i;
  const { version } = await writeDeltaTable(uri!, idBatch([id], `w${w}`), { mode: 'append' });
  process.stdout.write(`ack ${id} ${version}\n`);
}
