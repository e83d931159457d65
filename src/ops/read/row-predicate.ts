import type { RecordBatch } from 'apache-arrow';
import { invalidArgument } from '../../errors.js';
import type { StructField, StructType } from '../../protocol/schema.js';
import { batchContext, predicateMask, tableScope } from './expr/batch-eval.js';
import { compilePredicate } from './expr/compile.js';
import { parseSql } from './expr/parse-sql.js';
import { sqlText, type SqlNode } from './expr/sql-ast.js';
import { bindFilter, filterColumns, type BoundTerm, type Filter, type FilterTerm } from './filter.js';
import { rowMask } from './scan.js';

/** A DML predicate: a DNF Filter or an SQL boolean expression string. */
export type RowPredicateInput = Filter | string;

/** A predicate bound to a table: which rows it selects, which columns it reads, how to skip files. */
export interface RowPredicate {
  /** The predicate as commitInfo records it (Spark writes SQL text). */
  text: string;
  /** Columns (logical names) the predicate reads. */
  columns: string[];
  /**
   * Terms every matching row satisfies (the SQL's top-level comparisons of a column with a
   * literal), for file skipping and the conflict footprint. Undefined: no file can be skipped.
   */
  pruning: BoundTerm[][] | undefined;
  /** 1 for the rows of `batch` (columns `fields`) where the predicate is TRUE. */
  mask(batch: RecordBatch, fields: readonly StructField[]): Uint8Array;
}

/** Binds a DML predicate (undefined: every row) to a schema; unknown columns and types fail here. */
export function bindRowPredicate(input: RowPredicateInput | undefined, schema: StructType, aliases?: string[]): RowPredicate | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'string') {
    const node = parseSql(input);
    const compiled = compilePredicate(node, tableScope(schema, aliases), input);
    return {
      text: sqlText(node),
      columns: [...compiled.columns],
      pruning: pruningTerms(node, schema),
      mask: (batch, fields) => predicateMask(compiled, batchContext(batch, fields)),
    };
  }
  if (!Array.isArray(input)) throw invalidArgument(`a predicate must be a Filter or an SQL string, got ${typeof input}`, "write e.g. \"qty > 3\" or [['qty', '>', 3]]");
  const bound = bindFilter(input, schema);
  if (!bound) return undefined;
  return {
    text: filterText(bound),
    columns: filterColumns(bound),
    pruning: bound,
    mask: (batch, fields) => rowMask(batch, bound, [...fields]),
  };
}

/**
 * The conjunction of the top-level `column op literal` terms of an SQL predicate, as a filter
 * (a row matching the predicate matches all of them). Terms that do not bind are left out: they
 * only make skipping less precise.
 */
function pruningTerms(node: SqlNode, schema: StructType): BoundTerm[][] | undefined {
  const terms: BoundTerm[] = [];
  const visit = (n: SqlNode): void => {
    if (n.kind === 'binary' && n.op === 'AND') {
      visit(n.left);
      visit(n.right);
      return;
    }
    const term = asFilterTerm(n);
    if (!term) return;
    try {
      const bound = bindFilter([term], schema);
      if (bound) terms.push(...bound[0]!);
    } catch {
      // Not a term filters can express exactly (e.g. a literal of another type): no skipping on it.
    }
  };
  visit(node);
  return terms.length > 0 ? [terms] : undefined;
}

const FLIP: Record<string, FilterTerm[1]> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function asFilterTerm(n: SqlNode): FilterTerm | undefined {
  if (n.kind === 'unary' && (n.op === 'IS NULL' || n.op === 'IS NOT NULL') && n.operand.kind === 'column') {
    return [n.operand.name, n.op === 'IS NULL' ? '=' : '!=', null];
  }
  if (n.kind === 'in' && !n.negated && n.operand.kind === 'column') {
    const values = n.list.map(literalValue);
    if (values.some((v) => v === undefined || v === null)) return undefined;
    return [n.operand.name, 'in', values];
  }
  if (n.kind !== 'binary' || !(n.op in FLIP)) return undefined;
  if (n.left.kind === 'column') {
    const v = literalValue(n.right);
    return v === undefined || v === null ? undefined : [n.left.name, n.op as FilterTerm[1], v];
  }
  if (n.right.kind === 'column') {
    const v = literalValue(n.left);
    return v === undefined || v === null ? undefined : [n.right.name, FLIP[n.op]!, v];
  }
  return undefined;
}

/** A literal as the JS value filters take (decimal text stays text: exact), undefined if not a literal. */
function literalValue(n: SqlNode): unknown {
  if (n.kind === 'typed-literal') return n.text;
  if (n.kind !== 'literal') return undefined;
  switch (n.type) {
    case 'integer': return BigInt(n.text);
    case 'decimal': return undefined; // filters compare decimals of decimal columns only; no skipping
    case 'string': return n.text;
    case 'boolean': return n.text === 'true';
    case 'null': return null;
  }
}

function filterText(groups: BoundTerm[][]): string {
  const lit = (v: unknown): string => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));
  return groups.map((g) => g.map((t) => {
    if (t.op === 'is null' || t.op === 'is not null') return `${t.column} ${t.op.toUpperCase()}`;
    if (t.op === 'in' || t.op === 'not in') return `${t.column} ${t.op.toUpperCase()} (${t.values.map(lit).join(', ')})`;
    return `${t.column} ${t.op} ${lit(t.values[0])}`;
  }).join(' AND ')).map((s) => (groups.length > 1 ? `(${s})` : s)).join(' OR ');
}
