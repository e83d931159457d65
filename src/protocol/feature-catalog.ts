import { columnMappingMode } from './column-mapping.js';
import type { DeltaType, StructField, StructType } from './schema.js';

/*
 * Table feature facts (PROTOCOL.md "Table Features", Spark TableFeature.scala): which features
 * are reader-writer, what legacy protocol versions imply, and which features a table's metadata
 * turns on (Spark refuses tables whose metadata uses a feature the protocol does not list).
 */

/** Features that appear in `readerFeatures` as well as `writerFeatures`. */
export const READER_WRITER_FEATURES: ReadonlySet<string> = new Set([
  'columnMapping', 'deletionVectors', 'timestampNtz', 'v2Checkpoint', 'vacuumProtocolCheck', 'typeWidening',
  'typeWidening-preview', 'variantType', 'variantType-preview', 'variantShredding', 'variantShredding-preview',
  'catalogManaged', 'catalogOwned-preview', 'geospatial', 'redirectReaderWriter-preview', 'adaptiveMetadata-preview',
]);

/** Features a feature needs listed too. */
const REQUIRES: Readonly<Record<string, readonly string[]>> = {
  rowTracking: ['domainMetadata'],
  clustering: ['domainMetadata'],
  icebergCompatV1: ['columnMapping'],
  icebergCompatV2: ['columnMapping'],
  catalogManaged: ['inCommitTimestamp'],
  variantShredding: ['variantType'],
};

/** Writer features implied by a legacy writer version (1..6) and, for reader 2, column mapping. */
export function legacyFeatures(minReaderVersion: number, minWriterVersion: number): string[] {
  const features: string[] = [];
  if (minWriterVersion >= 2) features.push('appendOnly', 'invariants');
  if (minWriterVersion >= 3) features.push('checkConstraints');
  if (minWriterVersion >= 4) features.push('changeDataFeed', 'generatedColumns');
  if (minWriterVersion >= 5 || minReaderVersion >= 2) features.push('columnMapping');
  if (minWriterVersion >= 6) features.push('identityColumns');
  return features;
}

/** Table properties whose value `true` turns a feature on. */
const ENABLING_PROPERTIES: Readonly<Record<string, string>> = {
  'delta.appendOnly': 'appendOnly',
  'delta.enableChangeDataFeed': 'changeDataFeed',
  'delta.enableDeletionVectors': 'deletionVectors',
  'delta.enableRowTracking': 'rowTracking',
  'delta.enableInCommitTimestamps': 'inCommitTimestamp',
  'delta.enableTypeWidening': 'typeWidening',
  'delta.enableIcebergCompatV1': 'icebergCompatV1',
  'delta.enableIcebergCompatV2': 'icebergCompatV2',
};

/**
 * Every feature the schema and table properties use or ask for, with their dependencies:
 * property triggers, `delta.feature.<name> = supported|enabled`, column mapping, NOT NULL
 * columns and `delta.invariants` (invariants), CHECK constraints, generated/identity/default
 * columns, timestamp_ntz and variant types.
 */
export function metadataFeatures(schema: StructType, configuration: Readonly<Record<string, string>>): Set<string> {
  const features = new Set<string>();
  for (const [key, value] of Object.entries(configuration)) {
    const v = value.trim().toLowerCase();
    const enabled = ENABLING_PROPERTIES[key];
    if (enabled && v === 'true') features.add(enabled);
    if (key.startsWith('delta.constraints.')) features.add('checkConstraints');
    if (key.startsWith('delta.feature.') && (v === 'supported' || v === 'enabled')) features.add(key.slice('delta.feature.'.length));
    if (key === 'delta.checkpointPolicy' && v === 'v2') features.add('v2Checkpoint');
  }
  if (columnMappingMode(configuration) !== 'none') features.add('columnMapping');
  // Spark turns NOT NULL into an invariant for struct fields, not inside arrays or maps.
  visitStructFields(schema.fields, (f) => {
    if (!f.nullable || f.metadata['delta.invariants'] !== undefined) features.add('invariants');
    if (f.metadata['delta.generationExpression'] !== undefined) features.add('generatedColumns');
    if (Object.keys(f.metadata).some((k) => k.startsWith('delta.identity.'))) features.add('identityColumns');
    if (f.metadata['CURRENT_DEFAULT'] !== undefined) features.add('allowColumnDefaults');
  });
  visitTypes(schema, (t) => {
    if (t === 'timestamp_ntz') features.add('timestampNtz');
    if (t === 'variant') features.add('variantType');
  });
  return withDependencies(features);
}

/** `features` plus everything they require, transitively. */
export function withDependencies(features: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const add = (f: string): void => {
    if (out.has(f)) return;
    out.add(f);
    for (const dep of REQUIRES[f] ?? []) add(dep);
  };
  for (const f of features) add(f);
  return out;
}

/** Struct fields at every depth reachable without going through an array or a map. */
export function visitStructFields(fields: readonly StructField[], fn: (f: StructField) => void): void {
  for (const f of fields) {
    fn(f);
    if (typeof f.type !== 'string' && f.type.type === 'struct') visitStructFields(f.type.fields, fn);
  }
}

/** Every type node, through structs, arrays and maps. */
export function visitTypes(t: DeltaType, fn: (t: DeltaType) => void): void {
  fn(t);
  if (typeof t === 'string') return;
  if (t.type === 'struct') for (const f of t.fields) visitTypes(f.type, fn);
  else if (t.type === 'array') visitTypes(t.elementType, fn);
  else {
    visitTypes(t.keyType, fn);
    visitTypes(t.valueType, fn);
  }
}
