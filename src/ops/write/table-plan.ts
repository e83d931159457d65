import { invalidArgument, unsupportedFeature } from '../../errors.js';
import type { Metadata, Protocol } from '../../protocol/actions.js';
import { assignColumnMapping, MAX_COLUMN_ID_KEY, maxColumnId } from '../../protocol/column-mapping.js';
import { legacyFeatures } from '../../protocol/feature-catalog.js';
import { requiredProtocol, validateProtocolShape } from '../../protocol/features.js';
import { parseSchemaString, serializeSchema, type StructType } from '../../protocol/schema.js';
import { columnMappingMode, dropColumnMappingMetadata, type ColumnMappingMode } from '../../protocol/column-mapping.js';
import type { TableState } from '../../snapshot/table-state.js';
import { mergeSchemas } from './schema-enforcement.js';

/** What a write commits about the table itself: schema, metaData and protocol. */
export interface TablePlan {
  /** The logical schema of the table after the write (with column mapping metadata). */
  schema: StructType;
  metadata: Metadata;
  protocol: Protocol;
  columnMapping: ColumnMappingMode;
  metadataChanged: boolean;
  protocolChanged: boolean;
}

export interface TablePlanOptions {
  partitionBy?: string[];
  schemaMode?: 'merge' | 'overwrite';
  properties?: Record<string, string>;
  name?: string;
  description?: string;
  now?: () => number;
}

/**
 * The table a write leaves behind: a new table's metaData and protocol, or the existing one's
 * after schema merge/overwrite and added properties, with column ids and physical names given
 * to new columns under column mapping (PROTOCOL.md "Column Mapping").
 */
export function planTable(snapshot: TableState | undefined, dataSchema: StructType | undefined, opts: TablePlanOptions): TablePlan {
  if (!snapshot) {
    if (!dataSchema) throw invalidArgument('cannot create a table from no data: the schema is unknown', 'pass at least one record batch, or use DeltaTable.create({ schema })');
    const metadata = newMetadata(dataSchema, opts.partitionBy ?? [], opts.properties ?? {}, opts);
    const schema = parseSchemaString(metadata.schemaString, 'metaData');
    return {
      schema, metadata, protocol: requiredProtocol(schema, metadata.configuration), columnMapping: columnMappingMode(metadata.configuration),
      metadataChanged: true, protocolChanged: true,
    };
  }
  if (opts.partitionBy && !samePartitioning(opts.partitionBy, snapshot.partitionColumns) && opts.schemaMode !== 'overwrite') {
    throw invalidArgument(
      `partitionBy [${opts.partitionBy.join(', ')}] differs from the table's partitioning [${snapshot.partitionColumns.join(', ')}]`,
      "omit partitionBy, or overwrite with { schemaMode: 'overwrite' } to repartition",
    );
  }
  let configuration = { ...snapshot.configuration, ...(opts.properties ?? {}) };
  const mode = columnMappingMode(configuration);
  let base = snapshot.schema;
  if (mode !== snapshot.columnMapping) {
    // Spark allows only none -> name on an existing table: the data files keep their column
    // names, which become the physical names. Other changes would make existing files unreadable.
    if (snapshot.columnMapping !== 'none' || mode !== 'name') {
      throw unsupportedFeature(
        `changing delta.columnMapping.mode from ${snapshot.columnMapping} to ${mode} on an existing table is not supported`,
        `leave delta.columnMapping.mode out of the properties, or create a new table with mode ${mode} and copy the rows into it`,
      );
    }
    base = assignColumnMapping(snapshot.schema, 0, (f) => f.name).schema;
  }
  let schema = base;
  let partitionColumns = [...snapshot.partitionColumns];
  // Columns new to the table never bring another table's column mapping metadata along.
  if (opts.schemaMode === 'merge' && dataSchema) schema = mergeSchemas(base, dropColumnMappingMetadata(dataSchema));
  if (opts.schemaMode === 'overwrite' && dataSchema) {
    schema = dropColumnMappingMetadata(dataSchema);
    partitionColumns = opts.partitionBy ?? partitionColumns;
  }
  if (mode !== 'none') {
    const last = maxColumnId(base, configuration);
    const assigned = assignColumnMapping(schema, last);
    schema = assigned.schema;
    if (assigned.maxColumnId !== last || configuration[MAX_COLUMN_ID_KEY] === undefined) {
      configuration = { ...configuration, [MAX_COLUMN_ID_KEY]: String(assigned.maxColumnId) };
    }
  }
  const changed = serializeSchema(schema) !== snapshot.metadata.schemaString
    || JSON.stringify(configuration) !== JSON.stringify(snapshot.configuration)
    || !samePartitioning(partitionColumns, snapshot.partitionColumns);
  const metadata: Metadata = changed
    ? { ...snapshot.metadata, schemaString: serializeSchema(schema), partitionColumns, configuration }
    : snapshot.metadata;
  const needed = requiredProtocol(schema, configuration);
  const protocol = mergeProtocols(snapshot.protocol, needed);
  const protocolChanged = JSON.stringify(protocol) !== JSON.stringify(snapshot.protocol);
  return { schema, metadata, protocol, columnMapping: mode, metadataChanged: changed, protocolChanged };
}

