import { DeltaError, invalidArgument } from '../../../errors.js';
import { findField, type StructField, type StructType } from '../../../protocol/schema.js';
import { compileAssignment } from '../../read/expr/batch-eval.js';
import { compilePredicate, type CompiledExpr, type EvalContext, type ExprScope } from '../../read/expr/compile.js';
import type { Values } from '../../read/expr/expr-types.js';
import { parseSql } from '../../read/expr/parse-sql.js';
import { sqlText } from '../../read/expr/sql-ast.js';

export type ClauseKind = 'matched' | 'notMatched' | 'notMatchedBySource';

/** A clause as the builder records it. */
export interface MergeClauseSpec {
  kind: ClauseKind;
  action: 'update' | 'delete' | 'insert';
  predicate?: string;
  /** Column -> SQL or literal; `'*'` for UpdateAll / InsertAll. */
  assignments?: Record<string, unknown> | '*';
}

/** A clause bound to the target and source schemas. */
export interface MergeClause {
  spec: MergeClauseSpec;
  predicate?: CompiledExpr;
  predicateText?: string;
  /** New values of target columns (update: the set ones; insert: all, NULL for unset). */
  assign: Map<string, (ctx: EvalContext) => Values>;
}

/** Binds the clauses, checking Spark's rules: only the last clause of each kind may omit its condition. */
export function bindClauses(specs: MergeClauseSpec[], target: StructType, source: StructType, scope: ExprScope, sourceAlias: string, evolving = false): MergeClause[] {
  if (specs.length === 0) throw invalidArgument('a merge needs at least one when... clause', 'add e.g. .whenMatchedUpdateAll() or .whenNotMatchedInsertAll()');
  for (const kind of ['matched', 'notMatched', 'notMatchedBySource'] as const) {
    const ofKind = specs.filter((s) => s.kind === kind);
    const early = ofKind.slice(0, -1).find((s) => s.predicate === undefined);
    if (early) {
      throw new DeltaError('INVALID_ARGUMENT', `only the last ${kindText(kind)} clause may omit its condition (DELTA_NON_LAST_${kind === 'matched' ? 'MATCHED' : kind === 'notMatched' ? 'NOT_MATCHED' : 'NOT_MATCHED_BY_SOURCE'}_CLAUSE_OMIT_CONDITION)`, {
        hint: 'give the earlier clause a predicate, or move it last: a clause without one applies to every remaining row',
      });
    }
  }
  return specs.map((spec) => {
    const clause: MergeClause = { spec, assign: new Map() };
    if (spec.predicate !== undefined) {
      const node = parseSql(spec.predicate);
      clause.predicate = compilePredicate(node, scope, spec.predicate);
      clause.predicateText = sqlText(node);
    }
    if (spec.action === 'delete') return clause;
    const fields = target.fields;
    const pairs: Array<[StructField, unknown]> = [];
    if (spec.assignments === '*') {
      for (const f of fields) {
        const s = source.fields.find((x) => x.name.toLowerCase() === f.name.toLowerCase());
        // With schema evolution a column the source lacks is kept (update) or NULL (insert), as Spark.
        if (!s && evolving) continue;
        if (!s) throw invalidArgument(`${spec.action === 'insert' ? 'InsertAll' : 'UpdateAll'} needs every target column in the source, but the source has no column "${f.name}"`, `add "${f.name}" to the source, or list the columns with ${spec.action === 'insert' ? 'whenNotMatchedInsert({ values })' : 'whenMatchedUpdate({ set })'}`);
        pairs.push([f, `${quoteIdent(sourceAlias)}.${quoteIdent(s.name)}`]);
      }
    } else {
      for (const [name, value] of Object.entries(spec.assignments ?? {})) {
        const f = findField(target, name);
        if (!f) throw invalidArgument(`the merge ${spec.action} sets column "${name}", which is not in the target table`, `columns are: ${fields.map((x) => x.name).join(', ')}; to add a source column of that name pass { schemaMode: 'merge' } to merge()`);
        if (value === undefined) throw invalidArgument(`the new value of "${f.name}" is undefined`, 'check the variable that holds it; for NULL pass null');
        pairs.push([f, value]);
      }
      if (pairs.length === 0) throw invalidArgument(`a merge ${spec.action} clause needs ${spec.action === 'insert' ? 'values' : 'set'} with at least one column`, `use ${spec.action === 'insert' ? 'whenNotMatchedInsertAll()' : 'whenMatchedUpdateAll()'} to take every column from the source`);
    }
    for (const [f, v] of pairs) clause.assign.set(f.name, compileAssignment(v, f, scope));
    return clause;
  });
}

function kindText(kind: ClauseKind): string {
  return kind === 'matched' ? 'WHEN MATCHED' : kind === 'notMatched' ? 'WHEN NOT MATCHED' : 'WHEN NOT MATCHED BY SOURCE';
}

function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}
