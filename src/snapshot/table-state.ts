import type { Schema } from 'apache-arrow';
import { corruptLog } from '../errors.js';
import type { CommitInfo, DomainMetadata, Metadata, Protocol, Txn, Version } from '../protocol/actions.js';
import { deltaToArrowSchema } from '../protocol/arrow-schema.js';
import { columnMappingMode, type ColumnMappingMode } from '../protocol/column-mapping.js';
import { findField, parseSchemaString, type StructType } from '../protocol/schema.js';
import type { ObjectStore } from '../storage/object-store.js';

/**
 * The cheap part of a table at one version: everything but its file list (protocol, metaData,
 * txns, domain metadata, the newest commitInfo). An append needs only this, so it is loaded
 * without decoding one file action of the checkpoint; a Snapshot adds the file list.
 */
export class TableState {
  readonly schema: StructType;
  readonly arrowSchema: Schema;
  readonly columnMapping: ColumnMappingMode;
  constructor(
    readonly store: ObjectStore,
    readonly version: Version,
    readonly protocol: Protocol,
    readonly metadata: Metadata,
    readonly txns: ReadonlyMap<string, Txn>,
    readonly domains: ReadonlyMap<string, DomainMetadata>,
    /** commitInfo of the commit at `version`, when that commit was read and has one. */
    readonly latestCommitInfo: CommitInfo | undefined,
  ) {
    const derived = derivedOf(metadata, version);
    this.schema = derived.schema;
    this.arrowSchema = derived.arrowSchema;
    this.columnMapping = derived.columnMapping;
  }

  get partitionColumns(): readonly string[] {
    return this.metadata.partitionColumns;
  }

  get configuration(): Readonly<Record<string, string>> {
    return this.metadata.configuration;
  }
}

interface Derived {
  schema: StructType;
  arrowSchema: Schema;
  columnMapping: ColumnMappingMode;
}

/**
 * Parsed once per metaData action: successive states of a table mostly share one, and parsing
 * a wide schema costs more than the rest of a small append's bookkeeping. Actions are never
 * mutated after parsing, so the object itself is the key.
 */
const derivedByMetadata = new WeakMap<Metadata, Derived>();

function derivedOf(metadata: Metadata, version: Version): Derived {
  const known = derivedByMetadata.get(metadata);
  if (known) return known;
  const schema = parseSchemaString(metadata.schemaString, `metaData of version ${version}`);
  // A partition column must be a column of the schema, or every read would invent its values.
  for (const c of metadata.partitionColumns) {
    if (!findField(schema, c)) throw corruptLog(`metaData of version ${version}`, `partition column "${c}" is not a column of the schema`);
  }
  const derived = { schema, arrowSchema: deltaToArrowSchema(schema), columnMapping: columnMappingMode(metadata.configuration) };
  derivedByMetadata.set(metadata, derived);
  return derived;
}
