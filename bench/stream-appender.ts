// Child process for bench/stream.ts: appends `count` one-row commits, `gapMs` apart (jittered).
//   node stream-appender.js <uri> <count> <gapMs>
import { writeDeltaTable } from '../src/index.js';
import { idBatch } from '../test/support/temp.js';

const [uri, count, gap] = process.argv.slice(2);
for (let i = 0; i < Number(count); i++) {
  await new Promise((r) => setTimeout(r, Number(gap) * (0.5 + Math.random())));
  await writeDeltaTable(uri!, idBatch([i]), { mode: 'append' });
}
