import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { DataType, Table } from 'apache-arrow';
import { DeltaTable } from '../../src/index.js';
import { canonicalKey, canonicalRows } from './canonical.js';
import { repoRoot } from './paths.js';

/*
 * The other engines of the cross-engine suite: one Python process (test/interop/engines.py)
 * holding a SparkSession with Delta Lake and the delta-rs package, started once per test file.
 * Requests and replies are JSON lines; rows come back in canonical.ts's encoding.
 */

export type Row = Record<string, unknown>;

export interface ReadAt { version?: number; timestamp?: string }

export interface Engines {
  /** Spark: `spark.read.format("delta")` (with versionAsOf / timestampAsOf). */
  sparkRead(uri: string, at?: ReadAt): Promise<Row[]>;
  /** Spark's change feed (readChangeFeed), without _commit_timestamp. */
  sparkChanges(uri: string, start: number, end?: number): Promise<Row[]>;
  sparkHistory(uri: string): Promise<Array<{ version: number; operation: string; timestampMs: number }>>;
  sparkDetail(uri: string): Promise<Record<string, unknown>>;
  /** Runs one Spark SQL statement; its rows as JSON values. */
  sparkSql(sql: string): Promise<Row[]>;
  /** delta-rs: `DeltaTable(uri).to_pyarrow_table()` at a version. */
  rsRead(uri: string, at?: { version?: number }): Promise<Row[]>;
  /** delta-rs `load_cdf`. */
  rsChanges(uri: string, start: number, end?: number): Promise<Row[]>;
  rsHistory(uri: string): Promise<{ history: Array<{ version: number; operation: string }>; version: number }>;
  /** Runs a Python snippet (names: spark() the session, deltalake, pa, dt, decimal, args); returns `result`. */
  run<T = unknown>(code: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

const python = path.join(repoRoot, '.interop', 'venv', 'bin', 'python');

/**
 * The engines of this test file. Under scripts/run-interop.mjs, a connection to the run's one
 * engines process (INTEROP_ENGINES_SOCKET: one warmed-up Spark session for every file); run alone
 * (`node --test dist/test/interop/x.test.js`), a process of its own. `.interop/` must exist
 * (scripts/interop-setup.sh, which `npm run test:interop` runs).
 */
export async function startEngines(opts: { startSpark?: boolean } = {}): Promise<Engines> {
  const socketPath = process.env['INTEROP_ENGINES_SOCKET'];
  let client: EngineClient;
  if (socketPath) {
    const socket = createConnection(socketPath);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    client = new EngineClient(socket, socket, () => `(the run's engines process; its log is ${process.env['INTEROP_ENGINES_LOG'] ?? 'on its stderr'})`);
  } else {
    if (!existsSync(python)) throw new Error(`no ${python}: run scripts/interop-setup.sh (npm run test:interop does)`);
    const child = spawn(python, [path.join(repoRoot, 'test', 'interop', 'engines.py')], {
      cwd: repoRoot, env: { ...process.env, INTEROP_DIR: path.join(repoRoot, '.interop'), SPARK_LOCAL_IP: '127.0.0.1' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Spark is chatty on stderr: keep the tail for error messages only.
    let stderrTail = '';
    child.stderr.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-4000)));
    client = new EngineClient(child.stdout, child.stdin, () => `stderr:\n${stderrTail}`);
  }
  // Start (or reach) the Spark session now, so that the first test does not pay for it.
  if (opts.startSpark ?? true) await client.run('spark().range(1).count()');
  return client;
}

/** Requests as JSON lines on `requests`, replies as JSON lines on `replies` (a child's pipes, or one socket). */
class EngineClient implements Engines {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Error | undefined;
  private readonly closed: Promise<void>;

  constructor(replies: Readable, private readonly requests: Writable, diagnostics: () => string) {
    this.closed = new Promise<void>((resolve) => replies.once('close', () => resolve()));
    let buf = '';
    // Decode as a stream: a reply's multi-byte character may straddle two chunks.
    replies.setEncoding('utf8');
    replies.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) if (line.trim() !== '') this.onReply(line);
    });
    replies.on('error', () => { /* reported by 'close' below */ });
    replies.on('close', () => {
      this.exited = new Error(`engines connection closed; ${diagnostics()}`);
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    });
  }

  private onReply(line: string): void {
    const reply = JSON.parse(line) as { id: number; ok: boolean; result?: unknown; error?: string; trace?: string };
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(`engine: ${reply.error}\n${reply.trace ?? ''}`));
  }

  private call<T>(op: string, req: Record<string, unknown> = {}): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.requests.write(JSON.stringify({ ...req, id, op }) + '\n');
    });
  }

  async sparkRead(uri: string, at: ReadAt = {}): Promise<Row[]> {
    return (await this.call<{ rows: Row[] }>('spark.read', { path: uri, ...at })).rows;
  }
  async sparkChanges(uri: string, start: number, end?: number): Promise<Row[]> {
    return (await this.call<{ rows: Row[] }>('spark.changes', { path: uri, start, ...(end === undefined ? {} : { end }) })).rows;
  }
  async sparkHistory(uri: string): Promise<Array<{ version: number; operation: string; timestampMs: number }>> {
    return (await this.call<{ history: Array<{ version: number; operation: string; timestampMs: number }> }>('spark.history', { path: uri })).history;
  }
  async sparkDetail(uri: string): Promise<Record<string, unknown>> {
    return (await this.call<{ detail: Record<string, unknown> }>('spark.detail', { path: uri })).detail;
  }
  async sparkSql(sql: string): Promise<Row[]> {
    return (await this.call<{ rows: Row[] }>('spark.sql', { sql })).rows;
  }
  async rsRead(uri: string, at: { version?: number } = {}): Promise<Row[]> {
    return (await this.call<{ rows: Row[] }>('rs.read', { path: uri, ...at })).rows;
  }
  async rsChanges(uri: string, start: number, end?: number): Promise<Row[]> {
    return (await this.call<{ rows: Row[] }>('rs.changes', { path: uri, start, ...(end === undefined ? {} : { end }) })).rows;
  }
  async rsHistory(uri: string): Promise<{ history: Array<{ version: number; operation: string }>; version: number }> {
    return this.call('rs.history', { path: uri });
  }
  async run<T = unknown>(code: string, args: Record<string, unknown> = {}): Promise<T> {
    return (await this.call<{ result: T }>('run', { code, args })).result;
  }
  async close(): Promise<void> {
    reportTally();
    if (this.exited) return;
    this.requests.end(); // the other side answers what is pending, then closes
    await this.closed;
  }
}

