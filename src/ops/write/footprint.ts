import type { RemoveAction } from '../../protocol/actions.js';
import { parsePartitionValue } from '../../protocol/partition-values.js';
import { findField } from '../../protocol/schema.js';
import { physicalName } from '../../protocol/column-mapping.js';
import { parseStats } from '../../protocol/stats.js';
import type { TableState } from '../../snapshot/table-state.js';
import type { TransactionFootprint } from '../../txn/conflict-checker.js';
import { fileMayMatch, type FileFacts } from '../read/file-skipping.js';
import type { BoundTerm, Comparable } from '../read/filter.js';

/** Describes what a write read and changed, for the conflict checker. */
export function footprintFor(p: {
  snapshot: TableState | undefined;
  isBlindAppend: boolean;
  readWholeTable: boolean;
  predicate: BoundTerm[][] | undefined;
  readPaths: string[];
  removes: RemoveAction[];
  appIds: string[];
  changesMetadata: boolean;
  changesProtocol: boolean;
}): TransactionFootprint {
  const snapshot = p.snapshot;
  // Only partition terms are recorded as read predicates (Spark records them at partition granularity).
  const partitionSet = new Set((snapshot?.partitionColumns ?? []).map((c) => c.toLowerCase()));
  const partitionOnly = p.predicate?.map((g) => g.filter((t) => partitionSet.has(t.column.toLowerCase())));
  return {
    isBlindAppend: p.isBlindAppend,
    readWholeTable: p.readWholeTable || (p.predicate !== undefined && partitionOnly!.some((g) => g.length === 0)),
    readPredicate: p.predicate ? (facts) => fileMayMatch(partitionOnly, facts) : undefined,
    readFiles: new Set(p.readPaths),
    readAppIds: new Set(p.appIds),
    changesMetadata: p.changesMetadata,
    changesProtocol: p.changesProtocol,
    domains: new Set(),
    removedPaths: new Set(p.removes.map((r) => r.path)),
    isPartitioned: partitionSet.size > 0,
    factsFor: (add): FileFacts => ({
      partitionValue: (column) => {
        const field = snapshot && findField(snapshot.schema, column);
        if (!field || !partitionSet.has(field.name.toLowerCase())) return undefined;
        const key = physicalName(field, snapshot.columnMapping);
        const raw = key in add.partitionValues ? add.partitionValues[key] : add.partitionValues[field.name];
        return (parsePartitionValue(raw ?? null, field.type) ?? null) as Comparable | null;
      },
      stats: () => parseStats(add.stats),
      statsKey: (column) => column,
    }),
  };
}
