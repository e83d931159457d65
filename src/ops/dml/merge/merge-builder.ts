import { invalidArgument } from '../../../errors.js';
import type { Snapshot } from '../../../snapshot/snapshot.js';
import type { RowPredicateInput } from '../../read/row-predicate.js';
import type { WriteInput } from '../../write/write.js';
import type { MergeClauseSpec } from './merge-clauses.js';
import { executeMerge, type MergeOptions, type MergeResult } from './merge-execute.js';

type Pred = { predicate?: string };

/**
 * MERGE INTO the table USING `source` ON `on`, as a builder: add WHEN clauses (tried in order,
 * the first whose predicate holds applies), then `execute()`. Predicates are SQL over both aliases.
 */
export class MergeBuilder {
  private readonly clauses: MergeClauseSpec[] = [];

  constructor(private readonly load: () => Promise<Snapshot>, private readonly source: WriteInput, private readonly opts: MergeOptions) {}

  whenMatchedUpdate(c: Pred & { set: Record<string, unknown> }): this {
    return this.add({ kind: 'matched', action: 'update', ...pred(c), assignments: c.set });
  }

  whenMatchedUpdateAll(c: Pred = {}): this {
    return this.add({ kind: 'matched', action: 'update', ...pred(c), assignments: '*' });
  }

  whenMatchedDelete(c: Pred = {}): this {
    return this.add({ kind: 'matched', action: 'delete', ...pred(c) });
  }

  whenNotMatchedInsert(c: Pred & { values: Record<string, unknown> }): this {
    return this.add({ kind: 'notMatched', action: 'insert', ...pred(c), assignments: c.values });
  }

  whenNotMatchedInsertAll(c: Pred = {}): this {
    return this.add({ kind: 'notMatched', action: 'insert', ...pred(c), assignments: '*' });
  }

  whenNotMatchedBySourceUpdate(c: Pred & { set: Record<string, unknown> }): this {
    return this.add({ kind: 'notMatchedBySource', action: 'update', ...pred(c), assignments: c.set });
  }

  whenNotMatchedBySourceDelete(c: Pred = {}): this {
    return this.add({ kind: 'notMatchedBySource', action: 'delete', ...pred(c) });
  }

  /** Runs the merge on the table's latest version and commits it (nothing when no row changes). */
  async execute(): Promise<MergeResult> {
    return executeMerge(await this.load(), this.source, this.opts, this.clauses);
  }

  private add(spec: MergeClauseSpec): this {
    this.clauses.push(spec);
    return this;
  }
}

function pred(c: { predicate?: RowPredicateInput }): { predicate?: string } {
  if (c.predicate === undefined) return {};
  // Clause conditions may name both sides, which a Filter cannot: only SQL is accepted here.
  if (typeof c.predicate !== 'string') throw invalidArgument('a merge clause predicate must be an SQL string', "write e.g. { predicate: 'source.qty > target.qty' }");
  return { predicate: c.predicate };
}
