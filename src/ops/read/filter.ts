import { invalidArgument } from '../../errors.js';
import { microsOfDate, parseDateDays, parseTimestampMicros } from '../../protocol/datetime.js';
import { findField, type DeltaType, type StructField, type StructType } from '../../protocol/schema.js';

/** One comparison: `[column, op, value]`. `['c', '=', null]` is IS NULL, `['c', '!=', null]` IS NOT NULL. */
export type FilterTerm = [string, FilterOp, unknown];
export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';
/** Disjunctive normal form, as in pyarrow/delta-rs: a list of terms is an AND; a list of lists an OR of ANDs. */
export type Filter = FilterTerm[] | FilterTerm[][];

import type { Comparable } from '../../snapshot/file-facts.js';
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
  if (filter === undefined) return undefined;
  const example = "[['country', '=', 'BR']] (AND), or [[...], [...]] (OR of ANDs)";
  if (!Array.isArray(filter)) throw invalidArgument(`a filter must be an array of [column, op, value] terms, got ${describeValue(filter)}`, `write it in DNF, e.g. ${example}`);
  if (filter.length === 0) return undefined;
  const groups = (Array.isArray(filter[0]) && Array.isArray((filter[0] as unknown[])[0]) ? filter : [filter]) as FilterTerm[][];
  return groups.map((group) => {
    if (!Array.isArray(group)) throw invalidArgument(`filter group ${describeValue(group)} is not a list of [column, op, value] terms`, `write an OR of ANDs as ${example}`);
    // An empty AND is true: it would silently match every row.
    if (group.length === 0) throw invalidArgument('a filter has an empty group of terms, which would match every row', 'remove the empty group, or pass no filter to read every row');
    return group.map((term) => bindTerm(term, schema));
  });
}

function describeValue(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? `'${v}'` : String(v);
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? 'an object';
  } catch {
    return 'an object';
  }
}

const OPS = new Set(['=', '!=', '<', '<=', '>', '>=', 'in', 'not in']);

function bindTerm(term: FilterTerm, schema: StructType): BoundTerm {
  if (!Array.isArray(term) || term.length !== 3) {
    throw invalidArgument(`filter term ${describeValue(term)} is not [column, op, value]`, "write e.g. ['country', '=', 'BR']");
  }
  const [column, op, value] = term;
  if (typeof column !== 'string') throw invalidArgument(`filter term ${describeValue(term)} names its column with ${describeValue(column)}, not a string`, "write the column name first, e.g. ['country', '=', 'BR']");
  const field = findField(schema, column);
  if (!field) {
    throw invalidArgument(`filter column "${column}" is not in the table`, `columns are: ${schema.fields.map((f) => f.name).join(', ')}`);
  }
  if (!OPS.has(op)) throw invalidArgument(`unknown filter operator "${String(op)}"`, 'use one of = != < <= > >= in, not in');
  if (value === undefined) {
    // Usually an unset variable: treating it as IS NULL would silently return other rows.
    throw invalidArgument(`filter value for "${column}" is undefined`, `check the variable that holds the value; for IS NULL write ['${column}', '${op === '!=' ? '!=' : '='}', null]`);
  }
  if (value === null) {
    if (op === '=') return { column: field.name, field, op: 'is null', values: [] };
    if (op === '!=') return { column: field.name, field, op: 'is not null', values: [] };
    throw invalidArgument(`filter on "${column}" compares with null using "${op}"`, "use ['col', '=', null] or ['col', '!=', null]");
  }
  if (op === 'in' || op === 'not in') {
    if (!Array.isArray(value)) throw invalidArgument(`"${op}" on "${column}" needs an array of values`);
    if (value.some((v) => v === undefined)) throw invalidArgument(`the "${op}" list for "${column}" holds undefined`, 'check the variables that fill the list; every value must be defined');
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
      // The one date parser (protocol/datetime.ts): `YYYY-MM-DD`, never V8's legacy Date.parse.
      const days = v instanceof Date ? utcDaysOfDate(v) : typeof v === 'string' ? parseDateDays(v) : undefined;
      return days === undefined ? badDateTime(v, type, column) : days;
    }
    case 'timestamp': case 'timestamp_ntz': {
      // bigint = microseconds since epoch; Date / number (ms) / text otherwise. Zone-less text is
      // UTC whatever TZ says (spec/reading.md "Dates and timestamps").
      const micros = typeof v === 'bigint' ? v
        : v instanceof Date ? microsOfDate(v)
        : typeof v === 'number' ? microsOfMillis(v)
        : typeof v === 'string' ? parseTimestampMicros(v, { wallClock: type === 'timestamp_ntz' }) : undefined;
      return micros === undefined ? badDateTime(v, type, column) : micros;
    }
    default: {
      const m = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
      if (m) return decimalToUnscaled(v, Number(m[2]), column);
      return bad();
    }
  }
}

function utcDaysOfDate(d: Date): number | undefined {
  const ms = d.getTime();
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 86_400_000);
}

function microsOfMillis(ms: number): bigint | undefined {
  if (!Number.isFinite(ms)) return undefined;
  return Number.isInteger(ms) ? BigInt(ms) * 1000n : BigInt(Math.round(ms * 1000));
}

function badDateTime(v: unknown, type: 'date' | 'timestamp' | 'timestamp_ntz', column: string): never {
  const shown = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
  throw invalidArgument(
    `filter value ${shown} is not a ${type} for column "${column}"`,
    type === 'date'
      ? "write dates as 'YYYY-MM-DD' (years 0001-9999) or pass a Date"
      : "write 'YYYY-MM-DD HH:MM:SS[.ffffff]' or ISO 'YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]' (no zone means UTC), or pass a Date or a bigint of epoch microseconds",
  );
}

function decimalToUnscaled(v: unknown, scale: number, column: string): bigint {
  // Text is exact; a number is taken as its shortest digits (String(0.1) is "0.1"), never its binary value.
  const text = typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw invalidArgument(`filter value ${String(v)} is not a decimal for column "${column}"`, "write decimals as strings ('12.34', '-0.05', '1.5E-3'), numbers or bigints");
  }
  // Move the point by the exponent, then split at the column's scale.
  const exponent = Number(m[4] ?? 0);
  let intPart = m[2] ?? '';
  let fracPart = m[3] ?? '';
  if (exponent > 0) {
    fracPart = fracPart.padEnd(exponent, '0');
    intPart += fracPart.slice(0, exponent);
    fracPart = fracPart.slice(exponent);
  } else if (exponent < 0) {
    intPart = intPart.padStart(-exponent, '0');
    fracPart = intPart.slice(exponent) + fracPart;
    intPart = intPart.slice(0, exponent);
  }
  const frac = fracPart.padEnd(scale, '0');
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) {
    throw invalidArgument(
      `filter value ${String(v)} has more than ${scale} fraction digits for column "${column}"`,
      `round the value to ${scale} fraction digits: the column holds no other values`,
    );
  }
  const unscaled = BigInt((intPart || '0') + frac.slice(0, scale));
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
