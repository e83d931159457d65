import type { Schema } from 'apache-arrow';
import { corruptLog, isDeltaError } from '../errors.js';
import { listLogSegment } from '../log/list-log.js';
import type { LogSegment } from '../log/log-segment.js';
import { readCheckpoint } from '../log/read-checkpoint.js';
import { readCommits } from '../log/read-commit.js';
import type {
  Action, AddAction, CommitInfo, DomainMetadata, Metadata, Protocol, RemoveAction, Txn, Version,
} from '../protocol/actions.js';
import { checkReadSupport } from '../protocol/features.js';
import { columnMappingMode, deltaToArrowSchema, parseSchemaString, type ColumnMappingMode, type StructType } from '../protocol/schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { resolveDataPath } from './data-paths.js';
import { commitInfoOf, replayActions } from './replay.js';

/** An active data file, with its path decoded and relative to the table root. */
export interface ActiveFile {
  /** Path relative to the table root, URI-decoded. */
  path: string;
  add: AddAction;
}

/** The immutable state of a table at one version. */
export class Snapshot {
  readonly schema: StructType;
  readonly arrowSchema: Schema;
  readonly columnMapping: ColumnMappingMode;
  constructor(
    readonly store: ObjectStore,
    readonly version: Version,
    readonly protocol: Protocol,
    readonly metadata: Metadata,
    readonly files: readonly ActiveFile[],
    readonly tombstones: readonly RemoveAction[],
    readonly txns: ReadonlyMap<string, Txn>,
    readonly domains: ReadonlyMap<string, DomainMetadata>,
    readonly segment: LogSegment,
    /** commitInfo of the commit at `version`, when that commit was read and has one. */
    readonly latestCommitInfo: CommitInfo | undefined,
  ) {
    this.schema = parseSchemaString(metadata.schemaString, `metaData of version ${version}`);
    this.arrowSchema = deltaToArrowSchema(this.schema);
    this.columnMapping = columnMappingMode(metadata.configuration);
  }

  get partitionColumns(): readonly string[] {
    return this.metadata.partitionColumns;
  }

  get configuration(): Readonly<Record<string, string>> {
    return this.metadata.configuration;
  }
}

/**
 * Loads the snapshot at `version` (default: latest). A checkpoint that cannot be read is skipped in
 * favour of an older one (or the commits from 0), as Spark does for a broken `_last_checkpoint`.
 */
export async function loadSnapshot(store: ObjectStore, opts: { version?: Version } = {}): Promise<Snapshot> {
  const excluded = new Set<Version>();
  for (;;) {
    const segment = await listLogSegment(store, { ...opts, excludeCheckpoints: excluded });
    let checkpointActions: Action[] = [];
    if (segment.checkpoint) {
      try {
        checkpointActions = await readCheckpoint(store, segment.checkpoint);
      } catch (err) {
        if (!isDeltaError(err, 'CORRUPT_LOG') && !isDeltaError(err, 'FILE_NOT_FOUND')) throw err;
        excluded.add(segment.checkpoint.version);
        continue;
      }
    }
    const commits = await readCommits(store, segment.commits.map((c) => c.version));
    return snapshotFromActions(store, segment, commits, checkpointActions);
  }
}

/** Builds a snapshot from a segment's already-read actions (commits ascending). */
export function snapshotFromActions(
  store: ObjectStore, segment: LogSegment, commits: Action[][], checkpointActions: Action[],
): Snapshot {
  const newestFirst = [...commits].reverse();
  const normalize = (p: string): string => resolveDataPath(p, store.rootUri);
  const state = replayActions(newestFirst, checkpointActions, normalize);
  const where = `version ${segment.version} of ${store.rootUri}`;
  if (!state.protocol) throw corruptLog(where, 'the log has no protocol action');
  if (!state.metadata) throw corruptLog(where, 'the log has no metaData action');
  checkReadSupport(state.protocol);
  const files = state.adds.map((add) => ({ path: normalize(add.path), add }));
  const lastCommit = newestFirst[0];
  return new Snapshot(
    store, segment.version, state.protocol, state.metadata, files, state.tombstones, state.txns, state.domains,
    segment, lastCommit ? commitInfoOf(lastCommit) : undefined,
  );
}
