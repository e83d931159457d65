import { RecordBatchStreamWriter, Table, tableToIPC, type RecordBatch, type Schema } from 'apache-arrow';

/**
 * Arrow IPC stream bytes of one batch, as tableToIPC makes them, with the schema message taken
 * from reuseSchemaMessage's cache when the batch's schema is one registered there.
 *
 * Why: a checkpoint's schema is wide and nested (every action's columns), and Arrow JS encodes
 * the schema message anew for every stream: measured, it was half the IPC cost of a checkpoint
 * batch (0.68 ms of 1.3-1.5 ms for 10-500 add rows). Each checkpoint batch crosses into
 * parquet-wasm as a stream of its own.
 */
export function batchToIPCStream(batch: RecordBatch): Uint8Array {
  const message = reusedMessage(batch.schema);
  if (!message) return tableToIPC(new Table([batch]), 'stream');
  return new StreamWriterReusingSchema(message).writeAll(new Table([batch])).toUint8Array(true);
}

/**
 * Encodes `schema`'s IPC message once, for every later batchToIPCStream of a batch of it. For the
 * few long-lived schemas (the checkpoint's): a batch's schema is a copy (Arrow's RecordBatch makes
 * its own, and copies fields), so it is matched field by field: same name, nullability and
 * metadata, and the very same type object (which fixes the nested fields and dictionary ids),
 * so every byte of the message is the same.
 */
export function reuseSchemaMessage(schema: Schema): void {
  if (reused.some((r) => r.schema === schema)) return;
  const stream = tableToIPC(new Table(schema), 'stream');
  // A stream of no batches is the schema message and the 8-byte end-of-stream marker.
  reused.push({ schema, message: stream.slice(0, stream.byteLength - END_OF_STREAM_BYTES) });
}

const reused: Array<{ schema: Schema; message: Uint8Array }> = [];
const END_OF_STREAM_BYTES = 8;

function reusedMessage(schema: Schema): Uint8Array | undefined {
  return reused.find((r) => sameFieldsAndMetadata(r.schema, schema))?.message;
}

function sameFieldsAndMetadata(a: Schema, b: Schema): boolean {
  if (a.fields.length !== b.fields.length || !sameMetadata(a.metadata, b.metadata)) return false;
  return a.fields.every((f, i) => {
    const g = b.fields[i]!;
    return f === g || (f.type === g.type && f.name === g.name && f.nullable === g.nullable && sameMetadata(f.metadata, g.metadata));
  });
}

function sameMetadata(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** Writes a given schema message where Arrow JS would encode one (the stream's first message). */
class StreamWriterReusingSchema extends RecordBatchStreamWriter {
  constructor(private readonly schemaMessage: Uint8Array) {
    super();
  }

  protected override _writeSchema(_schema: Schema): this {
    return this._write(this.schemaMessage);
  }
}
