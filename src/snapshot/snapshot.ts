import type { Data } from 'apache-arrow';
import { corruptLog, isDeltaError } from '../errors.js';
import { listLogSegment, type LogListing } from '../log/list-log.js';
import type { CheckpointFiles, LogSegment } from '../log/log-segment.js';
import { fileRowIdentities, pathsArePlain, withoutNullChildren } from '../log/checkpoint-file-actions.js';
import { checkedActionCount, CheckpointSource, fileActionsOfChunk } from '../log/read-checkpoint.js';
import { readCommits } from '../log/read-commit.js';
import type {
  Action, CommitInfo, DomainMetadata, Metadata, Protocol, RemoveAction, Txn, Version,
} from '../protocol/actions.js';
import { checkReadSupport } from '../protocol/features.js';
import type { ObjectMeta, ObjectStore } from '../storage/object-store.js';
import { logPathKey } from '../protocol/path-gate.js';
import { resolveDataPath } from './data-paths.js';
import { FileList, type ActiveFile, type CheckpointAdds } from './file-list.js';
import { commitInfoOf, Replayer, type ReplayState } from './replay.js';
import { TableState } from './table-state.js';

export { TableState };
export type { ActiveFile };

/** The immutable state of a table at one version, with its file list. */
export class Snapshot extends TableState {
  private readonly fileList: FileList;
  constructor(
    store: ObjectStore,
    version: Version,
    protocol: Protocol,
    metadata: Metadata,
    files: readonly ActiveFile[] | FileList,
    /** undefined when loaded without them (loadSnapshot's `tombstones: false`). */
    private readonly removed: readonly RemoveAction[] | undefined,
    txns: ReadonlyMap<string, Txn>,
    domains: ReadonlyMap<string, DomainMetadata>,
    readonly segment: LogSegment,
    latestCommitInfo: CommitInfo | undefined,
  ) {
    super(store, version, protocol, metadata, txns, domains, latestCommitInfo);
    this.fileList = files instanceof FileList ? files : FileList.of(files);
  }

  /** The active files, newest commit's first (built on first use; see FileList). */
  get files(): readonly ActiveFile[] {
    return this.fileList.files;
  }

  /** How many files are active, without building the file list. */
  get fileCount(): number {
    return this.fileList.count;
  }

  /** The active files whose partition values `mayMatch` accepts, building no others (see FileList). */
  filesWhere(mayMatch: (partitionValues: Readonly<Record<string, string | null>>) => boolean): ActiveFile[] {
    return this.fileList.filesWhere(mayMatch);
  }

  /** The total size of the active files in bytes, without building the file list. */
  get sizeBytes(): number {
    return this.fileList.sizeBytes;
  }

  /** Whether this snapshot was loaded with its tombstones (loadSnapshot's `tombstones`). */
  get hasTombstones(): boolean {
    return this.removed !== undefined;
  }

  /**
   * Unexpired removes (what VACUUM must keep). A snapshot loaded without them refuses to answer
   * rather than answer "none", which would let a vacuum delete files time travel still reads.
   */
  get tombstones(): readonly RemoveAction[] {
    if (!this.removed) throw new Error(`internal: the snapshot of version ${this.version} was loaded without its tombstones`);
    return this.removed;
  }
}

/**
 * Loads the snapshot at `version` (default: latest); `tombstones: false` skips the checkpoint's
 * removes for callers that never ask for them (VACUUM does).
 *
 *   list segment ──> commits (read concurrently) + checkpoint's non-file actions (file columns not decoded)
 *                ──> protocol + metaData known: refuse unreadable tables before any file action is decoded
 *                ──> checkpoint file actions, chunk by chunk, minus those the commits touched
 *
 * A checkpoint that cannot be read is skipped in favour of an older one (or the commits from 0),
 * as Spark does for a broken `_last_checkpoint`.
 */
