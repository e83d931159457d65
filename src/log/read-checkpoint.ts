import type { Data, RecordBatch } from 'apache-arrow';
import { corruptLog, fileNotFound, isDeltaError } from '../errors.js';
import { mayHoldValues, type RowGroupInfo } from '../format/parquet-footer.js';
import { readParquetRanged, type ByteSource } from '../format/parquet-ranged.js';
import type { Action, AddAction, RemoveAction } from '../protocol/actions.js';
import { parseAction, parseCommitText } from '../protocol/action-codec.js';
import { sidecarStorePath } from '../protocol/path-gate.js';
import type { ObjectMeta, ObjectStore } from '../storage/object-store.js';
import { structCellsByRow } from './arrow-rows.js';
import { checkFileRows, fileActionsFromColumn } from './checkpoint-file-actions.js';
import type { CheckpointFiles } from './log-segment.js';

const FILE_COLUMNS = ['add', 'remove'] as const;
const NON_FILE_COLUMNS = ['protocol', 'metaData', 'txn', 'domainMetadata', 'checkpointMetadata', 'sidecar'] as const;
/** A leaf every real action of a column sets: a row group where it is all null holds none. */
const KEY_LEAF: Readonly<Record<string, string>> = {
  add: 'add.path', remove: 'remove.path', protocol: 'protocol.minReaderVersion', metaData: 'metaData.id',
  txn: 'txn.appId', domainMetadata: 'domainMetadata.domain', checkpointMetadata: 'checkpointMetadata.version', sidecar: 'sidecar.path',
};
/** File actions are handed out at most this many rows at a time, so callers hold bounded state. */
const CHUNK_ROWS = 65_536;

/**
 * A run of file actions of one checkpoint: Arrow rows of its `add` or `remove` struct column
 * (null rows included, to be skipped), or parsed actions when the checkpoint file is JSON.
 */
export type FileActionChunk =
  | {
    kind: 'add' | 'remove'; column: Data; where: string;
    /** A batch of checkpoint rows whose every row is an action of this column (rows kept in memory). */
    whole?: RecordBatch;
  }
  | { kind: 'actions'; actions: Array<{ add: AddAction } | { remove: RemoveAction }>; where: string };

/**
 * One checkpoint, read in two phases: its non-file actions (protocol, metaData, txn,
 * domainMetadata, V2 checkpointMetadata/sidecar) without decoding a single file action, then
 * its file actions in bounded chunks, Parquet row group by row group, sidecars one at a time.
 * Classic, multi-part and V2 (UUID-named JSON or Parquet, inline or in sidecars) are all read.
 * Any failure is CORRUPT_LOG naming the file.
 */
export class CheckpointSource {
  private constructor(
    private readonly store: ObjectStore,
    private readonly topLevel: readonly CheckpointFile[],
    /** Non-file actions, in file order. */
    readonly nonFileActions: readonly Action[],
  ) {}

  static async open(store: ObjectStore, checkpoint: CheckpointFiles): Promise<CheckpointSource> {
    const topLevel = await Promise.all(checkpoint.files.map((f) => openCheckpointFile(store, f.path, f)));
    const nonFile: Action[] = [];
    for (const file of topLevel) {
      const actions = file.kind === 'json' ? file.actions : await guardAsync(file.path, () => nonFileActionsOfParquet(file));
      for (const a of actions) if (!isFileAction(a)) nonFile.push(a);
    }
    return new CheckpointSource(store, topLevel, nonFile);
  }

  /** Paths of the sidecar files holding this checkpoint's file actions (V2), relative to the root. */
  get sidecarPaths(): string[] {
    // Sidecar paths are relative to _delta_log/_sidecars/ and must stay in it (PROTOCOL.md
    // "Sidecar File Information"); the path gate decodes and confines them.
    return this.nonFileActions.flatMap((a) => ('sidecar' in a ? [sidecarStorePath(a.sidecar.path, this.store.rootUri)] : []));
  }

  /**
   * The file actions, chunk by chunk; every checkpoint row with an add or a remove is in exactly
   * one chunk. `removes: false` leaves the removes (tombstones) out, undecoded.
   */
  async *fileActionChunks(opts: { removes?: boolean } = {}): AsyncGenerator<FileActionChunk> {
    const kinds = opts.removes === false ? (['add'] as const) : FILE_COLUMNS;
    for (const file of this.topLevel) yield* chunksOf(file, kinds);
    for (const path of this.sidecarPaths) {
      yield* chunksOf(await openCheckpointFile(this.store, path), kinds);
    }
  }
}

/** A checkpoint file: parsed JSON actions, or a Parquet file read by ranges, never whole. */
type CheckpointFile =
  | { kind: 'json'; path: string; actions: Action[] }
  | { kind: 'parquet'; path: string; source: ByteSource };

/**
 * Opens one checkpoint file. Parquet is read by ranges (footer, then the column chunks of the
 * row groups that matter): the non-file actions of a million-file checkpoint sit in a few
 * kilobytes of it, so a table state loads without fetching the rest.
 */
