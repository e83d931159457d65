import { Bool, Field, Int32, Int64, List, Map_, Schema, Struct, Utf8 } from 'apache-arrow';

// The checkpoint Parquet schema, column for column as Delta Spark writes a classic checkpoint
// (names, types, every field nullable). Readers such as Databricks Photon convert by physical
// type, so a long must stay a long and an int an int (delta-rs#4247, #3527).

const str = (name: string): Field => new Field(name, new Utf8(), true);
const long = (name: string): Field => new Field(name, new Int64(), true);
const int = (name: string): Field => new Field(name, new Int32(), true);
const bool = (name: string): Field => new Field(name, new Bool(), true);
const struct = (name: string, fields: Field[]): Field => new Field(name, new Struct(fields), true);
const stringMap = (name: string): Field =>
  new Field(name, new Map_(new Field('key_value', new Struct([new Field('key', new Utf8(), false), new Field('value', new Utf8(), true)] as never), false), false), true);
const stringList = (name: string): Field => new Field(name, new List(new Field('element', new Utf8(), true)), true);

const deletionVector = (): Field =>
  struct('deletionVector', [str('storageType'), str('pathOrInlineDv'), int('offset'), int('sizeInBytes'), long('cardinality'), long('maxRowIndex')]);

export const CHECKPOINT_SCHEMA = new Schema([
  struct('txn', [str('appId'), long('version'), long('lastUpdated')]),
  struct('add', [
    str('path'), stringMap('partitionValues'), long('size'), long('modificationTime'), bool('dataChange'),
    stringMap('tags'), deletionVector(), long('baseRowId'), long('defaultRowCommitVersion'), str('stats'),
  ]),
  struct('remove', [
    str('path'), long('deletionTimestamp'), bool('dataChange'), bool('extendedFileMetadata'), stringMap('partitionValues'),
    long('size'), deletionVector(), long('baseRowId'), long('defaultRowCommitVersion'),
  ]),
  struct('metaData', [
    str('id'), str('name'), str('description'), struct('format', [str('provider'), stringMap('options')]),
    str('schemaString'), stringList('partitionColumns'), stringMap('configuration'), long('createdTime'),
  ]),
  struct('protocol', [int('minReaderVersion'), int('minWriterVersion'), stringList('readerFeatures'), stringList('writerFeatures')]),
  struct('domainMetadata', [str('domain'), str('configuration'), bool('removed')]),
]);
