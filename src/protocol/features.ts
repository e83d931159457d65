import { corruptLog, invalidArgument, unsupportedFeature } from '../errors.js';
import type { Metadata, Protocol } from './actions.js';
import { legacyFeatures, metadataFeatures, READER_WRITER_FEATURES, visitStructFields, visitTypes } from './feature-catalog.js';
import { parseSchemaString, type StructType } from './schema.js';

/** Reader features this library implements (PROTOCOL.md "Table Features"). */
export const READER_FEATURES_WE_SUPPORT: ReadonlySet<string> = new Set([
  'columnMapping', 'deletionVectors', 'timestampNtz', 'v2Checkpoint', 'vacuumProtocolCheck', 'typeWidening',
  'typeWidening-preview', 'variantType', 'variantType-preview',
]);

/**
 * Writer features this library respects when it writes. Some only while unused: invariants,
 * CHECK constraints, generated and identity columns need a SQL evaluator we do not have, so
 * checkWriteSupport refuses tables that actually use them.
 */
export const WRITER_FEATURES_WE_HONOR: ReadonlySet<string> = new Set([
  'appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'identityColumns',
  'columnMapping', 'deletionVectors', 'timestampNtz', 'v2Checkpoint', 'vacuumProtocolCheck', 'typeWidening',
  'typeWidening-preview', 'domainMetadata', 'inCommitTimestamp',
]);

const MAX_READER_VERSION = 3;
const MAX_WRITER_VERSION = 7;

/** Throws UNSUPPORTED_FEATURE unless this library can read a table with `protocol`. */
export function checkReadSupport(protocol: Protocol): void {
  const reader = protocol.minReaderVersion;
  if (!Number.isInteger(reader) || reader < 1) throw corruptLog('protocol', `minReaderVersion ${reader} is not a valid version`);
  if (reader > MAX_READER_VERSION) {
    throw unsupportedFeature(`the table requires Delta reader version ${reader}; this library reads versions 1 to ${MAX_READER_VERSION}`);
  }
  if (reader < 3) return; // reader 2 adds column mapping, which we support
  if (!protocol.readerFeatures) throw corruptLog('protocol', 'minReaderVersion is 3 but readerFeatures is missing');
  const missing = protocol.readerFeatures.filter((f) => !READER_FEATURES_WE_SUPPORT.has(f));
  if (missing.length > 0) throw unsupportedFeature(`the table uses reader feature${plural(missing)} ${list(missing)}, which this library cannot read`);
}

/**
 * Throws UNSUPPORTED_FEATURE unless this library can write a table with `protocol` and
 * `metadata`: every reader feature, every listed (or legacy-implied) writer feature honored, and
 * no use of the features we can only honor while unused.
 */
export function checkWriteSupport(protocol: Protocol, metadata: Metadata): void {
  checkReadSupport(protocol);
  refuseVariantWrites(protocol, metadata);
  const writer = protocol.minWriterVersion;
  if (!Number.isInteger(writer) || writer < 1) throw corruptLog('protocol', `minWriterVersion ${writer} is not a valid version`);
  if (writer > MAX_WRITER_VERSION) {
    throw unsupportedFeature(`the table requires Delta writer version ${writer}; this library writes versions 1 to ${MAX_WRITER_VERSION}`);
  }
  let features: string[];
  if (writer === MAX_WRITER_VERSION) {
    if (!protocol.writerFeatures) throw corruptLog('protocol', 'minWriterVersion is 7 but writerFeatures is missing');
    features = protocol.writerFeatures;
  } else {
    features = legacyFeatures(protocol.minReaderVersion, writer);
  }
  const missing = features.filter((f) => !WRITER_FEATURES_WE_HONOR.has(f));
  if (missing.length > 0) throw unsupportedFeature(`the table uses writer feature${plural(missing)} ${list(missing)}, which this library cannot write`);
  checkUsedFeatures(new Set(features), metadata);
}

/** Variant columns are read-only here: refused by feature or by a variant type in the schema. */
function refuseVariantWrites(protocol: Protocol, metadata: Metadata): void {
  const listed = (protocol.writerFeatures ?? []).filter((f) => f.startsWith('variantType') || f.startsWith('variantShredding'));
  let used = false;
  visitTypes(parseSchemaString(metadata.schemaString, 'metaData'), (t) => {
    if (t === 'variant') used = true;
  });
  if (listed.length === 0 && !used) return;
  const names = listed.length > 0 ? list(listed) : '"variantType"';
  throw unsupportedFeature(
    `the table has variant columns (feature ${names}); this library reads them but does not write variant tables yet`,
    'write to this table with Spark 4 or delta-rs; reading it here works (decodeVariant turns a row into JSON)',
  );
}

/** Features we honor only while the table does not use them. */
function checkUsedFeatures(features: ReadonlySet<string>, metadata: Metadata): void {
  const schema = parseSchemaString(metadata.schemaString, 'metaData');
  const refuse = (what: string): never => {
    throw unsupportedFeature(`${what}; this library cannot evaluate SQL expressions, so it does not write to this table`, 'write with Spark or delta-rs');
  };
  if (features.has('checkConstraints')) {
    const constraints = Object.keys(metadata.configuration).filter((k) => k.startsWith('delta.constraints.'));
    if (constraints.length > 0) refuse(`the table has CHECK constraint${plural(constraints)} ${list(constraints.map((k) => k.slice(18)))}`);
  }
  visitStructFields(schema.fields, (f) => {
    if (features.has('invariants') && f.metadata['delta.invariants'] !== undefined) refuse(`column "${f.name}" has an invariant (delta.invariants)`);
    if (features.has('generatedColumns') && f.metadata['delta.generationExpression'] !== undefined) refuse(`column "${f.name}" is a generated column`);
    if (features.has('identityColumns') && Object.keys(f.metadata).some((k) => k.startsWith('delta.identity.'))) refuse(`column "${f.name}" is an identity column`);
  });
}

