import { listCommits } from '../../log/list-log.js';
import { readCommit } from '../../log/read-commit.js';
import type { CommitInfo, Version } from '../../protocol/actions.js';
import { commitInfoOf } from '../../snapshot/replay.js';
import type { Snapshot } from '../../snapshot/snapshot.js';

/** One commit as history shows it. */
export interface HistoryEntry extends CommitInfo {
  version: Version;
  /** Commit time in ms: in-commit timestamp, else commitInfo.timestamp, else file time. */
  timestamp: number;
  operation: string;
  operationParameters: Record<string, unknown>;
}

/** The commits up to the snapshot's version, newest first, from each commit's commitInfo. */
export async function readHistory(snapshot: Snapshot, opts: { limit?: number } = {}): Promise<HistoryEntry[]> {
  const commits = (await listCommits(snapshot.store)).filter((c) => c.version <= snapshot.version).reverse();
  const wanted = opts.limit === undefined ? commits : commits.slice(0, Math.max(0, opts.limit));
  return Promise.all(wanted.map(async ({ version, file }) => {
    const info = commitInfoOf(await readCommit(snapshot.store, version)) ?? {};
    return {
      ...info,
      version,
      timestamp: info.inCommitTimestamp ?? info.timestamp ?? file.lastModifiedMs,
      operation: info.operation ?? 'UNKNOWN',
      operationParameters: info.operationParameters ?? {},
    };
  }));
}