export function loadSnapshot(store: ObjectStore, opts: { version?: Version; tombstones?: boolean; listing?: LogListing } = {}): Promise<Snapshot> {
  const withTombstones = opts.tombstones ?? true;
  return readSegment(store, opts, async ({ segment, commits, checkpoint, replayer, protocol, metadata }) => {
    const pending: CheckpointAdds[] = [];
    let pendingCount = 0;
    let lazy = true;
    if (checkpoint) {
      // A checkpoint's removes are only tombstones (they cancel none of its adds): without them
      // its remove column, thousands of rows after many compactions, is never decoded.
      for await (const chunk of checkpoint.fileActionChunks({ removes: withTombstones })) {
        if (chunk.kind === 'add') {
          // Kept as columns, checked now so that building them later cannot fail; a path the
          // gate might refuse makes the whole list be built now, so its error comes from here.
          const held = checkpointAdds(chunk.column, chunk.where, replayer);
          pending.push(held.adds);
          pendingCount += held.count;
          lazy &&= pathsArePlain(chunk.column);
        } else {
          const { adds, removes } = fileActionsOfChunk(chunk);
          replayer.applyCheckpointFiles(adds, removes);
        }
      }
    }
    const state = replayer.state;
    // state.adds: the commits' adds, then any JSON checkpoint's (replayed as actions); the held columns follow.
    const files = FileList.lazy(store.rootUri, state.adds, pending, pendingCount);
    if (!lazy) void files.files;
    const lastCommit = commits.at(-1);
    return new Snapshot(
      store, segment.version, protocol, metadata, files, withTombstones ? state.tombstones : undefined, state.txns, state.domains,
      segment, lastCommit ? commitInfoOf(lastCommit) : undefined,
    );
  });
}

/**
 * Loads the table state at `version` (default: latest) without its file list: the same listing
 * and replay as loadSnapshot, stopping before the checkpoint's file actions, which on a large
 * table are nearly all of the work.
 */
export function loadTableState(store: ObjectStore, opts: { version?: Version } = {}): Promise<TableState> {
  return readSegment(store, opts, async ({ segment, commits, replayer, protocol, metadata }) => {
    const lastCommit = commits.at(-1);
    const { txns, domains } = replayer.state;
    return new TableState(store, segment.version, protocol, metadata, txns, domains, lastCommit ? commitInfoOf(lastCommit) : undefined);
  });
}

/**
 * The snapshot one commit later, without reading the log: `actions` (the commit at
 * `prev.version + 1`, whose listing entry is `commitFile`) replayed over `prev` by the rules every
 * load uses, `prev`'s files playing the checkpoint's part. For a long-lived writer that knows
 * the commit it just made; tombstones are not carried (the result refuses to list them).
 */
export function snapshotAfterCommit(prev: Snapshot, actions: readonly Action[], commitFile: ObjectMeta): Snapshot {
  const store = prev.store;
  const version = prev.version + 1;
  const replayer = replayCommitOver(prev, actions);
  for (const f of prev.files) replayer.applyCheckpointFile({ add: f.add });
  const { protocol, metadata } = checkProtocolAndMetadata(replayer.state, version, store.rootUri);
  const state = replayer.state;
  const files = state.adds.map((add) => ({ path: resolveDataPath(add.path, store.rootUri), add }));
  const segment: LogSegment = { ...prev.segment, version, commits: [...prev.segment.commits, { version, file: commitFile }] };
  return new Snapshot(store, version, protocol, metadata, files, undefined, state.txns, state.domains, segment, commitInfoOf([...actions]));
}

/**
 * A Replayer holding one commit (newest, so it wins) over the non-file state of the version
 * before it (protocol, metaData, txns, live domains, as older actions): the step from one known
 * state to the next, by the rules every load uses. File actions of `prev` are the caller's to add.
 */
export function replayCommitOver(prev: TableState, actions: readonly Action[]): Replayer {
  const replayer = new Replayer((p) => logPathKey(p, prev.store.rootUri));
  replayer.applyCommit(actions);
  replayer.applyNonFile({ protocol: prev.protocol });
  replayer.applyNonFile({ metaData: prev.metadata });
  for (const txn of prev.txns.values()) replayer.applyNonFile({ txn });
  for (const domainMetadata of prev.domains.values()) replayer.applyNonFile({ domainMetadata });
  return replayer;
}

/**
 * A checkpoint's add column held for the file list: its rows checked, and those a commit after
 * the checkpoint touched flagged out (only then are their paths decoded at load).
 */
