// A separate OS process that deletes rows of one table one id at a time and acknowledges each
// commit on stdout; a COMMIT_CONFLICT (e.g. an OPTIMIZE removed the file it read) is retried on
// the new version:
//   node delete-worker.js <uri> <firstId> <count>  ->  "deleted <id> <version> <attempts>" per id
import { DeltaTable, isDeltaError } from '../../../src/index.js';

const [uri, first, count] = process.argv.slice(2) as [string, string, string];
for (let id = Number(first); id < Number(first) + Number(count); id++) {
  for (let attempt = 1; ; attempt++) {
    try {
      const { version } = await (await DeltaTable.open(uri)).delete(`id = ${id}`);
      process.stdout.write(`deleted ${id} ${version} ${attempt}\n`);
      break;
    } catch (err) {
      if (!isDeltaError(err, 'COMMIT_CONFLICT') || attempt >= 50) throw err;
    }
  }
}
