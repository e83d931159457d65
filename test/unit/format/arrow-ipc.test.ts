import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Field, Int64, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { batchToIPCStream, reuseSchemaMessage } from '../../../src/format/arrow-ipc.js';
import { actionsToBatch, checkpointSchema } from '../../../src/log/checkpoint-batches.js';
import type { Action } from '../../../src/protocol/actions.js';

// batchToIPCStream must give exactly the bytes tableToIPC gives, whether it reuses the schema
// message or not: parquet-wasm reads these bytes, and a wrong schema message would give the
// checkpoint wrong columns.

const action = fc.oneof(
  fc.record({ path: fc.string({ unit: 'grapheme' }), size: fc.maxSafeNat(), stats: fc.option(fc.string(), { nil: undefined }) })
    .map(({ path, size, stats }): Action => ({ add: { path, size, partitionValues: { p: path.slice(0, 3) }, modificationTime: 1, dataChange: false, ...(stats === undefined ? {} : { stats }) } })),
  fc.record({ path: fc.string(), ts: fc.maxSafeNat() })
    .map(({ path, ts }): Action => ({ remove: { path, deletionTimestamp: ts, dataChange: false } })),
  fc.record({ appId: fc.string(), version: fc.maxSafeNat() }).map(({ appId, version }): Action => ({ txn: { appId, version } })),
);

test('batchToIPCStream gives tableToIPC\'s bytes for checkpoint batches (schema message reused), classic and V2', () => {
  fc.assert(fc.property(fc.array(action, { minLength: 1, maxLength: 30 }), fc.boolean(), (actions, v2) => {
    const batch = actionsToBatch(actions, checkpointSchema(v2));
    const expected = tableToIPC(new Table([batch]), 'stream');
    assert.deepEqual(Buffer.from(batchToIPCStream(batch)), Buffer.from(expected));
  }), { numRuns: 60 });
});

test('a schema that differs from a reused one only in a name, a nullability or metadata gets its own schema message', () => {
  const id = new Int64();
  const label = new Utf8();
  const base = new Schema([new Field('id', id, false), new Field('label', label, true)]);
  reuseSchemaMessage(base);
  const variants = [
    base,
    new Schema([new Field('id', id, false), new Field('label', label, true)]), // same fields, rebuilt: reused
    new Schema([new Field('ID', id, false), new Field('label', label, true)]),
    new Schema([new Field('id', id, true), new Field('label', label, true)]),
    new Schema([new Field('id', id, false, new Map([['k', 'v']])), new Field('label', label, true)]),
    new Schema([new Field('id', id, false), new Field('label', label, true)], new Map([['k', 'v']])),
    new Schema([new Field('id', new Int64(), false), new Field('label', new Utf8(), true)]),
  ];
  for (const schema of variants) {
    const batch = twoRows(schema);
    const bytes = batchToIPCStream(batch);
    assert.deepEqual(Buffer.from(bytes), Buffer.from(tableToIPC(new Table([batch]), 'stream')));
    const back = tableFromIPC(bytes);
    assert.deepEqual(back.schema.fields.map((f) => [f.name, f.nullable, [...f.metadata]]), schema.fields.map((f) => [f.name, f.nullable, [...f.metadata]]));
    assert.deepEqual([...back.schema.metadata], [...schema.metadata]);
    assert.deepEqual(back.toArray().map((r) => Object.values(r.toJSON())), [[7n, 'seven'], [-(2n ** 63n), null]]);
  }
});

/** Two rows of `schema` (id, label). */
function twoRows(schema: Schema): RecordBatch {
  const ids = vectorFromArray([7n, -(2n ** 63n)], schema.fields[0]!.type as Int64).data[0]!;
  const labels = vectorFromArray(['seven', null], schema.fields[1]!.type as Utf8).data[0]!;
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children: [ids, labels] }));
}
