import { DeltaError } from '../../../errors.js';
import type { Action } from '../../../protocol/actions.js';
import type { StructField, StructType } from '../../../protocol/schema.js';
import type { Snapshot } from '../../../snapshot/snapshot.js';
import { planTable } from '../../write/table-plan.js';
import type { MergeClauseSpec } from './merge-clauses.js';

/** The target schema a merge writes, and the actions that record a change to it. */
export interface MergeTargetSchema {
  schema: StructType;
  /** metaData (and protocol, when new features are needed) to commit; empty without evolution. */
  actions: Action[];
  /** Names of the columns the merge adds. */
  added: string[];
}

const lower = (s: string): string => s.toLowerCase();

/**
 * MERGE schema evolution (Spark `computePostEvolutionTargetSchema`): with `schemaMode: 'merge'`
 * the source columns the target lacks are added (nullable, at the end) when an UpdateAll or
 * InsertAll clause takes them, or a matched-update / not-matched-insert clause assigns a column
 * of that name; NOT MATCHED BY SOURCE never adds columns. Without it, an *All clause over a source
 * with extra columns is refused, as Spark does, rather than dropping those values silently.
 */
export function mergeTargetSchema(snapshot: Snapshot, source: StructType, specs: MergeClauseSpec[], schemaMode: 'merge' | undefined): MergeTargetSchema {
  const known = new Set(snapshot.schema.fields.map((f) => lower(f.name)));
  const extra = source.fields.filter((f) => !known.has(lower(f.name)));
  const wanted = new Set<string>();
  for (const spec of specs) {
    if (spec.kind === 'notMatchedBySource' || spec.action === 'delete') continue;
    if (spec.assignments === '*') extra.forEach((f) => wanted.add(lower(f.name)));
    else for (const name of Object.keys(spec.assignments ?? {})) if (extra.some((f) => lower(f.name) === lower(name))) wanted.add(lower(name));
  }
  const added: StructField[] = extra.filter((f) => wanted.has(lower(f.name)));
  if (added.length === 0) return { schema: snapshot.schema, actions: [], added: [] };
  if (schemaMode !== 'merge') {
    const star = specs.find((s) => s.assignments === '*' && s.kind !== 'notMatchedBySource');
    if (!star) return { schema: snapshot.schema, actions: [], added: [] }; // explicit assignments report their unknown column themselves
    const names = added.map((f) => `"${f.name}"`).join(', ');
    throw new DeltaError('SCHEMA_MISMATCH', `${star.action === 'insert' ? 'InsertAll' : 'UpdateAll'} would write the source column(s) ${names}, which the target table does not have`, {
      hint: `pass { schemaMode: 'merge' } to merge() to add them to the table (as Spark's MERGE WITH SCHEMA EVOLUTION), or drop them from the source`,
    });
  }
  const plan = planTable(snapshot, { type: 'struct', fields: added.map((f) => ({ ...f, nullable: true })) }, { schemaMode: 'merge' });
  return {
    schema: plan.schema,
    actions: [...(plan.protocolChanged ? [{ protocol: plan.protocol }] : []), { metaData: plan.metadata }],
    added: added.map((f) => f.name),
  };
}
