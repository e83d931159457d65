import { isDeltaError, streamCommitsCleanedUp, streamTableDeleted, streamTableReplaced } from '../errors.js';
import { listCommits } from '../log/list-log.js';
import type { Version } from '../protocol/actions.js';
import { commitPath } from '../protocol/log-paths.js';
import { loadSnapshot, type Snapshot } from '../snapshot/snapshot.js';
import type { ObjectMeta, ObjectStore } from '../storage/object-store.js';

/**
 * Keeps a running stream honest about the log it follows. It remembers the newest commit file it
 * saw (the anchor) and, before each planning step, checks the file is still there unchanged:
 *
 *   anchor unchanged ............ same table, go on
 *   anchor gone or different .... reload: no table -> deleted; other id -> replaced;
 *                                 same id -> log cleanup took it, forget the anchor
 *
 * A missing commit `v` right after the anchor simply is not written yet. A missing commit with
 * no anchor before it is a gap only when a newer commit exists: log cleanup removed commits the
 * stream still needs, and going on would lose their data (Spark's failOnDataLoss).
 */
export class LogContinuity {
  private anchor: { version: Version; file: ObjectMeta } | undefined;

  constructor(private readonly store: ObjectStore, private readonly uri: string, private readonly tableId: string) {}

  /** Records that commit `version` was read as `file`. */
  advance(version: Version, file: ObjectMeta): void {
    if (this.anchor === undefined || version > this.anchor.version) this.anchor = { version, file };
  }

  /** Throws when the table under the stream was deleted or replaced since the anchor was read. */
  async checkSameTable(): Promise<void> {
    const a = this.anchor;
    if (!a) return;
    const now = await this.store.head(commitPath(a.version));
    if (now && now.sizeBytes === a.file.sizeBytes && now.lastModifiedMs === a.file.lastModifiedMs) return;
    let latest: Snapshot;
    try {
      latest = await loadSnapshot(this.store);
    } catch (err) {
      if (isDeltaError(err, 'TABLE_NOT_FOUND')) throw streamTableDeleted(this.uri, a.version);
      throw err;
    }
    if (latest.metadata.id !== this.tableId) throw streamTableReplaced(this.uri, this.tableId, latest.metadata.id);
    this.anchor = undefined; // same table: log cleanup removed the anchor
  }

  /** Called when commit `version` does not exist: returns if it may still come, throws if it never will. */
  async checkMissing(version: Version): Promise<void> {
    if (this.anchor?.version === version - 1) return;
    if (version > 0) {
      const prev = await this.store.head(commitPath(version - 1));
      if (prev) {
        this.advance(version - 1, prev);
        return;
      }
    }
    const commits = await listCommits(this.store);
    const newer = commits.find((c) => c.version > version);
    if (newer) throw streamCommitsCleanedUp(this.uri, version, commits[0]!.version);
  }
}
