// A separate OS process running the bronze -> gold streaming job with a checkpoint location.
// It exits once gold has counted `totalEvents`; killed at any point and restarted, it resumes
// from its last committed batch. Exits 3 if a batch ever holds more than maxFilesPerTrigger files.
// Each run appends to <journal> (synchronously, so a SIGKILL loses nothing written):
//   run <last batch id committed in the checkpoint location, -1 for none>
//   deliver <batchId> <startOffset JSON> <endOffset JSON>
//   commit <batchId>
//   node stream-aggregator.js <bronzeUri> <goldUri> <checkpointDir> <totalEvents> <maxFilesPerTrigger> <journal>
import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DeltaTable } from '../../../src/index.js';
import { foldIntoGold } from '../../../examples/device-windows.js';

const [bronzeUri, goldUri, checkpoint, totalArg, maxFilesArg, journal] = process.argv.slice(2);
const total = Number(totalArg);
const maxFiles = Number(maxFilesArg);
const note = (line: string): void => appendFileSync(journal!, `${line}\n`);
async function goldEvents(): Promise<number> {
  try {
    const events = (await (await DeltaTable.open(goldUri!)).toArrow({ columns: ['events'] })).getChild('events')!;
    return [...events].reduce((a: number, b) => a + Number(b), 0);
  } catch {
    return 0; // no gold table yet
  }
}
/** The highest committed batch id in the checkpoint location (its documented layout: commits/<id>). */
function lastCommittedInCheckpoint(): number {
  try {
    return Math.max(-1, ...readdirSync(path.join(checkpoint!, 'commits')).filter((n) => /^\d+$/.test(n)).map(Number));
  } catch {
    return -1; // no commits directory yet
  }
}
note(`run ${lastCommittedInCheckpoint()}`);
if (await goldEvents() >= total) {
  process.stdout.write('done\n');
  process.exit(0);
}
const gold = DeltaTable.writeStream(goldUri!, { appId: 'aggregator', outputMode: 'complete' });
const reader = DeltaTable.readStream(bronzeUri!, { checkpointLocation: checkpoint!, maxFilesPerTrigger: maxFiles, pollIntervalMs: 20 });
for await (const batch of reader) {
  note(`deliver ${batch.batchId} ${JSON.stringify(batch.startOffset)} ${JSON.stringify(batch.endOffset)}`);
  if (batch.numFiles > maxFiles) {
    process.stderr.write(`batch ${batch.batchId} has ${batch.numFiles} files > maxFilesPerTrigger ${maxFiles}\n`);
    process.exit(3);
  }
  const out = await foldIntoGold(goldUri!, gold, batch);
  await reader.commit(batch);
  note(`commit ${batch.batchId}`);
  process.stdout.write(`batch ${batch.batchId} files=${batch.numFiles} skipped=${out.skipped} events=${out.events}\n`);
  if (out.events >= total) break;
}
process.stdout.write('done\n');
