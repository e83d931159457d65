// A separate OS process running a list of operations (appends, overwrites, DELETE, UPDATE, MERGE)
// on one table, retrying each on a commit conflict with a fresh snapshot:
//   node dml-worker.js <uri> <writerId> <ops JSON>
// prints "ack <opIndex> <version>" per commit, "noop <opIndex>" when the op changed no row, and
// "conflict <opIndex> <readVersion> <message>" per conflict it lost.
import { DeltaError, DeltaTable } from '../../../src/index.js';
import { runOp, type Op } from '../concurrent-ops.js';

const [uri, writer, opsJson] = process.argv.slice(2);
const ops = JSON.parse(opsJson!) as Op[];
for (const [i, op] of ops.entries()) {
  for (let attempt = 0; ; attempt++) {
    const snap = (await DeltaTable.open(uri!)).snapshot;
    try {
      const version = await runOp(snap, op, `w${writer}`);
      process.stdout.write(version === undefined ? `noop ${i}\n` : `ack ${i} ${version}\n`);
      break;
    } catch (e) {
      if (!(e instanceof DeltaError) || e.code !== 'COMMIT_CONFLICT' || attempt >= 50) throw e;
      process.stdout.write(`conflict ${i} ${snap.version} ${e.message.replace(/\n/g, ' ')}\n`);
    }
  }
}