async function openCheckpointFile(store: ObjectStore, path: string, listed?: ObjectMeta): Promise<CheckpointFile> {
  if (isJson(path)) {
    const bytes = await store.get(path);
    return { kind: 'json', path, actions: guard(path, () => parseCommitText(new TextDecoder().decode(bytes), path)) };
  }
  const meta = listed ?? await store.head(path);
  if (!meta) throw fileNotFound(`${store.rootUri}/${path}`);
  return { kind: 'parquet', path, source: { sizeBytes: meta.sizeBytes, read: (start, end) => store.getRange(path, start, end) } };
}

/** Reads every action of a checkpoint into memory (for small checkpoints and tests). */
export async function readCheckpoint(store: ObjectStore, checkpoint: CheckpointFiles): Promise<Action[]> {
  const source = await CheckpointSource.open(store, checkpoint);
  const actions = [...source.nonFileActions];
  for await (const chunk of source.fileActionChunks()) {
    // A loop, not push(...x): spreading a million actions overflows the call stack.
    for (const a of actionsOfChunk(chunk)) actions.push(a);
  }
  return actions;
}

/** The adds and removes of one chunk, unwrapped (what replaying a million-file checkpoint wants). */
export function fileActionsOfChunk(chunk: FileActionChunk): { adds: AddAction[]; removes: RemoveAction[] } {
  if (chunk.kind === 'actions') {
    const adds: AddAction[] = [];
    const removes: RemoveAction[] = [];
    for (const a of chunk.actions) {
      if ('add' in a) adds.push(a.add);
      else removes.push(a.remove);
    }
    return { adds, removes };
  }
  const actions = guard(chunk.where, () => fileActionsFromColumn(chunk.column, chunk.kind, chunk.where));
  return chunk.kind === 'add' ? { adds: actions as AddAction[], removes: [] } : { adds: [], removes: actions as RemoveAction[] };
}

/**
 * The number of actions in a column chunk, each checked to have what building it needs
 * (checkFileRows), without decoding a value; any failure is CORRUPT_LOG naming the file.
 */
export function checkedActionCount(chunk: { kind: 'add' | 'remove'; column: Data; where: string }): number {
  return guard(chunk.where, () => checkFileRows(chunk.column, chunk.kind, chunk.where));
}

/** The actions of one chunk as plain objects. */
export function actionsOfChunk(chunk: FileActionChunk): Array<{ add: AddAction } | { remove: RemoveAction }> {
  if (chunk.kind === 'actions') return chunk.actions;
  const out: Array<{ add: AddAction } | { remove: RemoveAction }> = [];
  const actions = guard(chunk.where, () => fileActionsFromColumn(chunk.column, chunk.kind, chunk.where));
  if (chunk.kind === 'add') for (const a of actions) out.push({ add: a as AddAction });
  else for (const a of actions) out.push({ remove: a as RemoveAction });
  return out;
}

async function* chunksOf(file: CheckpointFile, kinds: ReadonlyArray<'add' | 'remove'>): AsyncGenerator<FileActionChunk> {
  if (file.kind === 'json') {
    const actions = file.actions.filter((a) => isFileAction(a) && kinds.includes('add' in a ? 'add' : 'remove')) as Array<{ add: AddAction } | { remove: RemoveAction }>;
    for (let i = 0; i < actions.length; i += CHUNK_ROWS) yield { kind: 'actions', actions: actions.slice(i, i + CHUNK_ROWS), where: file.path };
    return;
  }
  try {
    // One column at a time, so row groups where it is all null (removes, mostly) are not decoded.
    for (const kind of kinds) {
      for await (const batch of readRowGroupsHolding(file, [kind])) {
        const column = batch.getChild(kind)?.data[0];
        if (!column || column.nullCount === column.length) continue;
        // Batches are at most CHUNK_ROWS long (the read's batch size): a chunk is one batch's column.
        yield { kind, column, where: file.path };
      }
    }
  } catch (err) {
    throw asCorruptLog(file.path, err);
  }
}

/**
 * Non-file actions of a Parquet checkpoint. Only row groups whose footer statistics allow a
 * non-file action are decoded: in a checkpoint of a million files, decoding the mostly-null
 * metaData/protocol columns of every row costs more than the file actions themselves. Writers
 * put them first (ours and Spark's), so each row group is first decoded up to PREFIX_ROWS rows;
 * when the footer's null counts say that prefix held every non-file action of the group, the
 * rest is never decoded (a 10k-row group: 4-5 ms instead of 13-21 ms, and far fewer JS rows).
 */
async function nonFileActionsOfParquet(file: { path: string; source: ByteSource }): Promise<Action[]> {
  const groups = new Map<number, { expected: Map<string, number> | undefined; numRows: number }>();
  const selectRowGroups = (rowGroups: RowGroupInfo[]): number[] => rowGroups.flatMap((rg, i) => {
    if (!NON_FILE_COLUMNS.some((c) => mayHoldAction(rg, c))) return [];
    groups.set(i, { expected: nonFileCounts(rg), numRows: rg.numRows });
    return [i];
  });
  const prefix = await decodeNonFile(file, { selectRowGroups, limit: PREFIX_ROWS });
  const actions: Action[] = [];
  for (const [i, { expected, numRows }] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const found = prefix.get(i) ?? { actions: [], counts: new Map<string, number>() };
    const complete = numRows <= PREFIX_ROWS || (expected !== undefined && [...expected].every(([c, n]) => (found.counts.get(c) ?? 0) === n));
    const group = complete ? found : (await decodeNonFile(file, { selectRowGroups: () => [i] })).get(i);
    actions.push(...(group?.actions ?? []));
  }
  return actions;
}