/**
 * The protocol a table with this schema and these properties needs, as Spark computes it for a
 * new table (PROTOCOL-NOTES §5.1, §5.3): (1,2) when only appendOnly/invariants are in play;
 * (2,5) for column mapping without other reader features (what Spark writes for such tables);
 * otherwise (1,7), or (3,7) when a reader-writer feature is used, listing every feature the
 * metadata implies plus appendOnly and invariants (what (1,2) already granted).
 * `delta.minReaderVersion`/`delta.minWriterVersion` properties raise the floor as in Spark.
 */
export function requiredProtocol(schema: StructType, configuration: Readonly<Record<string, string>>): Protocol {
  const features = metadataFeatures(schema, configuration);
  const minReader = versionProperty(configuration, 'delta.minReaderVersion', MAX_READER_VERSION);
  const minWriter = versionProperty(configuration, 'delta.minWriterVersion', MAX_WRITER_VERSION);
  // Legacy versions imply features; table-features versions (reader 3, writer 7) imply none.
  for (const f of legacyFeatures(minReader >= 3 ? 1 : minReader, minWriter >= 7 ? 1 : minWriter)) features.add(f);
  const onlyLegacyPair = [...features].every((f) => f === 'appendOnly' || f === 'invariants');
  if (onlyLegacyPair && minReader < 3 && minWriter < 7) return { minReaderVersion: 1, minWriterVersion: 2 };
  // Column mapping alone (with what writer 5 implies) gets the legacy (2,5) Spark writes for such
  // tables, which every column-mapping reader accepts; other reader features need table features.
  const mappedReader = Math.max(2, minReader);
  const mappedWriter = Math.max(5, minWriter);
  if (features.has('columnMapping') && minReader < 3 && minWriter < 7) {
    const implied = new Set(legacyFeatures(mappedReader, mappedWriter));
    if ([...features].every((f) => implied.has(f))) return { minReaderVersion: mappedReader, minWriterVersion: mappedWriter };
  }
  features.add('appendOnly');
  features.add('invariants');
  const writerFeatures = [...features].sort();
  const readerFeatures = writerFeatures.filter((f) => READER_WRITER_FEATURES.has(f));
  if (readerFeatures.length === 0 && minReader < 3) return { minReaderVersion: 1, minWriterVersion: 7, writerFeatures };
  return { minReaderVersion: 3, minWriterVersion: 7, readerFeatures, writerFeatures };
}

/**
 * Checks the shape rules of a protocol action (PROTOCOL.md "Protocol Evolution"):
 * readerFeatures present iff reader version 3, writerFeatures iff writer version 7, reader 3
 * only with writer 7, and every reader feature also a writer feature. CORRUPT_LOG otherwise.
 */
export function validateProtocolShape(p: Protocol): void {
  const bad = (what: string): never => {
    throw corruptLog('protocol', `${what} (minReaderVersion ${p.minReaderVersion}, minWriterVersion ${p.minWriterVersion})`);
  };
  if (!Number.isInteger(p.minReaderVersion) || p.minReaderVersion < 1) bad('minReaderVersion must be a positive integer');
  if (!Number.isInteger(p.minWriterVersion) || p.minWriterVersion < 1) bad('minWriterVersion must be a positive integer');
  const readerTf = p.minReaderVersion >= 3;
  const writerTf = p.minWriterVersion >= 7;
  if (readerTf !== (p.readerFeatures !== undefined)) bad(readerTf ? 'readerFeatures is required with reader version 3' : 'readerFeatures is only allowed with reader version 3');
  if (writerTf !== (p.writerFeatures !== undefined)) bad(writerTf ? 'writerFeatures is required with writer version 7' : 'writerFeatures is only allowed with writer version 7');
  if (readerTf && !writerTf) bad('reader version 3 requires writer version 7');
  for (const [name, features] of [['readerFeatures', p.readerFeatures], ['writerFeatures', p.writerFeatures]] as const) {
    if (features && new Set(features).size !== features.length) bad(`${name} lists a feature twice`);
  }
  const notWriter = (p.readerFeatures ?? []).filter((f) => !(p.writerFeatures ?? []).includes(f));
  if (notWriter.length > 0) bad(`reader feature${plural(notWriter)} ${list(notWriter)} must also be listed in writerFeatures`);
}

function versionProperty(configuration: Readonly<Record<string, string>>, key: string, max: number): number {
  const raw = configuration[key];
  if (raw === undefined) return 1;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > max) throw invalidArgument(`table property ${key}=${raw} is not a protocol version this library can produce (1..${max})`);
  return v;
}

function plural(items: readonly string[]): string {
  return items.length === 1 ? '' : 's';
}

function list(items: readonly string[]): string {
  return items.map((f) => `"${f}"`).join(', ');
}
