import type { StructField } from './schema.js';

/** The change-type column of cdc files; under column mapping its physical name is its name. */
export const CHANGE_TYPE: StructField = {
  name: '_change_type', type: 'string', nullable: true, metadata: { 'delta.columnMapping.physicalName': '_change_type' },
};
