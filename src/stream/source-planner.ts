import { streamChangeCommit, streamSchemaChanged, streamTableReplaced } from '../errors.js';
import type { AddAction, Version } from '../protocol/actions.js';
import { checkReadSupport } from '../protocol/features.js';
import { parseSchemaString } from '../protocol/schema.js';
import { resolveDataPath } from '../snapshot/data-paths.js';
import { loadSnapshot, type ActiveFile, type Snapshot } from '../snapshot/snapshot.js';
import { LogContinuity } from './log-continuity.js';
import { BASE_INDEX, compareOffsets, offsetAt, type StreamOffset } from './offset.js';
import { schemaChange, unreadableWith } from './schema-change.js';
import { readVersionChanges, type VersionChanges } from './version-changes.js';

/** What bounds one micro-batch (Spark's admission control: take files while both budgets remain). */
export interface BatchLimits {
  maxFiles: number;
  maxBytes: number;
}

export interface PlannerOptions {
  ignoreDeletes: boolean;
  skipChangeCommits: boolean;
  /** Change feed: whole versions, removes are data, not errors. */
  readChangeFeed: boolean;
}

/** Files (or, for the change feed, whole versions) after a position, and where the batch ends. */
export interface PlannedFiles {
  files: ActiveFile[];
  /** The versions the batch's rows come from (undefined when it has none). */
  versions: { first: Version; last: Version } | undefined;
  /** Initial-snapshot batches carry the snapshot they come from. */
  initialSnapshot: Snapshot | undefined;
  end: StreamOffset;
  /** True when planning stopped because no newer commit exists (yet). */
  reachedHead: boolean;
}

/** Versions read per planning call at most, so a long run of empty commits cannot stall a batch. */
const MAX_VERSIONS_PER_PLAN = 1000;

/**
 * Decides which files the next micro-batch holds, following Delta Spark's source: the initial
 * snapshot first (ordered by modificationTime, then path), then per commit its dataChange adds in
 * commit order. Commits that change existing data, schema changes and a replaced table stop the
 * stream with an error naming the version, after the batch of everything before it.
 */
export class SourcePlanner {
  private readonly cache = new Map<Version, VersionChanges>();
  private initial: { version: Version; snapshot: Snapshot; files: ActiveFile[] } | undefined;
  private readonly continuity: LogContinuity;

  constructor(
    private readonly readSnapshot: Snapshot,
    private readonly uri: string,
    private readonly opts: PlannerOptions,
  ) {
    this.continuity = new LogContinuity(readSnapshot.store, uri, readSnapshot.metadata.id);
  }

  get tableId(): string {
    return this.readSnapshot.metadata.id;
  }

  /**
   * Plans from `from` (exclusive). With `until`, takes exactly the files up to it (replaying a
   * recorded batch); otherwise as many as `limits` admit, never past `maxVersion`.
   */
  async plan(from: StreamOffset, bound: { limits: BatchLimits; maxVersion?: Version } | { until: StreamOffset }): Promise<PlannedFiles> {
    this.forgetBefore(from.reservoirVersion);
    if (from.isStartingVersion) return this.planInitial(from, bound);
    await this.continuity.checkSameTable();
    if (this.opts.readChangeFeed) return this.planVersions(from, bound);
    return this.planCommits(from, bound);
  }

  private async planInitial(from: StreamOffset, bound: { limits: BatchLimits } | { until: StreamOffset }): Promise<PlannedFiles> {
    const { snapshot, files } = await this.initialFiles(from.reservoirVersion);
    const taken: ActiveFile[] = [];
    let bytes = 0;
    let i = from.index + 1;
    for (; i < files.length; i++) {
      if ('until' in bound ? compareOffsets(offsetAt(this.tableId, from.reservoirVersion, i, true), bound.until) > 0
        : taken.length >= bound.limits.maxFiles || bytes >= bound.limits.maxBytes) break;
      taken.push(files[i]!);
      bytes += files[i]!.add.size;
    }
    const end = i >= files.length
      ? offsetAt(this.tableId, from.reservoirVersion + 1, BASE_INDEX, false)
      : offsetAt(this.tableId, from.reservoirVersion, i - 1, true);
    const versions = taken.length > 0 ? { first: snapshot.version, last: snapshot.version } : undefined;
    return { files: taken, versions, initialSnapshot: snapshot, end, reachedHead: false };
  }

  private async planCommits(from: StreamOffset, bound: { limits: BatchLimits; maxVersion?: Version } | { until: StreamOffset }): Promise<PlannedFiles> {
    const taken: ActiveFile[] = [];
    const versions: { first: Version; last: Version } = { first: -1, last: -1 };
    let bytes = 0;
    let end = from;
    const limitReached = (): boolean => !('until' in bound) && (taken.length >= bound.limits.maxFiles || bytes >= bound.limits.maxBytes);
    for (let v = from.reservoirVersion; v < from.reservoirVersion + MAX_VERSIONS_PER_PLAN; v++) {
      if (this.pastBound(v, bound)) return this.result(taken, versions, end, false);
      const changes = await this.changesOf(v);
      if (!changes) return this.result(taken, versions, end, true);
      const skip = this.checkCommit(changes, taken.length > 0);
      if (skip === 'end-batch') return this.result(taken, versions, end, false);
      const files = skip === 'skip' ? [] : changes.files;
      for (let i = v === from.reservoirVersion ? from.index + 1 : 0; i < files.length; i++) {
        if ('until' in bound && compareOffsets(offsetAt(this.tableId, v, i, false), bound.until) > 0) return this.result(taken, versions, end, false);
        if (limitReached()) return this.result(taken, versions, end, false);
        taken.push(this.activeFile(files[i]!));
        if (versions.first < 0) versions.first = v;
        versions.last = v;
        bytes += files[i]!.size;
        end = offsetAt(this.tableId, v, i, false);
      }
      end = offsetAt(this.tableId, v + 1, BASE_INDEX, false);
    }
    return this.result(taken, versions, end, false);
  }

