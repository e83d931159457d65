import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { Int64, Utf8 } from 'apache-arrow';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { startWorker } from '../support/processes.js';
import { idBatch, tempDir } from '../support/temp.js';
import { assertEnginesReadOurVersions, sortedKeys, startEngines, type Engines } from '../support/interop-engines.js';

/*
 * Commits beside each other: two of our writer processes and a delta-rs writer append to one
 * local table at the same time. Versions stay contiguous, every acknowledged commit is in the log
 * exactly once, and Spark, delta-rs and we read the same final table.
 */

let engines: Engines;
before(async () => { engines = await startEngines(); }, { timeout: 900_000 });
after(async () => { await engines.close(); });

const OUR_WRITERS = 2;
const OUR_APPENDS = 8;
const RS_APPENDS = 8;

test('our writer processes and a delta-rs writer appending to one table: contiguous versions, every acknowledged commit once, one final table', { timeout: 900_000 }, async () => {
  const uri = await tempDir('dlts-beside-');
  await writeDeltaTable(uri, idBatch([-1], 'seed'));
  // delta-rs appends from the engines process while our workers run.
  const ours = [...Array(OUR_WRITERS).keys()].map((w) => startWorker('append-worker', [uri, String(w + 1), String(OUR_APPENDS)]));
  // Start delta-rs once our writers are committing, so that the commits interleave.
  while (!ours.some((w) => w.lines.length > 0)) await new Promise((r) => setTimeout(r, 20));
  const rsAcks = engines.run<Array<[number, number]>>(`
from deltalake import write_deltalake
acks = []
for i in range(args["n"]):
    id = 900000 + i
    write_deltalake(args["path"], pa.table({"id": pa.array([id], pa.int64()), "label": pa.array(["rs"])}), mode="append")
    acks.append([id, deltalake.DeltaTable(args["path"]).version()])
result = acks
`, { path: uri, n: RS_APPENDS });
  const results = await Promise.all(ours.map((w) => w.done));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const rsAcked = await rsAcks;
  const ourAcks = ours.flatMap((w) => w.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' ').slice(1).map(Number) as [number, number]));
  assert.equal(ourAcks.length, OUR_WRITERS * OUR_APPENDS);
  assert.equal(rsAcked.length, RS_APPENDS);

  const total = 1 + OUR_WRITERS * OUR_APPENDS + RS_APPENDS;
  const commits = (await readdir(`${uri}/_delta_log`)).filter((n) => /^\d{20}\.json$/.test(n)).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
  assert.deepEqual(commits, [...Array(total).keys()], 'versions are contiguous from 0');
  // Each version's commit is by one engine: 8 by delta-rs, the rest ours.
  const engineOf = await Promise.all(commits.map(async (v) => {
    const line = (await readFile(`${uri}/_delta_log/${String(v).padStart(20, '0')}.json`, 'utf8')).split('\n')[0]!;
    return (JSON.parse(line) as { commitInfo: { engineInfo: string } }).commitInfo.engineInfo.startsWith('delta-rs') ? 'rs' : 'ours';
  }));
  assert.equal(engineOf.filter((e) => e === 'rs').length, RS_APPENDS);
  assert.equal(engineOf.filter((e) => e === 'ours').length, 1 + OUR_WRITERS * OUR_APPENDS);
  const switches = engineOf.filter((e, i) => i > 0 && e !== engineOf[i - 1]).length;
  console.log(`commits by engine in version order: ${engineOf.map((e) => (e === 'rs' ? 'R' : 'o')).join('')} (${switches} switches)`);
  // Our acknowledgements name distinct versions; each id is in the table exactly once.
  assert.equal(new Set(ourAcks.map(([, v]) => v)).size, ourAcks.length);
  const table = await DeltaTable.open(uri);
  assert.equal(table.version, total - 1);
  const ids = [...(await table.toArrow()).getChild('id')!.toArray()].map(Number).sort((a, b) => a - b);
  const expected = [-1, ...ourAcks.map(([id]) => id), ...rsAcked.map(([id]) => id)].sort((a, b) => a - b);
  assert.deepEqual(ids, expected);
  // Every version has one commit adding one file; Spark and delta-rs read the final table as we do.
  const history = await table.history();
  assert.equal(history.length, total);
  assert.equal(await assertEnginesReadOurVersions(engines, uri, 'beside', { versions: [total - 1] }), 1);
  const fields = [{ name: 'id', type: new Int64() }, { name: 'label', type: new Utf8() }];
  assert.equal(sortedKeys(await engines.sparkRead(uri), fields).length, total);
});
