// A separate OS process that writes micro-batches through the stream sink and ends without
// flush(): node sink-worker.js <uri> <batches>  ->  "wrote <batchId> <version>" per batch
import { DeltaTable } from '../../../src/index.js';
import { idBatch } from '../temp.js';

const [uri, count] = process.argv.slice(2);
const sink = DeltaTable.writeStream(uri!, { appId: 'child' });
for (let b = 0; b < Number(count); b++) {
  const { version } = await sink.write(b, idBatch([b]));
  process.stdout.write(`wrote ${b} ${version}\n`);
}
