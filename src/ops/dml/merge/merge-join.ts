import { invalidArgument } from '../../../errors.js';
import { findField, type StructType } from '../../../protocol/schema.js';
import { isIntegral } from '../../read/expr/expr-types.js';
import type { SqlNode } from '../../read/expr/sql-ast.js';
import type { FilterTerm } from '../../read/filter.js';

/** The ON condition as SQL: given, or built from shared column names (`t.c = s.c AND ...`). */
export function onCondition(on: string | string[], aliases: { target: string; source: string }): string {
  if (typeof on === 'string') return on;
  if (!Array.isArray(on) || on.length === 0 || on.some((c) => typeof c !== 'string')) {
    throw invalidArgument('merge `on` must be an SQL condition or a non-empty list of column names', "write e.g. on: 'target.id = source.id' or on: ['id']");
  }
  const q = (s: string): string => `\`${s.replace(/`/g, '``')}\``;
  return on.map((c) => `${q(aliases.target)}.${q(c)} = ${q(aliases.source)}.${q(c)}`).join(' AND ');
}

/**
 * The `target.a = source.b` conjuncts of ON whose two sides have the same type (or are both
 * integers), usable as hash-join keys; undefined when there are none (then every pair is tried).
 */
export function equiJoinKeys(on: SqlNode, target: StructType, source: StructType, aliases: { target: string; source: string }): Array<{ target: string; source: string }> | undefined {
  const keys: Array<{ target: string; source: string }> = [];
  const side = (n: SqlNode): { side: 't' | 's'; name: string; type: string } | undefined => {
    if (n.kind !== 'column') return undefined;
    const q = n.qualifier?.toLowerCase();
    const t = q === undefined || q === aliases.target.toLowerCase() ? findField(target, n.name) : undefined;
    const s = q === undefined || q === aliases.source.toLowerCase() ? findField(source, n.name) : undefined;
    if ((t && s) || (!t && !s)) return undefined;
    const f = (t ?? s)!;
    return typeof f.type === 'string' ? { side: t ? 't' : 's', name: f.name, type: f.type } : undefined;
  };
  const visit = (n: SqlNode): void => {
    if (n.kind === 'binary' && n.op === 'AND') {
      visit(n.left);
      visit(n.right);
      return;
    }
    if (n.kind !== 'binary' || n.op !== '=') return;
    const a = side(n.left);
    const b = side(n.right);
    if (!a || !b || a.side === b.side) return;
    const sameType = a.type === b.type || (isIntegral(a.type) && isIntegral(b.type));
    if (!sameType || a.type === 'float' || a.type === 'double') return;
    const [t, s] = a.side === 't' ? [a, b] : [b, a];
    keys.push({ target: t.name, source: s.name });
  };
  visit(on);
  return keys.length > 0 ? keys : undefined;
}

/** Up to this many distinct source keys prune target files by the key list itself, beyond by its range. */
const KEY_LIST_LIMIT = 100_000;

/**
 * A filter every target row that can match some source row satisfies, on each integer or string
 * key: `key IN (the source's keys)` when there are at most KEY_LIST_LIMIT of them (a file's
 * min/max must then bracket one of them, so keys spread over the table still prune to the files
 * that can hold them), else the source's [min, max]. A target file outside it is not read.
 * Undefined when no key qualifies; `false` when the source has no complete key (nothing matches).
 */
export function keyRangeFilter(
  keys: Array<{ target: string; source: string }>, target: StructType, source: { numRows: number; column(n: string): unknown[] },
  compare: (a: never, b: never) => number,
): FilterTerm[] | undefined | false {
  const terms: FilterTerm[] = [];
  for (const k of keys) {
    const type = target.fields.find((f) => f.name === k.target)?.type;
    if (typeof type !== 'string' || !(isIntegral(type) || type === 'string')) continue;
    let min: unknown;
    let max: unknown;
    const distinct = new Set<unknown>();
    for (const v of source.column(k.source)) {
      if (v === null || v === undefined) continue;
      if (distinct.size <= KEY_LIST_LIMIT) distinct.add(v);
      if (min === undefined || compare(v as never, min as never) < 0) min = v;
      if (max === undefined || compare(v as never, max as never) > 0) max = v;
    }
    if (min === undefined) return false;
    if (distinct.size <= KEY_LIST_LIMIT) terms.push([k.target, 'in', [...distinct].sort((a, b) => compare(a as never, b as never))] as FilterTerm);
    else terms.push([k.target, '>=', min], [k.target, '<=', max]);
  }
  return terms.length > 0 ? terms : undefined;
}
