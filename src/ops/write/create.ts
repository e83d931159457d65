import type { Schema } from 'apache-arrow';
import { invalidArgument, isDeltaError } from '../../errors.js';
import { checkWriteSupport, requiredProtocol } from '../../protocol/features.js';
import { parseSchemaString } from '../../protocol/schema.js';
import { arrowToDeltaSchema } from '../../protocol/arrow-schema.js';
import { normalizeSchema } from '../../format/arrow-input.js';
import { loadSnapshot } from '../../snapshot/snapshot.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { emptyFootprint } from '../../txn/conflict-checker.js';
import { commitTransaction } from '../../txn/transaction.js';
import { newMetadata } from './table-plan.js';
import { validateCreateOptions } from './validate-options.js';
import { checkNewTableLocation, checkTableLayout } from './write-checks.js';
import { validateTableProperties } from '../../protocol/table-properties.js';

export interface CreateOptions {
  /**
   * The table's columns, exactly: nullability as each field says and zone-less timestamps as
   * timestamp_ntz (unlike writes, which make created columns nullable and UTC). Any apache-arrow
   * >= 15; input-only types (Dictionary, LargeUtf8, Float16...) map as writes convert them.
   */
  schema: Schema;
  partitionBy?: string[];
  properties?: Record<string, string>;
  name?: string;
  description?: string;
  now?: () => number;
}

/** Commits version 0 of a new, empty table (protocol + metaData); refuses when a table exists. */
export async function createTable(store: ObjectStore, opts: CreateOptions): Promise<number> {
  validateCreateOptions(opts);
  if (opts.properties) opts = { ...opts, properties: validateTableProperties(opts.properties) };
  try {
    const existing = await loadSnapshot(store);
    throw invalidArgument(`a Delta table already exists at ${store.rootUri} (version ${existing.version})`, 'open it with DeltaTable.open(), or choose another location');
  } catch (err) {
    if (!isDeltaError(err, 'TABLE_NOT_FOUND')) throw err;
  }
  await checkNewTableLocation(store);
  const schema = arrowToDeltaSchema(normalizeSchema(opts.schema));
  checkTableLayout(schema, opts.partitionBy ?? [], 'the schema');
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
