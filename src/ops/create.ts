import type { Schema } from 'apache-arrow';
import { invalidArgument, isDeltaError } from '../errors.js';
import { checkWriteSupport, requiredProtocol } from '../protocol/features.js';
import { arrowToDeltaSchema, parseSchemaString } from '../protocol/schema.js';
import { loadSnapshot } from '../snapshot/snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import { emptyFootprint } from '../txn/conflict-checker.js';
import { commitTransaction } from '../txn/transaction.js';
import { newMetadata } from './table-plan.js';

export interface CreateOptions {
  schema: Schema;
  partitionBy?: string[];
  properties?: Record<string, string>;
  name?: string;
  description?: string;
  now?: () => number;
}

/** Commits version 0 of a new, empty table (protocol + metaData); refuses when a table exists. */
export async function createTable(store: ObjectStore, opts: CreateOptions): Promise<number> {
  try {
    const existing = await loadSnapshot(store);
    throw invalidArgument(`a Delta table already exists at ${store.rootUri} (version ${existing.version})`, 'open it with DeltaTable.open(), or choose another location');
  } catch (err) {
    if (!isDeltaError(err, 'TABLE_NOT_FOUND')) throw err;
  }
  const schema = arrowToDeltaSchema(opts.schema);
  const metadata = newMetadata(schema, opts.partitionBy ?? [], opts.properties ?? {}, opts);
  const protocol = requiredProtocol(parseSchemaString(metadata.schemaString, 'metaData'), metadata.configuration);
  checkWriteSupport(protocol, metadata);
  const result = await commitTransaction({
    store,
    readVersion: -1,
    actions: [{ protocol }, { metaData: metadata }],
    operation: 'CREATE TABLE',
    operationParameters: {
      isManaged: 'false',
      description: metadata.description ?? '',
      partitionBy: JSON.stringify(metadata.partitionColumns),
      properties: JSON.stringify(metadata.configuration),
    },
    footprint: emptyFootprint({ changesMetadata: true, changesProtocol: true }),
    ...(metadata.configuration['delta.enableInCommitTimestamps'] === 'true' ? { inCommitTimestamps: { previous: undefined } } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return result.version;
}
