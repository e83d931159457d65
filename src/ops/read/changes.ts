import { Field, makeData, RecordBatch, Schema, Struct, Table, TimestampMicrosecond, Int64, Utf8, type Data } from 'apache-arrow';
import { invalidArgument, unsupportedFeature } from '../../errors.js';
import { listCommits } from '../../log/list-log.js';
import { readCommits } from '../../log/read-commit.js';
import type { Action, AddAction, DeletionVectorDescriptor, Version } from '../../protocol/actions.js';
import { commitInfoOf } from '../../snapshot/replay.js';
import { logPathKey } from '../../protocol/path-gate.js';
import { resolveDataPath } from '../../snapshot/data-paths.js';
import type { ActiveFile, Snapshot } from '../../snapshot/snapshot.js';
import { checkChangeDataRecorded } from './change-data-range.js';
import { CHANGE_TYPE } from '../../protocol/change-data.js';
import { constantData } from './constant-column.js';
import { loadDeletedRows } from './deletion-vectors.js';
import { planReadColumns, readDataFile } from './read-data-file.js';

export interface ChangesOptions {
  startingVersion: Version;
  /** @defaultValue the snapshot's version */
  endingVersion?: Version;
}


/**
 * Change Data Feed (PROTOCOL.md "Change Data Files"): refused (INVALID_ARGUMENT) unless every
 * version of the range had delta.enableChangeDataFeed=true in its metadata; per version, the `cdc` files when the
 * commit has any; otherwise added rows as `insert` and removed rows as `delete`. A deletion
 * vector update (remove + add of one path) yields exactly the rows whose DV membership changed.
 * Rows carry `_change_type`, `_commit_version` and `_commit_timestamp`.
 */
export async function readChanges(snapshot: Snapshot, opts: ChangesOptions): Promise<Table> {
  const end = opts.endingVersion ?? snapshot.version;
  if (!Number.isSafeInteger(opts.startingVersion) || opts.startingVersion < 0 || end < opts.startingVersion || end > snapshot.version) {
    throw invalidArgument(`change range ${opts.startingVersion}..${end} is not within 0..${snapshot.version}`, `ask for startingVersion <= endingVersion, both between 0 and ${snapshot.version}`);
  }
  return readChangeRange(snapshot, opts.startingVersion, end);
}

/** The Arrow schema of change rows: the table's columns plus the three change columns. */
export function changeSchema(snapshot: Snapshot): Schema {
  return new Schema([
    ...planReadColumns(snapshot, [...snapshot.schema.fields]).schema.fields,
    new Field('_change_type', new Utf8(), true),
    new Field('_commit_version', new Int64(), true),
    new Field('_commit_timestamp', new TimestampMicrosecond('UTC'), true),
  ]);
}

/**
 * Change rows of versions start..end, read with `snapshot`'s schema. The versions may be newer
 * than the snapshot (a streaming source reads with the schema it started with).
 */