function checkpointAdds(column: Data, where: string, replayer: Replayer): { adds: CheckpointAdds; count: number } {
  const rows = checkedActionCount({ kind: 'add', column, where });
  if (replayer.touched.size === 0) return { adds: { column: withoutNullChildren(column), where, kept: undefined }, count: rows };
  const identity = fileRowIdentities(column, where);
  const kept = new Uint8Array(column.length);
  let count = 0;
  for (let row = 0; row < column.length; row++) {
    const id = identity(row);
    if (id && replayer.survivesCheckpoint(id.path, id.deletionVector)) {
      kept[row] = 1;
      count++;
    }
  }
  return { adds: { column: withoutNullChildren(column), where, kept }, count };
}

/** What reading a log segment gives before any checkpoint file action is decoded. */
interface SegmentRead {
  segment: LogSegment;
  /** Each commit's actions, oldest first. */
  commits: Action[][];
  checkpoint: CheckpointSource | undefined;
  /** Commits and the checkpoint's non-file actions applied. */
  replayer: Replayer;
  protocol: Protocol;
  metadata: Metadata;
}

/**
 * Lists and reads the segment for `opts.version`, then runs `finish` on it. A checkpoint found
 * unreadable (while opening it, or inside `finish`) is excluded and the segment read again
 * from an older one.
 */
async function readSegment<T>(store: ObjectStore, opts: { version?: Version; listing?: LogListing }, finish: (read: SegmentRead) => Promise<T>): Promise<T> {
  const excluded = new Set<Version>();
  let unreadable: unknown;
  for (;;) {
    let segment: LogSegment;
    try {
      segment = await listLogSegment(store, { ...opts, excludeCheckpoints: excluded });
    } catch (err) {
      // Without the checkpoints that failed, nothing (or no complete chain) is left: the table
      // exists but is damaged, which must never read as "no table" (an append would then start
      // a new table over it).
      if (excluded.size > 0 && (isDeltaError(err, 'TABLE_NOT_FOUND') || isDeltaError(err, 'VERSION_NOT_FOUND'))) {
        const versions = [...excluded].sort((a, b) => a - b).join(', ');
        throw corruptLog('_delta_log', `the checkpoint at version ${versions} cannot be read and the commits left do not rebuild the table (${(unreadable as Error).message})`, unreadable);
      }
      throw err;
    }
    // Keys never throw for an unreadable location: a removed file need not be reachable.
    const normalize = (p: string): string => logPathKey(p, store.rootUri);
    const [commits, checkpoint] = await Promise.all([
      readCommits(store, segment.commits.map((c) => c.version)),
      segment.checkpoint ? openCheckpoint(store, segment.checkpoint) : undefined,
    ]);
    if (checkpoint instanceof Error) {
      unreadable = checkpoint;
      excluded.add(segment.checkpoint!.version);
      continue;
    }
    const replayer = new Replayer(normalize);
    for (let i = commits.length - 1; i >= 0; i--) replayer.applyCommit(commits[i]!);
    for (const a of checkpoint?.nonFileActions ?? []) replayer.applyNonFile(a);
    const { protocol, metadata } = checkProtocolAndMetadata(replayer.state, segment.version, store.rootUri);
    try {
      return await finish({ segment, commits, checkpoint, replayer, protocol, metadata });
    } catch (err) {
      if (!checkpoint || !isUnreadable(err)) throw err;
      unreadable = err;
      excluded.add(segment.checkpoint!.version);
    }
  }
}

/** The protocol and metadata of a replay, after checking this library can read the table. */
export function checkProtocolAndMetadata(state: ReplayState, version: Version, rootUri: string): { protocol: Protocol; metadata: Metadata } {
  const where = `version ${version} of ${rootUri}`;
  if (!state.protocol) throw corruptLog(where, 'the log has no protocol action');
  if (!state.metadata) throw corruptLog(where, 'the log has no metaData action');
  checkReadSupport(state.protocol);
  return { protocol: state.protocol, metadata: state.metadata };
}

/** The checkpoint, or the error that makes it unreadable (so an older one is tried). */
async function openCheckpoint(store: ObjectStore, files: CheckpointFiles): Promise<CheckpointSource | Error> {
  try {
    return await CheckpointSource.open(store, files);
  } catch (err) {
    if (isUnreadable(err)) return err as Error;
    throw err;
  }
}

function isUnreadable(err: unknown): boolean {
  return isDeltaError(err, 'CORRUPT_LOG') || isDeltaError(err, 'FILE_NOT_FOUND');
}
