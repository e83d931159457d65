import type {
  Action, AddAction, AddCDCFile, CheckpointMetadata, CommitInfo, DeletionVectorDescriptor, DomainMetadata, Metadata,
  Protocol, RemoveAction, Sidecar, Txn,
} from './actions.js';
import { compact, FieldReader, type JsonObject } from './json-fields.js';

/** The top-level key naming an action in a commit line or checkpoint row. */
export type ActionName =
  | 'protocol' | 'metaData' | 'add' | 'remove' | 'cdc' | 'txn' | 'commitInfo' | 'domainMetadata'
  | 'checkpointMetadata' | 'sidecar';

/** Validates the body of a known action and keeps only the fields the protocol defines. */
export function parseActionBody(name: ActionName, body: JsonObject, where: string): Action {
  const f = new FieldReader(body, where, name);
  switch (name) {
    case 'protocol': return { protocol: parseProtocol(f) };
    case 'metaData': return { metaData: parseMetadata(f) };
    case 'add': return { add: parseAdd(f) };
    case 'remove': return { remove: parseRemove(f) };
    case 'cdc': return { cdc: parseCdc(f) };
    case 'txn': return { txn: compact<Txn>({ appId: f.string('appId'), version: f.integer('version'), lastUpdated: f.optInteger('lastUpdated') }) };
    case 'commitInfo': return { commitInfo: parseCommitInfo(body) };
    case 'domainMetadata': return { domainMetadata: parseDomainMetadata(f) };
    case 'checkpointMetadata':
      return { checkpointMetadata: compact<CheckpointMetadata>({ version: f.integer('version'), tags: f.optStringMap('tags', false) }) };
    case 'sidecar':
      return {
        sidecar: compact<Sidecar>({
          path: decodablePath(f, 'path'), sizeInBytes: f.integer('sizeInBytes'), modificationTime: f.integer('modificationTime'),
          tags: f.optStringMap('tags', false),
        }),
      };
  }
}

/** The schema of a table without columns. */
const EMPTY_SCHEMA_STRING = '{"type":"struct","fields":[]}';

/** A string field that is a URI-encoded path: a malformed `%` escape is CORRUPT_LOG here, not a URIError later. */
function decodablePath(f: FieldReader, key: string): string {
  const path = f.string(key);
  try {
    decodeURIComponent(path);
  } catch {
    throw f.mistyped(key, 'a URI-encoded path (a "%" must start a valid escape)', path);
  }
  return path;
}

function parseProtocol(f: FieldReader): Protocol {
  return compact<Protocol>({
    minReaderVersion: f.integer('minReaderVersion'),
    minWriterVersion: f.integer('minWriterVersion'),
    readerFeatures: f.optStringArray('readerFeatures'),
    writerFeatures: f.optStringArray('writerFeatures'),
  });
}

function parseMetadata(f: FieldReader): Metadata {
  const format = f.optObject('format');
  return compact<Metadata>({
    id: f.string('id'),
    name: f.optString('name'),
    description: f.optString('description'),
    // Spark defaults format, partitionColumns and configuration when a writer left them out.
    format: format
      ? { provider: format.string('provider'), options: format.optStringMap('options', false) ?? {} }
      : { provider: 'parquet', options: {} },
    // Early Spark and Databricks Live Tables wrote metaData without a schema; Spark reads that
    // as a table with no columns (a later metaData, newest wins, usually supplies one).
    schemaString: f.optString('schemaString') ?? EMPTY_SCHEMA_STRING,
    partitionColumns: f.optStringArray('partitionColumns') ?? [],
    createdTime: f.optInteger('createdTime'),
    configuration: f.optStringMap('configuration', false) ?? {},
  });
}

function parseAdd(f: FieldReader): AddAction {
  return compact<AddAction>({
    path: f.string('path'),
    partitionValues: f.stringMap('partitionValues', true),
    size: f.integer('size'),
    modificationTime: f.integer('modificationTime'),
    dataChange: f.boolean('dataChange'),
    stats: parseStatsField(f),
    tags: f.optStringMap('tags', true),
    deletionVector: parseDeletionVector(f),
    baseRowId: f.optInteger('baseRowId'),
    defaultRowCommitVersion: f.optInteger('defaultRowCommitVersion'),
    clusteringProvider: f.optString('clusteringProvider'),
  });
}

