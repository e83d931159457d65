import { invalidArgument } from '../../errors.js';

/**
 * What one option may hold. JS callers are not held to the TypeScript types, so every typed
 * field of a public options object is checked once, at the boundary, by these rules.
 */
export type OptionRule =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'integer'; min: number }
  | { kind: 'number'; min: number; aboveMin?: boolean }
  | { kind: 'boolean' | 'string' | 'function' | 'object' | 'strings' | 'filter' | 'timestamp' | 'properties' }
  | { kind: 'nonEmptyString' }
  | { kind: 'either'; rules: readonly OptionRule[] };

export type OptionRules = Readonly<Record<string, OptionRule>>;

/**
 * Throws INVALID_ARGUMENT naming the option, the value and what is allowed when an option of
 * `operation` breaks its rule. `undefined` counts as absent. A key that is not an option but is
 * one or two typos away from one (or differs only in case) is refused too: `partitonBy` would
 * otherwise silently write an unpartitioned table. Other unknown keys pass (objects are often
 * spread from a wider configuration).
 */
export function checkOptions(operation: string, opts: unknown, rules: OptionRules): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw invalidArgument(`${operation}: options must be an object, got ${show(opts)}`, `pass an options object such as { ${Object.keys(rules).slice(0, 2).join(', ')} }, or nothing`);
  }
  const record = opts as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const rule = rules[key];
    if (rule === undefined) {
      const near = nearestKey(key, Object.keys(rules));
      if (near !== undefined) throw invalidArgument(`${operation}: unknown option "${key}"`, `did you mean "${near}"?`);
      continue;
    }
    const value = record[key];
    if (value === undefined || fits(value, rule)) continue;
    throw invalidArgument(
      `${operation}: option ${key} is ${show(value)}; allowed: ${describe(rule)}`,
      hintFor(key, value, rule),
    );
  }
}

/** Throws INVALID_ARGUMENT when a required option is absent. */
export function requireOption(operation: string, opts: unknown, key: string, example: string): void {
  const value = opts !== null && typeof opts === 'object' ? (opts as Record<string, unknown>)[key] : undefined;
  if (value === undefined) throw invalidArgument(`${operation}: option ${key} is required`, `pass ${example}`);
}

/** Whether `value` satisfies `rule`. */
export function fits(value: unknown, rule: OptionRule): boolean {
  switch (rule.kind) {
    case 'enum': return typeof value === 'string' && rule.values.includes(value);
    case 'integer': return typeof value === 'number' && Number.isSafeInteger(value) && value >= rule.min;
    case 'number': return typeof value === 'number' && Number.isFinite(value) && (rule.aboveMin ? value > rule.min : value >= rule.min);
    case 'boolean': return typeof value === 'boolean';
    case 'string': return typeof value === 'string';
    case 'nonEmptyString': return typeof value === 'string' && value.length > 0;
    case 'function': return typeof value === 'function';
    case 'object': return value !== null && typeof value === 'object';
    case 'filter': return Array.isArray(value);
    case 'strings': return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);
    case 'timestamp': return (value instanceof Date && !Number.isNaN(value.getTime())) || (typeof value === 'string' && value.trim().length > 0);
    case 'properties':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        && Object.values(value as Record<string, unknown>).every((v) => typeof v === 'string');
    case 'either': return rule.rules.some((r) => fits(value, r));
  }
}

function describe(rule: OptionRule): string {
  switch (rule.kind) {
    case 'enum': return rule.values.map((v) => `'${v}'`).join(', ');
    case 'integer': return rule.min === 0 ? 'a non-negative integer' : rule.min === 1 ? 'a positive integer' : `an integer >= ${rule.min}`;
    case 'number': return `a finite number ${rule.aboveMin ? '>' : '>='} ${rule.min}`;
    case 'boolean': return 'true or false';
    case 'string': return 'a string';
    case 'nonEmptyString': return 'a non-empty string';
    case 'function': return 'a function';
    case 'object': return 'an object';
    case 'filter': return "a filter in DNF: [[column, op, value], ...] (AND) or [[...], [...]] (OR of ANDs)";
    case 'strings': return 'an array of column names (non-empty strings)';
    case 'timestamp': return 'a Date or an ISO-8601 string';
    case 'properties': return 'an object of string values, e.g. { "delta.appendOnly": "true" }';
    case 'either': return rule.rules.map(describe).join(' or ');
  }
}

function hintFor(key: string, value: unknown, rule: OptionRule): string {
  if (rule.kind === 'enum' && typeof value === 'string') {
    const near = nearestKey(value, rule.values);
    if (near !== undefined) return `did you mean '${near}'?`;
  }
  if (rule.kind === 'filter') return `write ${key} like [['country', '=', 'BR'], ['qty', '>', 3]]`;
  if (rule.kind === 'enum') return `pass one of ${describe(rule)} as ${key}, or leave it out for the default`;
  if (rule.kind === 'properties') return 'write every property value as a string ("true", "10", "interval 7 days")';
  return `pass ${describe(rule)} as ${key}, or leave ${key} out for its default`;
}

/** A rendering of a user value for messages: strings quoted, NaN and -1 as they are. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'Invalid' : value.toISOString()})`;
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** The candidate within two edits of `word` (or equal ignoring case), if exactly one is nearest. */
export function nearestKey(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const limit = word.length <= 3 ? 0 : word.length <= 5 ? 1 : 2;
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
