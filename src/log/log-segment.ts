import type { ObjectMeta } from '../storage/object-store.js';
import type { Version } from '../protocol/actions.js';

/** A checkpoint as found in the listing: one file, or all parts of a multi-part checkpoint. */
export interface CheckpointFiles {
  version: Version;
  /** classic `<v>.checkpoint.parquet`, multi-part parts, or UUID-named V2 (json or parquet). */
  kind: 'classic' | 'multipart' | 'uuid';
  files: ObjectMeta[];
}

/**
 * The log files that reconstruct one version: an optional checkpoint and the contiguous commits
 * after it, up to and including `version`.
 */
export interface LogSegment {
  version: Version;
  checkpoint: CheckpointFiles | undefined;
  /** Commits checkpoint+1 .. version (or 0 .. version), ascending, contiguous. */
  commits: Array<{ version: Version; file: ObjectMeta }>;
  /** Other complete checkpoints at or below `version`, newest first: fallbacks if one is unreadable. */
  olderCheckpoints: CheckpointFiles[];
}
