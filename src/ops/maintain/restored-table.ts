import type { Metadata, Protocol } from '../../protocol/actions.js';
import { MAX_COLUMN_ID_KEY } from '../../protocol/column-mapping.js';
import { checkWriteSupport } from '../../protocol/features.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { mergeProtocols } from '../write/table-plan.js';

/** The protocol and metaData actions a RESTORE commits; undefined where the current one stays. */
export interface RestoredTable {
  protocol?: Protocol;
  metadata?: Metadata;
}

/**
 * What a restore of `current` to `target` commits about the table itself, as Spark's and
 * delta-rs's RESTORE do: the target's metaData when it differs from the current one, and a
 * protocol that supports both versions (a restore never downgrades the protocol: clients that
 * lost support would otherwise write to a table they cannot handle).
 */
export function restoredTable(current: Snapshot, target: Snapshot): RestoredTable {
  const protocol = mergeProtocols(current.protocol, target.protocol);
  let metadata: Metadata = target.metadata;
  // Column ids are never handed out twice, so the restored table keeps the higher
  // delta.columnMapping.maxColumnId: a column added later gets an id no file ever used
  // (PROTOCOL.md "Column Mapping").
  const currentMax = Number(current.configuration[MAX_COLUMN_ID_KEY] ?? 0);
  const targetMax = Number(metadata.configuration[MAX_COLUMN_ID_KEY] ?? 0);
  if (metadata.configuration[MAX_COLUMN_ID_KEY] !== undefined && currentMax > targetMax) {
    metadata = { ...metadata, configuration: { ...metadata.configuration, [MAX_COLUMN_ID_KEY]: String(currentMax) } };
  }
  checkWriteSupport(protocol, metadata);
  const out: RestoredTable = {};
  if (JSON.stringify(protocol) !== JSON.stringify(current.protocol)) out.protocol = protocol;
  if (JSON.stringify(metadata) !== JSON.stringify(current.metadata)) out.metadata = metadata;
  return out;
}
