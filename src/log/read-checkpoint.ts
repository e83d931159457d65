import type { Data } from 'apache-arrow';
import { corruptLog, isDeltaError } from '../errors.js';
import { parquetRowGroupCount, readParquetBytes } from '../format/parquet.js';
import type { Action, AddAction, RemoveAction } from '../protocol/actions.js';
import { parseAction, parseCommitText } from '../protocol/action-codec.js';
import { LOG_DIR } from '../protocol/log-paths.js';
import type { ObjectStore } from '../storage/object-store.js';
import { structCellsByRow } from './arrow-rows.js';
import { fileActionsFromColumn } from './checkpoint-file-actions.js';
import type { CheckpointFiles } from './log-segment.js';

const FILE_COLUMNS = ['add', 'remove'] as const;
const NON_FILE_COLUMNS = ['protocol', 'metaData', 'txn', 'domainMetadata', 'checkpointMetadata', 'sidecar'] as const;
const SIDECAR_DIR = `${LOG_DIR}_sidecars/`;
/** File actions are handed out at most this many rows at a time, so callers hold bounded state. */
const CHUNK_ROWS = 65_536;

/**
 * A run of file actions of one checkpoint: Arrow rows of its `add` or `remove` struct column
 * (null rows included, to be skipped), or parsed actions when the checkpoint file is JSON.
 */
export type FileActionChunk =
  | { kind: 'add' | 'remove'; column: Data; where: string }
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
    private readonly topLevel: ReadonlyArray<{ path: string; bytes: Uint8Array }>,
    /** Non-file actions, in file order. */
    readonly nonFileActions: readonly Action[],
  ) {}

  static async open(store: ObjectStore, checkpoint: CheckpointFiles): Promise<CheckpointSource> {
    const topLevel = await Promise.all(checkpoint.files.map(async (f) => ({ path: f.path, bytes: await store.get(f.path) })));
    const nonFile: Action[] = [];
    for (const file of topLevel) {
      const actions = guard(file.path, () => (isJson(file.path) ? parseJsonFile(file) : nonFileActionsOfParquet(file)));
      for (const a of actions) if (!isFileAction(a)) nonFile.push(a);
    }
    return new CheckpointSource(store, topLevel, nonFile);
  }

  /** Paths of the sidecar files holding this checkpoint's file actions (V2), relative to the root. */
  get sidecarPaths(): string[] {
    // Sidecar paths are relative to _delta_log/_sidecars/ (PROTOCOL.md "Sidecar File Information").
    return this.nonFileActions.flatMap((a) =>
      'sidecar' in a ? [a.sidecar.path.includes('/') ? a.sidecar.path : SIDECAR_DIR + decodeURIComponent(a.sidecar.path)] : []);
  }

  /** The file actions, chunk by chunk; every checkpoint row with an add or a remove is in exactly one chunk. */
  async *fileActionChunks(): AsyncGenerator<FileActionChunk> {
    for (const file of this.topLevel) yield* chunksOf(file);
    for (const path of this.sidecarPaths) {
      const bytes = await this.store.get(path);
      yield* chunksOf({ path, bytes });
    }
  }
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

/** The actions of one chunk as plain objects. */
export function actionsOfChunk(chunk: FileActionChunk): Array<{ add: AddAction } | { remove: RemoveAction }> {
  if (chunk.kind === 'actions') return chunk.actions;
  const out: Array<{ add: AddAction } | { remove: RemoveAction }> = [];
  const actions = guard(chunk.where, () => fileActionsFromColumn(chunk.column, chunk.kind, chunk.where));
  if (chunk.kind === 'add') for (const a of actions) out.push({ add: a as AddAction });
  else for (const a of actions) out.push({ remove: a as RemoveAction });
  return out;
}

function* chunksOf(file: { path: string; bytes: Uint8Array }): Generator<FileActionChunk> {
  if (isJson(file.path)) {
    const actions = guard(file.path, () => parseJsonFile(file)).filter(isFileAction);
    for (let i = 0; i < actions.length; i += CHUNK_ROWS) yield { kind: 'actions', actions: actions.slice(i, i + CHUNK_ROWS), where: file.path };
    return;
  }
  const groups = guard(file.path, () => parquetRowGroupCount(file.bytes));
  for (let rowGroup = 0; rowGroup < groups; rowGroup++) {
    const batches = guard(file.path, () => readParquetBytes(file.bytes, { columns: [...FILE_COLUMNS], rowGroups: [rowGroup], batchSize: CHUNK_ROWS }));
    for (const batch of batches) {
      for (const kind of FILE_COLUMNS) {
        const column = batch.getChild(kind)?.data[0];
        if (!column || column.nullCount === column.length) continue;
        for (let at = 0; at < column.length; at += CHUNK_ROWS) {
          yield { kind, column: column.slice(at, Math.min(CHUNK_ROWS, column.length - at)), where: `${file.path} row group ${rowGroup}` };
        }
      }
    }
  }
}

function nonFileActionsOfParquet(file: { path: string; bytes: Uint8Array }): Action[] {
  const actions: Action[] = [];
  for (const batch of readParquetBytes(file.bytes, { columns: [...NON_FILE_COLUMNS] })) {
    let row = 0;
    for (const [name, cell] of structCellsByRow(batch, NON_FILE_COLUMNS)) {
      row++;
      const action = parseAction({ [name]: cell }, `${file.path} row ${row}`);
      if (action) actions.push(action);
    }
  }
  return actions;
}

function parseJsonFile(file: { path: string; bytes: Uint8Array }): Action[] {
  return parseCommitText(new TextDecoder().decode(file.bytes), file.path);
}

function isJson(path: string): boolean {
  return path.endsWith('.json');
}

function isFileAction(a: Action): a is { add: AddAction } | { remove: RemoveAction } {
  return 'add' in a || 'remove' in a;
}

/** Runs `read`, turning any non-Delta failure into CORRUPT_LOG naming the checkpoint file. */
function guard<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (isDeltaError(err)) throw err;
    throw corruptLog(where, `unreadable checkpoint: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
