import { commitPath } from '../protocol/log-paths.js';
import { parseTableUri, storeForUri, type StorageOptions } from '../storage/store-for-url.js';
import { CommitWatcher } from './commit-watcher.js';

export interface WatchVersionsOptions {
  /** Stops the watch; the iteration then ends. */
  signal?: AbortSignal;
  /** Longest wait between two looks at the log. @defaultValue 1000 */
  pollIntervalMs?: number;
  storage?: StorageOptions;
}

/**
 * Yields each new version of the table after `fromVersion`, in order, as its commit appears:
 * the waiting is the stream source's (CommitWatcher: file-system notifications on local tables,
 * polling with backoff everywhere), and a version counts once its commit file exists.
 */
export async function* watchVersions(uri: string, fromVersion: number, opts: WatchVersionsOptions = {}): AsyncGenerator<number> {
  const store = await storeForUri(uri, opts.storage ?? {});
  const loc = parseTableUri(uri);
  const watcher = new CommitWatcher(opts.pollIntervalMs ?? 1000, opts.signal, loc.kind === 'local' ? `${loc.root}/_delta_log` : undefined);
  let version = fromVersion;
  try {
    while (!opts.signal?.aborted) {
      let found = false;
      while (!opts.signal?.aborted && await store.head(commitPath(version + 1))) {
        version++;
        found = true;
        yield version;
      }
      if (found) watcher.resetBackoff();
      await watcher.wait();
    }
  } finally {
    watcher.close();
  }
}
