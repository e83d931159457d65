// A separate OS process that runs one maintenance operation on a table over and over, until
// killed, and acknowledges each completed one on stdout:
//   node maintenance-worker.js <uri> checkpoint  ->  "checkpoint <version>"
//   node maintenance-worker.js <uri> cleanup     ->  "cleanup <checkpoint version> <files deleted>"
//   node maintenance-worker.js <uri> vacuum      ->  "vacuum <files deleted>"
//   node maintenance-worker.js <uri> restore     ->  "restore <target> <new version>"
import { DeltaTable } from '../../../src/index.js';
import { writeCheckpoint } from '../../../src/ops/write/checkpoint.js';
import { cleanupExpiredLogs } from '../../../src/ops/write/log-cleanup.js';
import { LocalStore } from '../../../src/storage/local-store.js';

const [uri, op] = process.argv.slice(2) as [string, string];
const store = new LocalStore(uri);
let round = 0;
for (;;) {
  round++;
  if (op === 'checkpoint') {
    const { version } = await writeCheckpoint(store);
    process.stdout.write(`checkpoint ${version}\n`);
  } else if (op === 'cleanup') {
    const { version } = await writeCheckpoint(store);
    // Zero retention: everything below the newest checkpoint is expired.
    const { deleted } = await cleanupExpiredLogs(store, { 'delta.logRetentionDuration': 'interval 0 seconds' });
    process.stdout.write(`cleanup ${version} ${deleted.length}\n`);
  } else if (op === 'vacuum') {
    // Files the setup removed are two hours old; one hour of retention keeps every file a
    // concurrent writer is still about to commit.
    const { files } = await (await DeltaTable.open(uri)).vacuum({ retentionHours: 1, dryRun: false, enforceRetention: false });
    process.stdout.write(`vacuum ${files.length}\n`);
  } else if (op === 'restore') {
    const latest = await DeltaTable.open(uri);
    const target = (round * 7) % latest.version;
    const { version } = await latest.restore({ version: target });
    process.stdout.write(`restore ${target} ${version}\n`);
  } else {
    throw new Error(`unknown operation ${op}`);
  }
}