/** Rows as sorted canonical keys, so two engines' answers compare with deepEqual. */
export function sortedKeys(rows: Row[], fields: ReadonlyArray<{ name: string; type: DataType }>): string[] {
  return rows.map((r) => canonicalKey(r, fields)).sort();
}

/** Our rows of `uri` at `version` (latest when absent), canonical and sorted, with the fields used. */
export async function ourRows(uri: string, version?: number): Promise<{ keys: string[]; table: Table; fields: Array<{ name: string; type: DataType }> }> {
  const t = await DeltaTable.open(uri, version === undefined ? {} : { version });
  const table = await t.toArrow();
  const fields = table.schema.fields.map((f) => ({ name: f.name, type: f.type as DataType }));
  return { keys: sortedKeys(canonicalRows(table), fields), table, fields };
}

/** Our change rows for [start, end], canonical and sorted, without _commit_timestamp. */
export async function ourChanges(uri: string, start: number, end?: number): Promise<{ keys: string[]; fields: Array<{ name: string; type: DataType }> }> {
  const t = await DeltaTable.open(uri);
  const table = await t.changes(end === undefined ? { startingVersion: start } : { startingVersion: start, endingVersion: end });
  const fields = table.schema.fields.filter((f) => f.name !== '_commit_timestamp').map((f) => ({ name: f.name, type: f.type as DataType }));
  const rows = canonicalRows(table).map((r) => {
    const { _commit_timestamp: _drop, ...rest } = r;
    return { ...rest, _commit_version: Number(rest['_commit_version']) };
  });
  return { keys: sortedKeys(rows, fields), fields };
}

