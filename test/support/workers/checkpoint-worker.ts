// A separate OS process that writes checkpoints of one table over and over, until killed:
//   node checkpoint-worker.js <uri>  ->  "checkpoint <version>" after each one
import { writeCheckpoint } from '../../../src/ops/write/checkpoint.js';
import { LocalStore } from '../../../src/storage/local-store.js';

const store = new LocalStore(process.argv[2]!);
for (;;) {
  const { version } = await writeCheckpoint(store);
  process.stdout.write(`checkpoint ${version}\n`);
}
