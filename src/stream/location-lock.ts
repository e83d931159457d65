import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { DeltaError, streamLocationInUse, storageFailure } from '../errors.js';

interface Owner {
  pid: number;
  host: string;
  token: string;
  acquiredAt: string;
}

/** A lock owned by a host we cannot probe counts as live until its heartbeat is this old. */
const FOREIGN_STALE_MS = 30_000;
const HEARTBEAT_MS = 5_000;

/**
 * Exclusive ownership of a local checkpoint location by one live reader. The lock file names its
 * owner's pid and host: a lock left by a killed process on this host is taken over at once
 * (no stale-timeout wait after a crash); a lock from another host is honoured until its
 * heartbeat stops. Breaking a dead owner's lock happens under a second, mkdir-based guard so two
 * restarting readers cannot both break it and both believe they own it.
 */
export class LocationLock {
  private heartbeat: NodeJS.Timeout | undefined;
  private constructor(private readonly file: string, private readonly token: string) {}

  static async acquire(dir: string): Promise<LocationLock> {
    try {
      return await LocationLock.tryAcquire(dir);
    } catch (err) {
      if (err instanceof DeltaError) throw err;
      throw storageFailure('lock', path.join(dir, 'lock'), err); // a read-only or full disk under the checkpoint location
    }
  }

  private static async tryAcquire(dir: string): Promise<LocationLock> {
    await ensureDirectory(dir);
    const file = path.join(dir, 'lock');
    const me: Owner = { pid: process.pid, host: hostname(), token: randomUUID(), acquiredAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 20; attempt++) {
      if (await tryCreate(file, me)) {
        const lock = new LocationLock(file, me.token);
        lock.heartbeat = setInterval(() => void utimes(file, new Date(), new Date()).catch(() => undefined), HEARTBEAT_MS);
        lock.heartbeat.unref();
        return lock;
      }
      const owner = await readOwner(file);
      if (owner && await isLive(file, owner)) {
        throw streamLocationInUse(dir, `pid ${owner.pid} on ${owner.host} since ${owner.acquiredAt}`);
      }
      await breakDeadLock(file, owner);
    }
    throw streamLocationInUse(dir, 'the lock changed hands 20 times while acquiring it');
  }

  /** Releases the lock if this reader still owns it. */
  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    const owner = await readOwner(this.file);
    if (owner?.token === this.token) await unlink(this.file).catch(() => undefined);
  }
}

/**
 * mkdir -p that reports the real reason: Node's recursive mkdir answers ENOENT for whatever
 * stopped it (a read-only or full disk, permissions), so the first missing level is retried
 * alone to surface its own error.
 */
async function ensureDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw err;
    let missing = path.resolve(dir);
    while (path.dirname(missing) !== missing && !(await stat(path.dirname(missing)).then(() => true, () => false))) missing = path.dirname(missing);
    await mkdir(missing);
    throw err;
  }
}

async function tryCreate(file: string, me: Owner): Promise<boolean> {
  try {
    const fh = await open(file, 'wx');
    try {
      await fh.writeFile(JSON.stringify(me));
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw storageFailure('lock', file, err);
  }
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Owner;
  } catch {
    // Absent, or caught between create and write: treat as unknown and retry.
    return undefined;
  }
}

async function isLive(file: string, owner: Owner): Promise<boolean> {
  if (owner.host === hostname()) {
    try {
      process.kill(owner.pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  const s = await stat(file).catch(() => undefined);
  return s !== undefined && Date.now() - s.mtimeMs < FOREIGN_STALE_MS;
}

async function breakDeadLock(file: string, seen: Owner | undefined): Promise<void> {
  if (!seen) {
    await new Promise((r) => setTimeout(r, 20));
    return;
  }
  const guard = `${file}.break`;
  try {
    await mkdir(guard);
  } catch {
    // Another reader is breaking it; a guard left by a crash mid-break expires after a while.
    const s = await stat(guard).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > 10_000) await rmdir(guard).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    return;
  }
  try {
    const now = await readOwner(file);
    if (now?.token === seen.token) {
      // Move aside rather than unlink, so the dead owner's record stays inspectable until replaced.
      await rename(file, `${file}.dead`).catch(() => undefined);
    }
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}