function parseRemove(f: FieldReader): RemoveAction {
  return compact<RemoveAction>({
    path: f.string('path'),
    deletionTimestamp: f.optInteger('deletionTimestamp'),
    // Spark's RemoveFile defaults dataChange to true when a writer left it out.
    dataChange: f.optBoolean('dataChange') ?? true,
    extendedFileMetadata: f.optBoolean('extendedFileMetadata'),
    partitionValues: f.optStringMap('partitionValues', true),
    size: f.optInteger('size'),
    stats: parseStatsField(f),
    tags: f.optStringMap('tags', true),
    deletionVector: parseDeletionVector(f),
    baseRowId: f.optInteger('baseRowId'),
    defaultRowCommitVersion: f.optInteger('defaultRowCommitVersion'),
  });
}

function parseCdc(f: FieldReader): AddCDCFile {
  return compact<AddCDCFile>({
    path: f.string('path'),
    partitionValues: f.stringMap('partitionValues', true),
    size: f.integer('size'),
    dataChange: f.optBoolean('dataChange') ?? false,
    tags: f.optStringMap('tags', true),
  });
}

function parseDomainMetadata(f: FieldReader): DomainMetadata {
  const raw = f.get('configuration');
  // Spark writes a JSON string; the spec's own example shows an object, so accept its text too.
  const configuration = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? JSON.stringify(raw) : f.string('configuration');
  return { domain: f.string('domain'), configuration, removed: f.boolean('removed') };
}

/** Stats are optional and only an optimisation: a non-string is kept as its JSON text or dropped. */
function parseStatsField(f: FieldReader): string | undefined {
  const v = f.get('stats');
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return JSON.stringify(v);
  return undefined;
}

const STORAGE_TYPES: ReadonlySet<string> = new Set(['u', 'i', 'p']);

function parseDeletionVector(parent: FieldReader): DeletionVectorDescriptor | undefined {
  const f = parent.optObject('deletionVector');
  if (!f) return undefined;
  const storageType = f.string('storageType');
  if (!STORAGE_TYPES.has(storageType)) throw f.mistyped('storageType', `one of "u", "i", "p"`, storageType);
  const dv = compact<DeletionVectorDescriptor>({
    storageType: storageType as DeletionVectorDescriptor['storageType'],
    pathOrInlineDv: f.string('pathOrInlineDv'),
    offset: f.optInteger('offset'),
    sizeInBytes: f.integer('sizeInBytes'),
    cardinality: f.integer('cardinality'),
  });
  if (dv.sizeInBytes < 0) throw f.mistyped('sizeInBytes', 'non-negative', dv.sizeInBytes);
  if (dv.cardinality < 0) throw f.mistyped('cardinality', 'non-negative', dv.cardinality);
  return dv;
}

/** Typed CommitInfo fields and the JSON type each must have; a mistyped one is dropped. */
const COMMIT_INFO_TYPES: Readonly<Record<string, 'number' | 'string' | 'boolean' | 'object'>> = {
  timestamp: 'number', inCommitTimestamp: 'number', operation: 'string', operationParameters: 'object',
  readVersion: 'number', isolationLevel: 'string', isBlindAppend: 'boolean', operationMetrics: 'object',
  engineInfo: 'string', txnId: 'string', userMetadata: 'string',
};

/** commitInfo is free-form provenance, not table state: keep every field, drop nulls and mistyped known ones. */
function parseCommitInfo(body: JsonObject): CommitInfo {
  const out: CommitInfo = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null || v === undefined) continue;
    const want = Object.hasOwn(COMMIT_INFO_TYPES, k) ? COMMIT_INFO_TYPES[k] : undefined;
    if (want === 'object' ? typeof v !== 'object' || Array.isArray(v) : want !== undefined && typeof v !== want) continue;
    // Defined, not assigned: a "__proto__" key would otherwise replace the prototype.
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

