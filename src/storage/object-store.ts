/** An object in a store. Paths are relative to the store root and use '/' on every platform. */
export interface ObjectMeta {
  path: string;
  sizeBytes: number;
  lastModifiedMs: number;
}

/**
 * The storage contract every backend implements (local disk, S3).
 * Paths are relative to the table root, '/'-separated, never starting with '/'. get, getRange
 * and head also take an absolute location of the store's own kind (`file:///<path>`,
 * `s3://<bucket>/<key>`, decoded), for files a shallow clone's log references outside its root;
 * every other method refuses those (and local stores refuse '..'): nothing outside the root is
 * ever written, listed or deleted.
 */
export interface ObjectStore {
  /** A URI naming the root, for messages (`file:///tmp/t`, `s3://bucket/prefix`). */
  readonly rootUri: string;
  /** Whole object. FILE_NOT_FOUND if absent. */
  get(path: string): Promise<Uint8Array>;
  /** Bytes [start, end) of the object. FILE_NOT_FOUND if absent. */
  getRange(path: string, start: number, end: number): Promise<Uint8Array>;
  /** Metadata, or undefined when the object does not exist. */
  head(path: string): Promise<ObjectMeta | undefined>;
  /**
   * Every object whose path starts with `prefix`, recursively, in ascending order of path
   * (UTF-8 byte order): log replay relies on it. `startAfter` skips paths <= it.
   */
  list(prefix: string, opts?: { startAfter?: string }): AsyncIterable<ObjectMeta>;
  /** Writes the object, replacing any previous one. Readers never see a partial object. */
  put(path: string, bytes: Uint8Array): Promise<void>;
  /**
   * Writes an object under a name no one else writes (a data file's random name). It resolves
   * once the bytes are written; `durable` resolves once they would survive a crash (and rejects
   * with the failure otherwise): no commit may reference the object before that. Unlike put, a
   * reader could see it while it is written, which nothing does: no log references it yet.
   * Stores whose put costs no more than that need not implement it.
   */
  putUnique?(path: string, bytes: Uint8Array): Promise<{ durable: Promise<void> }>;
  /** The commit primitive: atomic, never replaces an existing object, never exposes a partial one. */
  putIfAbsent(path: string, bytes: Uint8Array): Promise<'created' | 'exists'>;
  /**
   * putIfAbsent that publishes only once `after` resolves (the commit's data files are durable),
   * preparing the object meanwhile, so the two waits overlap. When `after` rejects, nothing is
   * published and its error is thrown. Stores without it get `after` awaited, then putIfAbsent.
   */
  putIfAbsentAfter?(path: string, bytes: Uint8Array, after: Promise<void>): Promise<'created' | 'exists'>;
  /** Removes the object; an absent object is not an error. */
  delete(path: string): Promise<void>;
  /** Removes many objects in few requests, where the backend can (S3 DeleteObjects); absent ones are fine. */
  deleteMany?(paths: readonly string[]): Promise<void>;
  /**
   * Removes this backend's own temp files under `dir` that were last written before
   * `olderThanMs` (left by a writer killed between writing and publishing them); returns their
   * paths. Backends whose writes leave no temp files (S3) do not implement it.
   */
  removeStaleTempFiles?(dir: string, olderThanMs: number): Promise<string[]>;
}
