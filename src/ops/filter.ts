import { invalidArgument } from '../errors.js';
import { findField, type DeltaType, type StructField, type StructType } from '../protocol/schema.js';

/** One comparison: `[column, op, value]`. `['c', '=', null]` is IS NULL, `['c', '!=', null]` IS NOT NULL. */
export type FilterTerm = [string, FilterOp, unknown];
export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';
/** Disjunctive normal form, as in pyarrow/delta-rs: a list of terms is an AND; a list of lists an OR of ANDs. */
export type Filter = FilterTerm[] | FilterTerm[][];

import type { Comparable } from '../snapshot/file-facts.js';
import { compareValues } from './value-order.js';

export type { Comparable };

/** A term bound to a top-level column, with its literal converted to the column's comparable domain. */
export interface BoundTerm {
  column: string; // logical name as in the table schema
  field: StructField;
  op: FilterOp | 'is null' | 'is not null';
  values: Comparable[]; // one value, or the non-null values of the list for in / not in
  /** An in / not in list held a null: `x not in (.., null)` is never true (SQL three-valued logic). */
  listHasNull?: true;
}

/** Validates a filter against the schema and converts literals; OR of ANDs. */
export function bindFilter(filter: Filter | undefined, schema: StructType): BoundTerm[][] | undefined {
  if (filter === undefined || filter.length === 0) return undefined;
  const groups = (Array.isArray(filter[0]) && Array.isArray((filter[0] as unknown[])[0]) ? filter : [filter]) as FilterTerm[][];
  return groups.map((group) => group.map((term) => bindTerm(term, schema)));
}

const OPS = new Set(['=', '!=', '<', '<=', '>', '>=', 'in', 'not in']);

function bindTerm(term: FilterTerm, schema: StructType): BoundTerm {
  if (!Array.isArray(term) || term.length !== 3) {
    throw invalidArgument(`filter term ${JSON.stringify(term)} is not [column, op, value]`, "write e.g. ['country', '=', 'BR']");
  }
  const [column, op, value] = term;
  const field = findField(schema, column);
  if (!field) {
    throw invalidArgument(`filter column "${column}" is not in the table`, `columns are: ${schema.fields.map((f) => f.name).join(', ')}`);
  }
  if (!OPS.has(op)) throw invalidArgument(`unknown filter operator "${op}"`, 'use one of = != < <= > >= in, not in');
  if (value === null || value === undefined) {
    if (op === '=') return { column: field.name, field, op: 'is null', values: [] };
    if (op === '!=') return { column: field.name, field, op: 'is not null', values: [] };
    throw invalidArgument(`filter on "${column}" compares with null using "${op}"`, "use ['col', '=', null] or ['col', '!=', null]");
  }
  if (op === 'in' || op === 'not in') {
    if (!Array.isArray(value)) throw invalidArgument(`"${op}" on "${column}" needs an array of values`);
    // A null in the list is kept as a flag, not a value: it never equals anything (termMatches).
    const values = value.filter((v) => v !== null).map((v) => toComparable(v, field.type, column));
    return { column: field.name, field, op, values, ...(value.includes(null) ? { listHasNull: true as const } : {}) };
  }
  return { column: field.name, field, op, values: [toComparable(value, field.type, column)] };
}

/** Converts a user literal into the comparable domain of a Delta type. */
export function toComparable(v: unknown, type: DeltaType, column: string): Comparable {
  const bad = (): never => {
    throw invalidArgument(`filter value ${String(v)} does not fit column "${column}" of type ${typeof type === 'string' ? type : type.type}`);
  };
  if (typeof type !== 'string') return bad();
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : bad();
    case 'boolean':
      return typeof v === 'boolean' ? v : bad();
    case 'byte': case 'short': case 'integer': case 'float': case 'double':
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : bad();
    case 'long':
      return typeof v === 'bigint' ? v : typeof v === 'number' ? (Number.isInteger(v) ? BigInt(v) : v) : bad();
    case 'date': {
      const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v.length === 10 ? v + 'T00:00:00Z' : v) : NaN;
      return Number.isNaN(ms) ? bad() : Math.floor(ms / 86_400_000);
    }
    case 'timestamp': case 'timestamp_ntz': {
      // bigint = microseconds since epoch; Date / number (ms) / ISO string otherwise.
      if (typeof v === 'bigint') return v;
      const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v
        : typeof v === 'string' ? Date.parse(type === 'timestamp_ntz' && !/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v + 'Z' : v) : NaN;
      return Number.isNaN(ms) ? bad() : BigInt(Math.round(ms)) * 1000n;
    }
    default: {
      const m = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
      if (m) return decimalToUnscaled(v, Number(m[2]), column);
      return bad();
    }
  }
}

function decimalToUnscaled(v: unknown, scale: number, column: string): bigint {
  const text = typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw invalidArgument(`filter value ${String(v)} is not a decimal for column "${column}"`);
  const frac = (m[3] ?? '').padEnd(scale, '0');
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) {
    throw invalidArgument(`filter value ${String(v)} has more than ${scale} fraction digits for column "${column}"`);
  }
  const unscaled = BigInt((m[2] || '0') + frac.slice(0, scale));
  return m[1] === '-' ? -unscaled : unscaled;
}

/** Three-way compare in the filters' one order: NaN greatest, -0 = 0, strings by UTF-8 bytes. */
export function compare(a: Comparable, b: Comparable): number {
  return compareValues(a, b);
}

/**
 * Whether a value satisfies a term, in SQL three-valued logic where only true matches: null
 * never matches a comparison (`!=` and `not in` included), `x in (1, null)` matches only 1,
 * `x not in (1, null)` matches nothing. Order as in compareValues (spec/reading.md).
 */
export function termMatches(term: BoundTerm, value: Comparable | null): boolean {
  if (term.op === 'is null') return value === null;
  if (term.op === 'is not null') return value !== null;
  if (value === null) return false;
  if (term.op === 'not in' && term.listHasNull) return false;
  const first = term.values[0]!;
  switch (term.op) {
    case '=': return compare(value, first) === 0;
    case '!=': return compare(value, first) !== 0;
    case '<': return compare(value, first) < 0;
    case '<=': return compare(value, first) <= 0;
    case '>': return compare(value, first) > 0;
    case '>=': return compare(value, first) >= 0;
    case 'in': return term.values.some((x) => compare(value, x) === 0);
    case 'not in': return !term.values.some((x) => compare(value, x) === 0);
  }
}

/** Columns a bound filter reads. */
export function filterColumns(groups: BoundTerm[][] | undefined): string[] {
  return [...new Set((groups ?? []).flat().map((t) => t.column))];
}
