import type { ActionName } from './action-parsers.js';

/**
 * Field order per action, as Spark's case classes serialize them (its JSON is what other
 * engines and humans diff against). Fields not listed are not part of the action and are dropped,
 * except in commitInfo, which is free-form and keeps extra fields after the known ones.
 */
const FIELD_ORDER: Readonly<Record<ActionName, readonly string[]>> = {
  commitInfo: [
    'inCommitTimestamp', 'timestamp', 'userId', 'userName', 'operation', 'operationParameters', 'job', 'notebook',
    'clusterId', 'readVersion', 'isolationLevel', 'isBlindAppend', 'operationMetrics', 'userMetadata', 'tags',
    'engineInfo', 'txnId',
  ],
  protocol: ['minReaderVersion', 'minWriterVersion', 'readerFeatures', 'writerFeatures'],
  metaData: ['id', 'name', 'description', 'format', 'schemaString', 'partitionColumns', 'configuration', 'createdTime'],
  add: [
    'path', 'partitionValues', 'size', 'modificationTime', 'dataChange', 'stats', 'tags', 'deletionVector', 'baseRowId',
    'defaultRowCommitVersion', 'clusteringProvider',
  ],
  remove: [
    'path', 'deletionTimestamp', 'dataChange', 'extendedFileMetadata', 'partitionValues', 'size', 'tags', 'deletionVector',
    'baseRowId', 'defaultRowCommitVersion', 'stats',
  ],
  cdc: ['path', 'partitionValues', 'size', 'dataChange', 'tags'],
  txn: ['appId', 'version', 'lastUpdated'],
  domainMetadata: ['domain', 'configuration', 'removed'],
  checkpointMetadata: ['version', 'tags'],
  sidecar: ['path', 'sizeInBytes', 'modificationTime', 'tags'],
};

const NESTED_ORDER: Readonly<Record<string, readonly string[]>> = {
  format: ['provider', 'options'],
  deletionVector: ['storageType', 'pathOrInlineDv', 'offset', 'sizeInBytes', 'cardinality'],
};

/** The JSON text of an action body (without the `{"name":` wrapper). */
export function serializeActionBody(name: ActionName, body: unknown): string {
  const obj = body as Record<string, unknown>;
  const order = FIELD_ORDER[name];
  const keys = name === 'commitInfo' ? [...order, ...Object.keys(obj).filter((k) => !order.includes(k))] : order;
  return objectText(obj, keys, (key, value) => {
    const nested = NESTED_ORDER[key];
    return nested && typeof value === 'object' && value !== null ? objectText(value as Record<string, unknown>, nested, plain) : plain(key, value);
  });
}

/** `{...}` with `keys` in order, skipping absent and null values. */
function objectText(obj: Record<string, unknown>, keys: readonly string[], valueText: (key: string, value: unknown) => string): string {
  const parts: string[] = [];
  for (const key of keys) {
    const value = obj[key];
    if (value === undefined || value === null) continue;
    parts.push(`${JSON.stringify(key)}:${valueText(key, value)}`);
  }
  return `{${parts.join(',')}}`;
}

/** JSON of a value; bigint (e.g. a metric from Arrow) is written as a number. */
function plain(_key: string, value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}
