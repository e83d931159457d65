import { Bool, Field, Int64, makeData, RecordBatch, Schema, Struct, type Data, type DataType } from 'apache-arrow';
import { reuseSchemaMessage } from '../format/arrow-ipc.js';
import { dataFromValues } from '../format/data-from-values.js';
import { isDeltaError } from '../errors.js';
import { castData, nullData } from '../format/arrow-cast.js';
import { takeData } from '../format/arrow-take.js';
import type { Action } from '../protocol/actions.js';
import { CHECKPOINT_SCHEMA } from './checkpoint-schema.js';

/**
 * The checkpoint schema to write: Spark's classic columns, plus `checkpointMetadata` when the
 * table has the v2Checkpoint feature (a classic-named V2 checkpoint must hold exactly one
 * checkpointMetadata action, PROTOCOL.md "V2 Spec").
 */
export function checkpointSchema(v2: boolean): Schema {
  const schema = v2 ? (v2Schema ??= withCheckpointMetadata(CHECKPOINT_SCHEMA)) : CHECKPOINT_SCHEMA;
  reuseSchemaMessage(schema); // every checkpoint batch crosses into the encoder as an IPC stream of its own
  return schema;
}

let v2Schema: Schema | undefined;

function withCheckpointMetadata(classic: Schema): Schema {
  const tags = classic.fields.find((f) => f.name === 'add')!.type.children.find((f: Field) => f.name === 'tags')!;
  const checkpointMetadata = new Field('checkpointMetadata', new Struct([new Field('version', new Int64(), true), tags]), true);
  return new Schema([...classic.fields, checkpointMetadata]);
}

/** One batch with a checkpoint row per action (the action's own column set, the others null). */
export function actionsToBatch(actions: readonly Action[], schema: Schema): RecordBatch {
  const children = schema.fields.map((field) =>
    dataFromValues(field.type as DataType, actions.map((a) => (a as unknown as Record<string, unknown>)[field.name] ?? null)));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: actions.length, nullCount: 0, children }));
}

/**
 * Rows `rows` of a checkpoint's `add` or `remove` struct column, copied column-wise (no JS object
 * per row) into a batch of `schema`, with dataChange set to false as a checkpoint requires.
 * Columns the source lacks are null, columns `schema` lacks are dropped. Undefined when the source
 * column has a type that cannot be converted losslessly (the caller then goes through objects).
 */
export function copyFileRows(column: Data, kind: 'add' | 'remove', rows: Int32Array, schema: Schema): RecordBatch | undefined {
  const target = schema.fields.find((f) => f.name === kind)!.type as Struct;
  let copied: Data;
  try {
    copied = castData(takeData(column, rows), target);
  } catch (err) {
    if (isDeltaError(err, 'INVALID_ARGUMENT')) return undefined;
    throw err;
  }
  const n = rows.length;
  const children = target.children.map((f, i) =>
    f.name === 'dataChange' ? makeData({ type: new Bool(), length: n, nullCount: 0, data: new Uint8Array(Math.ceil(n / 8)) }) : copied.children[i]!);
  const struct = makeData({ type: target, length: n, nullCount: 0, children });
  const columns = schema.fields.map((f) => (f.name === kind ? struct : nullData(f.type as DataType, n)));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: columns }));
}
