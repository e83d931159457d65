import { watch } from 'node:fs';

/**
 * Calls `onChange` when anything in a local directory changes, until the returned stop function
 * is called or the platform reports an error (then `onError`). Throws when the platform cannot watch it.
 */
export function watchDirectory(dir: string, onChange: () => void, onError: () => void): () => void {
  const watcher = watch(dir, { persistent: false }, () => onChange());
  const stop = (): void => watcher.close();
  watcher.on('error', onError);
  return stop;
}
