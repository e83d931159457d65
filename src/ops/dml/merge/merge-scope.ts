import { expressionTypeMismatch, unknownExpressionColumn } from '../../../errors.js';
import { findField, type StructType } from '../../../protocol/schema.js';
import { cachedContext } from '../../read/expr/batch-eval.js';
import type { EvalContext, ExprScope } from '../../read/expr/compile.js';
import type { Value, Values } from '../../read/expr/expr-types.js';

/** Column keys of the joined rows: `t:<name>` for target columns, `s:<name>` for source ones. */
export const targetKey = (name: string): string => `t:${name}`;
export const sourceKey = (name: string): string => `s:${name}`;

/**
 * The scope of MERGE expressions: `<targetAlias>.col` and `<sourceAlias>.col`, or a bare name
 * that only one side has (a name both sides have must be qualified, as in Spark).
 */
export function mergeScope(target: StructType, source: StructType, aliases: { target: string; source: string }): ExprScope {
  const all = [...target.fields.map((f) => `${aliases.target}.${f.name}`), ...source.fields.map((f) => `${aliases.source}.${f.name}`)];
  return {
    resolve(qualifier, name, expression) {
      const shown = qualifier ? `${qualifier}.${name}` : name;
      const q = qualifier?.toLowerCase();
      const t = q === undefined || q === aliases.target.toLowerCase() ? findField(target, name) : undefined;
      const s = q === undefined || q === aliases.source.toLowerCase() ? findField(source, name) : undefined;
      if (q !== undefined && q !== aliases.target.toLowerCase() && q !== aliases.source.toLowerCase()) throw unknownExpressionColumn(shown, expression, all);
      if (t && s) throw expressionTypeMismatch(`column "${name}" is ambiguous: both ${aliases.target} and ${aliases.source} have it`, expression, `qualify it as ${aliases.target}.${name} or ${aliases.source}.${name}`);
      const field = t ?? s;
      if (!field) throw unknownExpressionColumn(shown, expression, all);
      if (typeof field.type !== 'string') throw expressionTypeMismatch(`column "${field.name}" is of type ${field.type.type}, which expressions cannot use`, expression, 'use only columns of primitive types');
      return { key: t ? targetKey(field.name) : sourceKey(field.name), type: field.type };
    },
  };
}

/**
 * Joined rows as an evaluation context: row k is target row `ti[k]` with source row `si[k]`
 * (-1: that side is absent, its columns NULL).
 */
export function pairContext(
  targetColumn: (name: string) => Values, sourceColumn: (name: string) => Values, ti: ArrayLike<number>, si: ArrayLike<number>,
): EvalContext {
  return cachedContext(ti.length, (key) => {
    const isTarget = key.startsWith('t:');
    const col = isTarget ? targetColumn(key.slice(2)) : sourceColumn(key.slice(2));
    const idx = isTarget ? ti : si;
    const out = new Array<Value>(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = idx[k]! < 0 ? null : col[idx[k]!]!;
    return out;
  });
}
