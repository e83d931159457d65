import { invalidArgument } from '../../errors.js';
import type { StructType } from '../../protocol/schema.js';
import { isIntegral } from '../expr/expr-types.js';
import type { SqlNode } from '../expr/sql-ast.js';

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
    const find = (schema: StructType) => schema.fields.find((f) => f.name === n.name) ?? schema.fields.find((f) => f.name.toLowerCase() === n.name.toLowerCase());
    const t = q === undefined || q === aliases.target.toLowerCase() ? find(target) : undefined;
    const s = q === undefined || q === aliases.source.toLowerCase() ? find(source) : undefined;
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
