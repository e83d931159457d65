import { randomUUID } from 'node:crypto';
import { promises as fs, constants as fsConstants, linkSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import lockfile from 'proper-lockfile';
import { DeltaError, fileNotFound, outsideRoot, storageFailure } from '../errors.js';
import { createWithBytes, readSmallSync, SMALL_FILE_BYTES, type WrittenFile } from './local-small-files.js';
import type { ObjectMeta, ObjectStore } from './object-store.js';

/**
 * ObjectStore on a local (or mounted) filesystem.
 *
 * putIfAbsent:  write `.name.<uuid>.tmp` beside the target, fsync, link() it into place.
 *   link() fails with EEXIST when the target exists, so exactly one writer wins and no reader
 *   ever sees a partial file. Where link() is not supported (some network/FUSE mounts answer
 *   EPERM/ENOTSUP), a proper-lockfile lock on the parent directory serialises writers that use
 *   this library, and the temp file is renamed into place after an existence check.
 *
 * Small files (commits, one-row data files) are written and read with synchronous calls around
 * an asynchronous fsync (local-small-files.ts): a third of a small commit's time was thread-pool
 * round trips.
 */
export class LocalStore implements ObjectStore {
  readonly rootUri: string;
  constructor(readonly root: string) {
    this.root = path.resolve(root);
    this.rootUri = pathToFileURL(this.root).href;
  }

  async get(p: string): Promise<Uint8Array> {
    try {
      const file = this.readPath(p);
      return readSmallSync(file) ?? await fs.readFile(file);
    } catch (err) {
      throw this.wrap('get', p, err);
    }
  }

  async getRange(p: string, start: number, end: number): Promise<Uint8Array> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.readPath(p), 'r');
      const length = Math.max(0, end - start);
      const buf = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await handle.read(buf, read, length - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return buf.subarray(0, read);
    } catch (err) {
      throw this.wrap('getRange', p, err);
    } finally {
      await handle?.close();
    }
  }

  async head(p: string): Promise<ObjectMeta | undefined> {
    try {
      const st = statSync(this.readPath(p), { throwIfNoEntry: false });
      return st && metaOf(p, st);
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return undefined;
      throw this.wrap('head', p, err);
    }
  }

  async *list(prefix: string, opts: { startAfter?: string } = {}): AsyncIterable<ObjectMeta> {
    // Start at the deepest directory the prefix names, so listing _delta_log never walks data.
    const slash = prefix.lastIndexOf('/');
    const baseDir = slash >= 0 ? prefix.slice(0, slash + 1) : '';
    const names = await this.walk(baseDir);
    const compare = orderFor(opts.startAfter === undefined ? names : [...names, opts.startAfter]);
    const wanted = names.filter(
      (n) => n.startsWith(prefix) && (opts.startAfter === undefined || compare(n, opts.startAfter) > 0),
    );
    wanted.sort(compare);
    // Synchronous stats, in slices of at most STAT_SLICE_MS between turns of the event loop: a
    // promise per stat cost 3-6x more (10k log entries: 150-260 ms async, 27-55 ms this way),
    // and the slices keep the loop responsive (and bound the wait on a slow network mount).
    let sliceStart = performance.now();
    for (const name of wanted) {
      const meta = this.statSync(name);
      if (meta) yield meta; // a file deleted while listing is simply gone
      if (performance.now() - sliceStart > STAT_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  /** Metadata of a listed file (a name the walk found under the root, so not checked again as abs() does). */
  private statSync(p: string): ObjectMeta | undefined {
    try {
      const st = statSync(this.root + path.sep + (path.sep === '/' ? p : p.split('/').join(path.sep)), { throwIfNoEntry: false });
      return st && metaOf(p, st);
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return undefined;
      throw this.wrap('list', p, err);
    }
  }

  async put(p: string, bytes: Uint8Array): Promise<void> {
    const target = this.abs(p);
    let tmp: string | undefined;
    try {
      tmp = await this.writeTemp(target, bytes);
      await fs.rename(tmp, target); // atomic replace: readers see the old or the new file
      tmp = undefined;
    } catch (err) {
      throw this.wrap('put', p, err);
    } finally {
      if (tmp) await fs.rm(tmp, { force: true }).catch(() => undefined); // best effort: the error above is what matters
    }
  }

  async putUnique(p: string, bytes: Uint8Array): Promise<{ durable: Promise<void> }> {
    // No temp file and no rename: the name is new, so nothing is replaced and no reader looks.
    // The fsync is left running: the caller overlaps it with writing the commit (putIfAbsentAfter).
    let handle: WrittenFile;
    try {
      handle = await createWithBytes(this.abs(p), bytes);
    } catch (err) {
      throw this.wrap('put', p, err);
    }
    const durable = (async () => {
      try {
        // A small file's fsync waits one turn of the event loop, so that the commit written right
        // after it is created first: on ext4 a file created while an fsync commits the journal
        // waits for that commit, and then needs one of its own. Created first, both files go in
        // one journal commit. A large file's fsync starts at once: its writeback is the long part.
        if (bytes.byteLength <= SMALL_FILE_BYTES) await new Promise<void>((resolve) => setImmediate(resolve));
        await handle.sync();
      } catch (err) {
        throw this.wrap('put', p, err);
      } finally {
        await handle.close().catch(() => undefined);
      }
    })();
    durable.catch(() => undefined); // observed by whoever commits; never an unhandled rejection
    return { durable };
  }

  async putIfAbsentAfter(p: string, bytes: Uint8Array, after: Promise<void>): Promise<'created' | 'exists'> {
    const target = this.abs(p);
    const prepared = this.writeTemp(target, bytes).then((tmp) => tmp, (err: unknown) => { throw this.wrap('putIfAbsent', p, err); });
    const [tmp, ready] = await Promise.allSettled([prepared, after]);
    if (ready.status === 'rejected' || tmp.status === 'rejected') {
      if (tmp.status === 'fulfilled') await fs.rm(tmp.value, { force: true }).catch(() => undefined);
      throw ready.status === 'rejected' ? ready.reason : (tmp as PromiseRejectedResult).reason;
    }
    return this.publish(p, tmp.value, target);
  }

  async putIfAbsent(p: string, bytes: Uint8Array): Promise<'created' | 'exists'> {
    const target = this.abs(p);
    let tmp: string;
    try {
      tmp = await this.writeTemp(target, bytes);
    } catch (err) {
      throw this.wrap('putIfAbsent', p, err);
    }
    return this.publish(p, tmp, target);
  }

  /** Links a durable temp file into place unless the target exists; the temp file is removed either way. */
  private async publish(p: string, tmp: string, target: string): Promise<'created' | 'exists'> {
    try {
      try {
        linkSync(tmp, target);
        return 'created';
      } catch (err) {
        if (isCode(err, 'EEXIST')) return 'exists';
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].some((c) => isCode(err, c))) throw err;
        return await this.putIfAbsentLocked(tmp, target);
      }
    } catch (err) {
      throw this.wrap('putIfAbsent', p, err);
    } finally {
      removeQuietly(tmp);
    }
  }

  async delete(p: string): Promise<void> {
    try {
      await fs.unlink(this.abs(p));
    } catch (err) {
      if (isCode(err, 'ENOENT')) return;
      throw this.wrap('delete', p, err);
    }
  }

  async removeStaleTempFiles(dir: string, olderThanMs: number): Promise<string[]> {
    const removed: string[] = [];
    for (const rel of await this.walk(dir.endsWith('/') || dir === '' ? dir : dir + '/')) {
      if (!TEMP_FILE.test(rel.slice(rel.lastIndexOf('/') + 1))) continue;
      const meta = await this.head(rel);
      if (!meta || meta.lastModifiedMs >= olderThanMs) continue; // a writer may still be publishing it
      await this.delete(rel);
      removed.push(rel);
    }
    return removed;
  }

  /** Fallback for filesystems without hard links: only writers using this library are excluded. */
  private async putIfAbsentLocked(tmp: string, target: string): Promise<'created' | 'exists'> {
    const release = await lockfile.lock(path.dirname(target), {
      retries: { retries: 200, minTimeout: 5, maxTimeout: 50 },
      stale: 10_000,
    });
    try {
      try {
        await fs.access(target, fsConstants.F_OK);
        return 'exists';
      } catch {
        await fs.rename(tmp, target);
        return 'created';
      }
    } finally {
      await release();
    }
  }

  private async writeTemp(target: string, bytes: Uint8Array): Promise<string> {
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
    await this.writeDurably(tmp, bytes);
    return tmp;
  }

  /** Creates `file` (never replacing one) with `bytes`, fsynced; its folders are made when missing. */
  private async writeDurably(file: string, bytes: Uint8Array): Promise<void> {
    const handle = await createWithBytes(file, bytes);
    try {
      await handle.sync(); // durable before it becomes visible
    } catch (err) {
      await handle.close().catch(() => undefined);
      await fs.rm(file, { force: true }).catch(() => undefined);
      throw err;
    }
    await handle.close();
  }

  /** All file paths under `dir` (relative to root, '/'-separated), recursively. */
  private async walk(dir: string): Promise<string[]> {
    const out: string[] = [];
    const visit = async (rel: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(this.abs(rel), { withFileTypes: true });
      } catch (err) {
        if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return;
        throw this.wrap('list', rel, err);
      }
      for (const e of entries) {
        const child = rel + e.name;
        if (e.isDirectory()) await visit(child + '/');
        else if (e.isFile()) out.push(child);
      }
    };
    await visit(dir);
    return out;
  }

  /** The file of a path under the root; '..' and absolute locations are refused: nothing is written or deleted outside the root. */
  private abs(p: string): string {
    if (p.startsWith('file:') || p.split('/').includes('..')) throw outsideRoot(p, this.rootUri);
    return path.join(this.root, ...p.split('/'));
  }

  /**
   * The file of a read: a path under the root, or an absolute `file:///...` location (a shallow
   * clone's file, already decoded by the path gate). Only get, getRange and head take these.
   */
  private readPath(p: string): string {
    return p.startsWith('file://') ? path.resolve(p.slice('file://'.length)) : this.abs(p);
  }

  private wrap(op: string, p: string, err: unknown): Error {
    if (err instanceof DeltaError) return err;
    const where = p.startsWith('file://') ? p : `${this.rootUri}/${p}`;
    if (isCode(err, 'ENOENT')) return fileNotFound(where, err);
    return storageFailure(op, where, err, isCode(err, 'EMFILE') || isCode(err, 'EAGAIN'));
  }
}