  /** Change feed: whole versions, at least one per batch, while the file budget remains. */
  private async planVersions(from: StreamOffset, bound: { limits: BatchLimits; maxVersion?: Version } | { until: StreamOffset }): Promise<PlannedFiles> {
    let files = 0;
    let bytes = 0;
    let first: Version | undefined;
    let last: Version | undefined;
    for (let v = from.reservoirVersion; v < from.reservoirVersion + MAX_VERSIONS_PER_PLAN; v++) {
      if (this.pastBound(v, bound)) break;
      if (!('until' in bound) && first !== undefined && (files >= bound.limits.maxFiles || bytes >= bound.limits.maxBytes)) break;
      const changes = await this.changesOf(v);
      if (!changes) {
        const end = offsetAt(this.tableId, v, BASE_INDEX, false);
        return { files: [], versions: first === undefined ? undefined : { first, last: last! }, initialSnapshot: undefined, end, reachedHead: true };
      }
      if (this.checkCommit(changes, first !== undefined) === 'end-batch') break;
      files += changes.fileActionCount;
      bytes += changes.sizeBytes;
      if (changes.fileActionCount > 0) {
        first ??= v;
        last = v;
      }
      from = offsetAt(this.tableId, v + 1, BASE_INDEX, false);
    }
    return { files: [], versions: first === undefined ? undefined : { first, last: last! }, initialSnapshot: undefined, end: from, reachedHead: false };
  }

  private pastBound(v: Version, bound: { maxVersion?: Version } | { until: StreamOffset }): boolean {
    if ('until' in bound) return compareOffsets(offsetAt(this.tableId, v, BASE_INDEX, false), bound.until) >= 0;
    return bound.maxVersion !== undefined && v > bound.maxVersion;
  }

  private result(files: ActiveFile[], versions: { first: Version; last: Version }, end: StreamOffset, reachedHead: boolean): PlannedFiles {
    return { files, versions: files.length > 0 ? versions : undefined, initialSnapshot: undefined, end, reachedHead };
  }

  /**
   * Validates a commit for streaming. 'skip' drops its files (skipChangeCommits, ignoreDeletes);
   * 'end-batch' ends the batch before it so the rows before a failure are still delivered.
   */
  private checkCommit(changes: VersionChanges, batchHasFiles: boolean): 'take' | 'skip' | 'end-batch' {
    try {
      if (changes.protocol) checkReadSupport(changes.protocol);
      if (changes.metadata) this.checkMetadata(changes.version, changes.metadata.id, changes.metadata.schemaString, changes.metadata.partitionColumns);
      if (this.opts.readChangeFeed || !changes.removesData) return 'take';
      if (this.opts.skipChangeCommits) return 'skip';
      if (changes.files.length === 0 && this.opts.ignoreDeletes) return 'take';
      throw streamChangeCommit(changes.version, changes.files.length === 0 ? 'deletes' : 'updates');
    } catch (err) {
      if (batchHasFiles) return 'end-batch';
      throw err;
    }
  }

  private checkMetadata(version: Version, id: string, schemaString: string, partitionColumns: string[]): void {
    if (id !== this.tableId) throw streamTableReplaced(this.uri, this.tableId, id);
    const ours = this.readSnapshot;
    const samePartitions = partitionColumns.length === ours.partitionColumns.length
      && partitionColumns.every((c, i) => c.toLowerCase() === ours.partitionColumns[i]!.toLowerCase());
    if (!samePartitions) throw streamSchemaChanged(version, `partition columns are now [${partitionColumns.join(', ')}]`);
    // Versions up to the stream's own were written with older (narrower) schemas; any later
    // schema must be the stream's.
    const schema = parseSchemaString(schemaString, `metaData of version ${version}`);
    const problem = version <= ours.version ? unreadableWith(schema, ours.schema) : schemaChange(schema, ours.schema);
    if (problem) throw streamSchemaChanged(version, problem);
  }

  /** The commit of `v`, or undefined when it is not written yet (a gap left by log cleanup throws). */
  private async changesOf(v: Version): Promise<VersionChanges | undefined> {
    const cached = this.cache.get(v);
    if (cached) return cached;
    const changes = await readVersionChanges(this.readSnapshot.store, v);
    if (!changes) {
      await this.continuity.checkMissing(v);
      return undefined;
    }
    this.continuity.advance(v, changes.commitFile);
    this.cache.set(v, changes);
    return changes;
  }

  private forgetBefore(v: Version): void {
    for (const k of this.cache.keys()) if (k < v) this.cache.delete(k);
  }

  private activeFile(add: AddAction): ActiveFile {
    return { path: resolveDataPath(add.path, this.readSnapshot.store.rootUri), add };
  }

  private async initialFiles(version: Version): Promise<{ snapshot: Snapshot; files: ActiveFile[] }> {
    if (this.initial?.version !== version) {
      const snapshot = version === this.readSnapshot.version ? this.readSnapshot : await loadSnapshot(this.readSnapshot.store, { version });
      const files = [...snapshot.files].sort((a, b) => a.add.modificationTime - b.add.modificationTime || (a.add.path < b.add.path ? -1 : a.add.path > b.add.path ? 1 : 0));
      this.initial = { version, snapshot, files };
    }
    return this.initial;
  }
}
