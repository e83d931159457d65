import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeltaError } from '../../src/errors.js';
import type { ObjectStore } from '../../src/storage/object-store.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function collect(it: AsyncIterable<{ path: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of it) out.push(m.path);
  return out;
}

/**
 * The contract every ObjectStore must pass. `makeStore` returns a store over a fresh, empty root.
 */
export function runObjectStoreContract(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    test('get of a missing object is FILE_NOT_FOUND naming the path', async () => {
      const store = await makeStore();
      await assert.rejects(store.get('nope/missing.json'), (e: unknown) => {
        assert.ok(e instanceof DeltaError);
        assert.equal(e.code, 'FILE_NOT_FOUND');
        assert.match(e.message, /missing\.json/);
        return true;
      });
    });

    test('put then get returns the same bytes, and put replaces', async () => {
      const store = await makeStore();
      await store.put('a/b.txt', enc('first'));
      assert.equal(dec(await store.get('a/b.txt')), 'first');
      await store.put('a/b.txt', enc('second!'));
      assert.equal(dec(await store.get('a/b.txt')), 'second!');
    });

    test('getRange returns exactly the bytes [start, end)', async () => {
      const store = await makeStore();
      await store.put('r.bin', enc('0123456789'));
      assert.equal(dec(await store.getRange('r.bin', 2, 6)), '2345');
      assert.equal(dec(await store.getRange('r.bin', 7, 10)), '789');
      assert.equal(dec(await store.getRange('r.bin', 0, 1)), '0');
    });

    test('head gives size and modification time, undefined when absent', async () => {
      const store = await makeStore();
      const before = Date.now();
      await store.put('h/x.bin', new Uint8Array(1234));
      const meta = await store.head('h/x.bin');
      assert.ok(meta);
      assert.equal(meta.path, 'h/x.bin');
      assert.equal(meta.sizeBytes, 1234);
      assert.ok(Math.abs(meta.lastModifiedMs - before) < 120_000, `mtime ${meta.lastModifiedMs} near ${before}`);
      assert.equal(await store.head('h/absent.bin'), undefined);
    });

    test('list is recursive, in UTF-8 byte order, honours prefix and startAfter', async () => {
      const store = await makeStore();
      const paths = [
        '_delta_log/00000000000000000000.json',
        '_delta_log/00000000000000000001.json',
        '_delta_log/00000000000000000002.checkpoint.parquet',
        '_delta_log/00000000000000000002.json',
        '_delta_log/_sidecars/s1.parquet',
        'p=a b/part-1.parquet',
        'p=a-c/part-2.parquet',
        'p=a/part-3.parquet',
        'z\u00e9.parquet',
      ];
      for (const p of [...paths].reverse()) await store.put(p, enc(p));
      assert.deepEqual(await collect(store.list('')), [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      assert.deepEqual(await collect(store.list('_delta_log/')), paths.slice(0, 5));
      assert.deepEqual(
        await collect(store.list('_delta_log/', { startAfter: '_delta_log/00000000000000000001.json' })),
        paths.slice(2, 5),
      );
      assert.deepEqual(await collect(store.list('_delta_log/0000000000000000000')), paths.slice(0, 4));
      assert.deepEqual(await collect(store.list('p=a/')), ['p=a/part-3.parquet']);
      assert.deepEqual(await collect(store.list('nothing-here/')), []);
    });

    test('putIfAbsent creates once, then reports exists and keeps the first body', async () => {
      const store = await makeStore();
      assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', enc('first')), 'created');
      assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', enc('second')), 'exists');
      assert.equal(dec(await store.get('_delta_log/00000000000000000000.json')), 'first');
    });

    test('racing putIfAbsent calls on one key: exactly one wins and its body is stored', async () => {
      const store = await makeStore();
      for (let round = 0; round < 5; round++) {
        const key = `_delta_log/race-${round}.json`;
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.putIfAbsent(key, enc(`writer-${i}`))),
        );
        const winners = outcomes.flatMap((o, i) => (o === 'created' ? [i] : []));
        assert.equal(winners.length, 1, `round ${round}: ${outcomes.join(',')}`);
        assert.equal(dec(await store.get(key)), `writer-${winners[0]}`);
      }
    });

    test('putIfAbsent leaves no temporary object visible in listings', async () => {
      const store = await makeStore();
      await store.putIfAbsent('_delta_log/00000000000000000007.json', enc('x'));
      await store.putIfAbsent('_delta_log/00000000000000000007.json', enc('y'));
      assert.deepEqual(await collect(store.list('_delta_log/')), ['_delta_log/00000000000000000007.json']);
    });

    test('delete removes the object; deleting an absent object is not an error', async () => {
      const store = await makeStore();
      await store.put('d/x', enc('x'));
      await store.delete('d/x');
      assert.equal(await store.head('d/x'), undefined);
      await store.delete('d/x');
      await store.delete('never/was');
    });

    test('a 5 MiB object round-trips byte for byte', async () => {
      const store = await makeStore();
      const big = new Uint8Array(5 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      await store.put('big/blob.bin', big);
      const back = await store.get('big/blob.bin');
      assert.equal(back.length, big.length);
      assert.ok(Buffer.from(back).equals(Buffer.from(big)));
      assert.deepEqual([...(await store.getRange('big/blob.bin', big.length - 3, big.length))], [...big.subarray(big.length - 3)]);
    });
  });
}
