import { isDeltaError } from '../errors.js';
import { readCommit } from '../log/read-commit.js';
import type { AddAction, Metadata, Protocol, Version } from '../protocol/actions.js';
import { commitPath } from '../protocol/log-paths.js';
import type { ObjectMeta, ObjectStore } from '../storage/object-store.js';

/** What a streaming source needs to know about one commit. */
export interface VersionChanges {
  version: Version;
  /** The commit file as the store described it when it was read (to notice it being replaced later). */
  commitFile: ObjectMeta;
  /** `add` actions with dataChange=true, in commit order; a file's offset index is its position here. */
  files: AddAction[];
  /** The commit removes data (`remove` with dataChange=true). */
  removesData: boolean;
  metadata: Metadata | undefined;
  protocol: Protocol | undefined;
  /** Number of add, remove and cdc actions: the change-feed source's unit for maxFilesPerTrigger. */
  fileActionCount: number;
  sizeBytes: number;
}

/**
 * Reads the commit of `version`; undefined when it does not exist (yet). Compaction and other
 * dataChange=false actions are not data for a stream, so they are not in `files`.
 */
export async function readVersionChanges(store: ObjectStore, version: Version): Promise<VersionChanges | undefined> {
  const commitFile = await store.head(commitPath(version));
  if (!commitFile) return undefined;
  let actions;
  try {
    actions = await readCommit(store, version);
  } catch (err) {
    if (isDeltaError(err, 'FILE_NOT_FOUND')) return undefined;
    throw err;
  }
  const out: VersionChanges = {
    version, commitFile, files: [], removesData: false, metadata: undefined, protocol: undefined, fileActionCount: 0, sizeBytes: 0,
  };
  for (const a of actions) {
    if ('add' in a) {
      out.fileActionCount++;
      if (a.add.dataChange) {
        out.files.push(a.add);
        out.sizeBytes += a.add.size;
      }
    } else if ('remove' in a) {
      out.fileActionCount++;
      if (a.remove.dataChange) out.removesData = true;
    } else if ('cdc' in a) {
      out.fileActionCount++;
    } else if ('metaData' in a) {
      out.metadata = a.metaData;
    } else if ('protocol' in a) {
      out.protocol = a.protocol;
    }
  }
  return out;
}