/** Longest run of synchronous stats in a listing before the event loop gets a turn. */
const STAT_SLICE_MS = 2;

/** The temp files writeTemp names: `.<target name>.<uuid>.tmp`. */
const TEMP_FILE = /^\..+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/**
 * The UTF-8 byte order for these strings, cheaply: UTF-16 code-unit order is the same unless a
 * string holds a surrogate pair or a character from U+E000 up, so plain string comparison serves
 * for nearly every listing (on a 10k-commit log, byte-wise comparison was most of the open time).
 */
function orderFor(strings: readonly string[]): (a: string, b: string) => number {
  if (strings.some((s) => BEYOND_PLAIN_ORDER.test(s))) return compareUtf8;
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}
const BEYOND_PLAIN_ORDER = /[\ud800-\uffff]/;

/** Compares strings by their UTF-8 bytes, the order object stores list in. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The listing entry of a stat: files only (a folder or a socket is no object). */
function metaOf(p: string, st: { isFile(): boolean; size: number; mtimeMs: number }): ObjectMeta | undefined {
  return st.isFile() ? { path: p, sizeBytes: st.size, lastModifiedMs: Math.floor(st.mtimeMs) } : undefined;
}

/** Removes a temp file whose work is done; one already gone is fine, and a failure leaves it to the sweep. */
function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Best effort: a leftover temp file is invisible to readers and swept after an hour.
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