export async function readChangeRange(snapshot: Snapshot, start: Version, end: Version): Promise<Table> {
  const opts = { startingVersion: start };
  const commitFiles = new Map((await listCommits(snapshot.store, opts.startingVersion)).map((c) => [c.version, c.file]));
  const dataFields = [...snapshot.schema.fields];
  const withChangeType = planReadColumns(snapshot, [...dataFields, CHANGE_TYPE]);
  const plain = planReadColumns(snapshot, dataFields);
  const outSchema = changeSchema(snapshot);
  const batches: RecordBatch[] = [];
  const versions: Version[] = [];
  for (let v = opts.startingVersion; v <= end; v++) {
    if (!commitFiles.has(v)) throw invalidArgument(`commit ${v} is no longer in the log`, 'log cleanup removed it; read changes from a later version');
    versions.push(v);
  }
  const read = await readCommits(snapshot.store, versions);
  const commits = new Map(versions.map((v, i) => [v, read[i]!]));
  await checkChangeDataRecorded(snapshot, start, end, commits);
  for (let v = opts.startingVersion; v <= end; v++) {
    const file = commitFiles.get(v)!;
    const actions = commits.get(v)!;
    const timestampMs = commitInfoOf(actions)?.inCommitTimestamp ?? file.lastModifiedMs;
    const emit = (b: RecordBatch, changeType: string | undefined): void => {
      const n = b.numRows;
      const cols: Data[] = plain.fields.map((_, i) => b.getChildAt(i)!.data[0]!);
      cols.push(changeType === undefined ? b.getChildAt(plain.fields.length)!.data[0]! : constantData(new Utf8(), changeType, n));
      cols.push(constantData(new Int64(), BigInt(v), n));
      cols.push(constantData(new TimestampMicrosecond('UTC'), BigInt(Math.round(timestampMs)) * 1000n, n));
      batches.push(new RecordBatch(outSchema, makeData({ type: new Struct(outSchema.fields), length: n, nullCount: 0, children: cols })));
    };
    const cdcs = actions.flatMap((a) => ('cdc' in a ? [a.cdc] : []));
    if (cdcs.length > 0) {
      for (const cdc of cdcs) {
        const f = asFile(snapshot, { path: cdc.path, partitionValues: cdc.partitionValues, size: cdc.size, modificationTime: 0, dataChange: false });
        for await (const b of readDataFile(snapshot, f, withChangeType)) emit(b, undefined);
      }
      continue;
    }
    for (const change of fileChanges(actions, (p) => logPathKey(p, snapshot.store.rootUri))) {
      const f = asFile(snapshot, change.file);
      const [oldDeleted, newDeleted] = await Promise.all([
        deletedSet(snapshot, change.removedDv, f.path), deletedSet(snapshot, change.addedDv, f.path),
      ]);
      if (change.kind === 'insert') {
        for await (const b of readDataFile(snapshot, f, plain, (i) => !newDeleted.has(i))) emit(b, 'insert');
      } else if (change.kind === 'delete') {
        for await (const b of readDataFile(snapshot, f, plain, (i) => !oldDeleted.has(i))) emit(b, 'delete');
      } else {
        // DV update: rows newly deleted are deletes, rows no longer deleted are inserts.
        for await (const b of readDataFile(snapshot, f, plain, (i) => newDeleted.has(i) && !oldDeleted.has(i))) emit(b, 'delete');
        for await (const b of readDataFile(snapshot, f, plain, (i) => oldDeleted.has(i) && !newDeleted.has(i))) emit(b, 'insert');
      }
    }
  }
  return batches.length > 0 ? new Table(batches) : new Table(outSchema);
}

interface FileChange {
  kind: 'insert' | 'delete' | 'dv-update';
  file: AddAction;
  removedDv: DeletionVectorDescriptor | undefined;
  addedDv: DeletionVectorDescriptor | undefined;
}

/** Data-changing adds and removes of one commit, paired by path identity (decoded, resolved: `key`). */
function fileChanges(actions: Action[], key: (path: string) => string): FileChange[] {
  const removes = new Map<string, Extract<Action, { remove: unknown }>['remove']>();
  for (const a of actions) if ('remove' in a && a.remove.dataChange) removes.set(key(a.remove.path), a.remove);
  const out: FileChange[] = [];
  for (const a of actions) {
    if (!('add' in a) || !a.add.dataChange) continue;
    const r = removes.get(key(a.add.path));
    if (r) {
      removes.delete(key(a.add.path));
      out.push({ kind: 'dv-update', file: a.add, removedDv: r.deletionVector, addedDv: a.add.deletionVector });
    } else {
      out.push({ kind: 'insert', file: a.add, removedDv: undefined, addedDv: a.add.deletionVector });
    }
  }
  for (const r of removes.values()) {
    if (r.size === undefined && r.extendedFileMetadata !== true) {
      throw unsupportedFeature(`remove of ${r.path} lacks extended file metadata, so its rows cannot be reported as deletes`);
    }
    out.push({
      kind: 'delete',
      file: { path: r.path, partitionValues: r.partitionValues ?? {}, size: r.size ?? 0, modificationTime: 0, dataChange: true },
      removedDv: r.deletionVector,
      addedDv: undefined,
    });
  }
  return out;
}

function asFile(snapshot: Snapshot, add: AddAction): ActiveFile {
  return { path: resolveDataPath(add.path, snapshot.store.rootUri), add };
}

async function deletedSet(snapshot: Snapshot, dv: DeletionVectorDescriptor | undefined, path: string): Promise<Set<number>> {
  if (!dv) return new Set();
  return new Set(await loadDeletedRows(snapshot.store, dv, path));
}