/**
 * The metaData action of a new table. Under `delta.columnMapping.mode` name or id every field
 * gets an id and a `col-<uuid>` physical name, and `delta.columnMapping.maxColumnId` is set, as
 * Spark lays out such tables.
 */
export function newMetadata(schema: StructType, partitionBy: string[], properties: Record<string, string>, opts: { name?: string; description?: string; now?: () => number }): Metadata {
  for (const c of partitionBy) {
    if (!schema.fields.some((f) => f.name === c)) {
      throw invalidArgument(`partition column "${c}" is not in the schema`, `columns are: ${schema.fields.map((f) => f.name).join(', ')}`);
    }
  }
  let tableSchema = dropColumnMappingMetadata(schema);
  let configuration = { ...properties };
  if (columnMappingMode(configuration) !== 'none') {
    const assigned = assignColumnMapping(tableSchema, 0);
    tableSchema = assigned.schema;
    configuration = { ...configuration, [MAX_COLUMN_ID_KEY]: String(assigned.maxColumnId) };
  }
  return {
    id: crypto.randomUUID(),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.description !== undefined ? { description: opts.description } : {}),
    format: { provider: 'parquet', options: {} },
    schemaString: serializeSchema(tableSchema),
    partitionColumns: [...partitionBy],
    configuration,
    createdTime: (opts.now ?? Date.now)(),
  };
}

/**
 * The weakest protocol that is at least both (features only ever added, versions never lowered).
 * Moving from legacy versions to table features lists what the legacy versions implied.
 */
export function mergeProtocols(current: Protocol, needed: Protocol): Protocol {
  const reader = Math.max(current.minReaderVersion, needed.minReaderVersion);
  const writer = Math.max(current.minWriterVersion, needed.minWriterVersion);
  const merged: Protocol = { minReaderVersion: reader, minWriterVersion: writer };
  const implied = (p: Protocol): string[] => legacyFeatures(p.minReaderVersion >= 3 ? 1 : p.minReaderVersion, p.minWriterVersion);
  if (reader >= 3) {
    const legacyReader = (p: Protocol): string[] => (p.minReaderVersion === 2 ? ['columnMapping'] : []);
    merged.readerFeatures = [...new Set([
      ...(current.readerFeatures ?? []), ...legacyReader(current), ...(needed.readerFeatures ?? []), ...legacyReader(needed),
    ])];
  }
  if (writer >= 7) {
    merged.writerFeatures = [...new Set([
      ...(current.writerFeatures ?? []), ...(current.minWriterVersion < 7 ? implied(current) : []),
      ...(needed.writerFeatures ?? []), ...(needed.minWriterVersion < 7 ? implied(needed) : []),
    ])];
  }
  validateProtocolShape(merged);
  return merged;
}

function samePartitioning(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c.toLowerCase() === b[i]!.toLowerCase());
}