/** delta-rs 1.6.6 parses a negative decimal partition value `-1.50` as `-1.-50` (spec/interop.md). */
export const RS_NEGATIVE_DECIMAL_PARTITION_BUG = /is not a valid decimal128 number/;

/** delta-rs 1.6.6 refuses tables with deletion vectors (reader feature deletionVectors). */
export const RS_REFUSES_DELETION_VECTORS = /reader features: \{'deletionVectors'\} but these are not yet supported/;

/** delta-rs 1.6.6 refuses tables with V2 checkpoints (reader feature v2Checkpoint). */
export const RS_REFUSES_V2_CHECKPOINTS = /reader features: \{'v2Checkpoint'\} but these are not yet supported/;

export interface CompareOptions {
  /** Versions to compare (default: every version from 0 to the latest). */
  versions?: number[];
  /** Skip delta-rs (a feature it cannot read, recorded in spec/interop.md). */
  skipRs?: boolean;
  /** delta-rs's read fails with this (a bug of it, or a feature it refuses: spec/interop.md); the test notices a fix. */
  rsFails?: RegExp;
}

/**
 * What this test file compared (through assertEnginesReadOurVersions), printed when its engines
 * close: the counts spec/interop.md reports come from these lines, not from reading the tests.
 */
const tally = {
  tables: new Set<string>(), rsTables: new Set<string>(), rsFailingTables: new Set<string>(), rsSkippedTables: new Set<string>(),
  sparkVersions: 0, rsVersions: 0, rsFailingVersions: 0,
};

function reportTally(): void {
  const t = tally;
  console.log(`interop tally: ${t.tables.size} tables, ${t.sparkVersions} versions read by Spark; delta-rs: ${t.rsTables.size} tables `
    + `${t.rsVersions} versions read exactly, ${t.rsFailingTables.size} tables ${t.rsFailingVersions} versions failing as recorded, `
    + `${t.rsSkippedTables.size} tables skipped (column mapping)`);
}

/** Spark and delta-rs read exactly our rows of `uri` at each version; returns how many versions were compared. */
export async function assertEnginesReadOurVersions(engines: Engines, uri: string, label: string, opts: CompareOptions = {}): Promise<number> {
  const latest = (await DeltaTable.open(uri)).version;
  const versions = opts.versions ?? [...Array(latest + 1).keys()];
  tally.tables.add(uri);
  if (opts.rsFails) tally.rsFailingTables.add(uri);
  else if (opts.skipRs) tally.rsSkippedTables.add(uri);
  else tally.rsTables.add(uri);
  for (const v of versions) {
    const ours = await ourRows(uri, v);
    assert.deepEqual(sortedKeys(await engines.sparkRead(uri, { version: v }), ours.fields), ours.keys, `${label}: Spark at v${v}`);
    if (opts.rsFails) await assert.rejects(engines.rsRead(uri, { version: v }), opts.rsFails, `${label}: delta-rs's known bug at v${v}`);
    else if (!opts.skipRs) assert.deepEqual(sortedKeys(await engines.rsRead(uri, { version: v }), ours.fields), ours.keys, `${label}: delta-rs at v${v}`);
    tally.sparkVersions++;
    if (opts.rsFails) tally.rsFailingVersions++;
    else if (!opts.skipRs) tally.rsVersions++;
  }
  return versions.length;
}

/** Spark's DESCRIBE HISTORY and delta-rs's history list the same versions and operations as ours. */
export async function assertSameHistory(engines: Engines, uri: string, label: string, opts: { skipRs?: boolean } = {}): Promise<void> {
  const ours = await (await DeltaTable.open(uri)).history();
  const spark = await engines.sparkHistory(uri);
  assert.deepEqual(spark.map((h) => [h.version, h.operation]), ours.map((h) => [h.version, h.operation]), `${label}: Spark's history`);
  if (opts.skipRs) return;
  const rs = await engines.rsHistory(uri);
  assert.equal(rs.version, ours[0]!.version, `${label}: delta-rs's version`);
  assert.deepEqual(rs.history.map((h) => [h.version, h.operation]), ours.map((h) => [h.version, h.operation]), `${label}: delta-rs's history`);
}