/** Rows of a row group decoded first when looking for its non-file actions. */
const PREFIX_ROWS = 256;

/** Per non-file column, how many rows of the group set it (from footer null counts); undefined when a count is missing. */
function nonFileCounts(rg: RowGroupInfo): Map<string, number> | undefined {
  const counts = new Map<string, number>();
  for (const c of NON_FILE_COLUMNS) {
    const leaf = rg.leaves.get(KEY_LEAF[c]!);
    if (!leaf) {
      // A column without its key leaf is read in full (see mayHoldAction).
      if ([...rg.leaves.keys()].some((p) => p.startsWith(`${c}.`))) return undefined;
      continue;
    }
    if (leaf.nullCount === undefined) return undefined;
    counts.set(c, leaf.numValues - leaf.nullCount);
  }
  return counts;
}

/** The non-file actions of the row groups read, by row-group index (in reading order), with how many of each column were found. */
async function decodeNonFile(
  file: { path: string; source: ByteSource },
  opts: { selectRowGroups: (rowGroups: RowGroupInfo[]) => number[]; limit?: number },
): Promise<Map<number, { actions: Action[]; counts: Map<string, number> }>> {
  const out = new Map<number, { actions: Action[]; counts: Map<string, number> }>();
  // Batches come row group by row group, in the order chosen; each group yields
  // min(numRows, limit) rows, so counting rows tells which group a batch belongs to.
  const chosen: Array<{ index: number; rows: number }> = [];
  let group = -1;
  let rowsLeftInGroup = 0;
  let row = 0;
  for await (const batch of readParquetRanged(file.source, {
    columns: [...NON_FILE_COLUMNS],
    batchSize: CHUNK_ROWS,
    selectRowGroups: (rowGroups) => {
      const picked = opts.selectRowGroups(rowGroups);
      for (const i of picked) chosen.push({ index: i, rows: Math.min(rowGroups[i]!.numRows, opts.limit ?? Infinity) });
      return picked;
    },
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  })) {
    while (rowsLeftInGroup <= 0 && group + 1 < chosen.length) rowsLeftInGroup = chosen[++group]!.rows;
    rowsLeftInGroup -= batch.numRows;
    const index = chosen[group]!.index;
    const entry = out.get(index) ?? { actions: [], counts: new Map<string, number>() };
    out.set(index, entry);
    for (const [name, cell] of structCellsByRow(batch, NON_FILE_COLUMNS)) {
      row++;
      entry.counts.set(name, (entry.counts.get(name) ?? 0) + 1);
      const action = parseAction({ [name]: cell }, `${file.path} non-file action ${row}`);
      if (action) entry.actions.push(action);
    }
  }
  return out;
}

/** `columns` of the row groups whose footer says they may hold one of those actions, in batches of CHUNK_ROWS. */
function readRowGroupsHolding(file: { source: ByteSource }, columns: readonly string[]): AsyncGenerator<RecordBatch> {
  return readParquetRanged(file.source, {
    columns: [...columns],
    batchSize: CHUNK_ROWS,
    selectRowGroups: (rowGroups) => rowGroups.flatMap((rg, i) => (columns.some((c) => mayHoldAction(rg, c)) ? [i] : [])),
  });
}

/** Whether column `name` may hold an action in this row group. */
function mayHoldAction(rowGroup: RowGroupInfo, name: string): boolean {
  const key = KEY_LEAF[name]!;
  if (rowGroup.leaves.has(key)) return mayHoldValues(rowGroup, key);
  // Without its key leaf, a column present in the file is read rather than trusted empty.
  return [...rowGroup.leaves.keys()].some((p) => p.startsWith(`${name}.`));
}

function isJson(path: string): boolean {
  return path.endsWith('.json');
}

function isFileAction(a: Action): a is { add: AddAction } | { remove: RemoveAction } {
  return 'add' in a || 'remove' in a;
}

/** As guard, for asynchronous reads. */
async function guardAsync<T>(where: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw asCorruptLog(where, err);
  }
}

/** Runs `read`, turning any non-Delta failure into CORRUPT_LOG naming the checkpoint file. */
function guard<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw asCorruptLog(where, err);
  }
}

/** A Delta error as it is; any other failure as CORRUPT_LOG naming the checkpoint file. */
function asCorruptLog(where: string, err: unknown): unknown {
  // CORRUPT_DATA from the format layer does not name the file; a checkpoint is part of the log.
  if (isDeltaError(err) && err.code !== 'CORRUPT_DATA') return err;
  return corruptLog(where, `unreadable checkpoint: ${err instanceof Error ? err.message : String(err)}`, err);
}
