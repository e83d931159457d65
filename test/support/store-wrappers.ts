import type { Scheduler } from 'fast-check';
import { storageFailure } from '../../src/errors.js';
import type { ObjectMeta, ObjectStore } from '../../src/storage/object-store.js';

/** A real store whose every call starts only when the fast-check scheduler says so. */
export function scheduledStore(inner: ObjectStore, s: Scheduler, who: string): ObjectStore {
  const gate = (label: string): Promise<void> => s.schedule(Promise.resolve(), `${who}: ${label}`) as Promise<void>;
  return {
    rootUri: inner.rootUri,
    async get(p) { await gate(`get ${p}`); return inner.get(p); },
    async getRange(p, a, b) { await gate(`getRange ${p}`); return inner.getRange(p, a, b); },
    async head(p) { await gate(`head ${p}`); return inner.head(p); },
    async *list(prefix, opts) {
      await gate(`list ${prefix}`);
      const all: ObjectMeta[] = [];
      for await (const m of inner.list(prefix, opts)) all.push(m);
      yield* all;
    },
    async put(p, b) { await gate(`put ${p}`); return inner.put(p, b); },
    async putIfAbsent(p, b) { await gate(`putIfAbsent ${p}`); return inner.putIfAbsent(p, b); },
    async delete(p) { await gate(`delete ${p}`); return inner.delete(p); },
  };
}

/** A real store that fails a chosen operation (optionally after performing it: an ambiguous outcome). */
export function faultyStore(
  inner: ObjectStore,
  opts: { failOn: keyof ObjectStore; times?: number; afterEffect?: boolean; match?: RegExp },
): ObjectStore & { failures: number } {
  let remaining = opts.times ?? 1;
  const wrapper = {
    failures: 0,
    rootUri: inner.rootUri,
    get: (p: string) => inner.get(p),
    getRange: (p: string, a: number, b: number) => inner.getRange(p, a, b),
    head: (p: string) => inner.head(p),
    list: (prefix: string, o?: { startAfter?: string }) => inner.list(prefix, o),
    put: (p: string, b: Uint8Array) => inner.put(p, b),
    putIfAbsent: (p: string, b: Uint8Array) => inner.putIfAbsent(p, b),
    delete: (p: string) => inner.delete(p),
  } as ObjectStore & { failures: number };
  const original = (inner as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[opts.failOn]!.bind(inner);
  (wrapper as unknown as Record<string, unknown>)[opts.failOn] = async (...args: unknown[]) => {
    if (remaining > 0 && (!opts.match || opts.match.test(String(args[0])))) {
      remaining--;
      wrapper.failures++;
      if (opts.afterEffect) await original(...args);
      throw storageFailure(String(opts.failOn), String(args[0]), new Error('injected failure'), true);
    }
    return original(...args);
  };
  return wrapper;
}

/** A real store that records the path of every call (`get a`, `list _delta_log/`, ...), for tests of what was touched. */
export function recordingStore(inner: ObjectStore): ObjectStore & { calls: string[] } {
  const calls: string[] = [];
  const note = (op: string, p: string): void => {
    calls.push(`${op} ${p}`);
  };
  return {
    calls,
    rootUri: inner.rootUri,
    async get(p) { note('get', p); return inner.get(p); },
    async getRange(p, a, b) { note('getRange', p); return inner.getRange(p, a, b); },
    async head(p) { note('head', p); return inner.head(p); },
    list(prefix, opts) { note('list', prefix); return inner.list(prefix, opts); },
    async put(p, b) { note('put', p); return inner.put(p, b); },
    async putIfAbsent(p, b) { note('putIfAbsent', p); return inner.putIfAbsent(p, b); },
    async delete(p) { note('delete', p); return inner.delete(p); },
  };
}
