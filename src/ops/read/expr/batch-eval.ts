import { DataType, makeData, type Data, type RecordBatch } from 'apache-arrow';
import { expressionTypeMismatch, unknownExpressionColumn } from '../../../errors.js';
import { dataFromValues } from '../../../format/data-from-values.js';
import { findField, type StructField, type StructType } from '../../../protocol/schema.js';
import { comparableReader } from '../comparable-values.js';
import { toComparable } from '../filter.js';
import { castValues } from './cast.js';
import { compile, compilePredicate, type CompiledExpr, type EvalContext, type ExprScope } from './compile.js';
import { decimalOf, isNumeric, isTimestamp, type ExprType, type Value, type Values } from './expr-types.js';
import { parseSql } from './parse-sql.js';

/** Columns of a table as an expression scope; `aliases` are accepted qualifiers (any when undefined). */
export function tableScope(schema: StructType, aliases?: string[]): ExprScope {
  return {
    resolve(qualifier, name, expression) {
      const shown = qualifier ? `${qualifier}.${name}` : name;
      if (qualifier !== undefined && aliases !== undefined && !aliases.some((a) => a.toLowerCase() === qualifier.toLowerCase())) {
        throw unknownExpressionColumn(shown, expression, schema.fields.map((f) => f.name));
      }
      const field = findField(schema, name);
      if (!field) throw unknownExpressionColumn(shown, expression, schema.fields.map((f) => f.name));
      if (typeof field.type !== 'string' || field.type === 'binary' || field.type === 'variant') {
        const t = typeof field.type === 'string' ? field.type : field.type.type;
        throw expressionTypeMismatch(`column "${field.name}" is of type ${t}, which expressions cannot use`, expression, 'use only columns of primitive types (numbers, strings, booleans, dates, timestamps)');
      }
      return { key: field.name, type: field.type };
    },
  };
}

/** A batch whose columns are `fields` as an evaluation context (columns read once, on demand). */
export function batchContext(batch: RecordBatch, fields: readonly StructField[]): EvalContext {
  return cachedContext(batch.numRows, (key) => {
    const idx = fields.findIndex((f) => f.name === key);
    const read = comparableReader(batch.getChildAt(idx)!.data[0]!);
    const v = new Array<Value>(batch.numRows);
    for (let i = 0; i < batch.numRows; i++) v[i] = read(i);
    return v;
  });
}

/** An evaluation context of `length` rows whose columns `read` makes once each, on first use. */
export function cachedContext(length: number, read: (key: string) => Values): EvalContext {
  const cache = new Map<string, Values>();
  return {
    length,
    column(key) {
      let v = cache.get(key);
      if (!v) {
        v = read(key);
        cache.set(key, v);
      }
      return v;
    },
  };
}

/** Parses and binds an SQL predicate against a table schema. */
export function compileSqlPredicate(sql: string, schema: StructType, aliases?: string[]): CompiledExpr {
  return compilePredicate(parseSql(sql), tableScope(schema, aliases), sql);
}

/** 1 where the predicate is TRUE (NULL and FALSE rows are 0, as in SQL WHERE). */
export function predicateMask(pred: CompiledExpr, ctx: EvalContext): Uint8Array {
  const v = pred.evaluate(ctx);
  const mask = new Uint8Array(ctx.length);
  for (let i = 0; i < v.length; i++) mask[i] = v[i] === true ? 1 : 0;
  return mask;
}

/**
 * An assignment to a column: a string is SQL; any other JS value a literal of the column's type.
 * The value's type must fit the column (same kind; numbers to numbers with a checked conversion).
 */
export function compileAssignment(value: unknown, field: StructField, scope: ExprScope): (ctx: EvalContext) => Values {
  const target = field.type as ExprType;
  if (typeof value !== 'string') {
    const literal = value === null ? null : toComparable(value, field.type, field.name);
    return (ctx) => new Array<Value>(ctx.length).fill(literal);
  }
  const e = compile(parseSql(value), scope, value);
  if (!assignable(e.type, target)) {
    throw expressionTypeMismatch(`the value for column "${field.name}" is ${e.type}, which does not fit its type ${target}`, value, `CAST the value: CAST(${value} AS ${castName(target)})`);
  }
  return (ctx) => castValues(e.evaluate(ctx), e.type, target, value);
}

function assignable(from: ExprType, to: ExprType): boolean {
  if (from === to || from === 'void') return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if (from === 'date' && isTimestamp(to)) return true;
  if (isTimestamp(from) && isTimestamp(to)) return true;
  return from === 'string' && (to === 'date' || isTimestamp(to));
}

function castName(t: ExprType): string {
  const dec = decimalOf(t);
  if (dec) return `DECIMAL(${dec.precision}, ${dec.scale})`;
  return ({ integer: 'INT', long: 'BIGINT', short: 'SMALLINT', byte: 'TINYINT' } as Record<string, string>)[t] ?? t.toUpperCase();
}

/** Arrow data of `type` from expression values of the matching Delta type. */
export function valuesToData(type: DataType, values: Values): Data {
  if (DataType.isDecimal(type) || DataType.isDate(type) || DataType.isTimestamp(type)) {
    const n = values.length;
    const nullBitmap = new Uint8Array(Math.ceil(n / 8));
    let nullCount = 0;
    for (let i = 0; i < n; i++) {
      if (values[i] === null) nullCount++;
      else nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
    const base = { type, length: n, nullCount, ...(nullCount > 0 ? { nullBitmap } : {}) };
    if (DataType.isDate(type)) return makeData({ ...base, data: Int32Array.from(values, (v) => Number(v ?? 0)) } as never);
    if (DataType.isTimestamp(type)) return makeData({ ...base, data: BigInt64Array.from(values, (v) => BigInt((v as bigint | null) ?? 0n)) } as never);
    const words = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) {
      let x = BigInt.asUintN(128, (values[i] as bigint | null) ?? 0n);
      for (let w = 0; w < 4; w++) {
        words[i * 4 + w] = Number(x & 0xffffffffn);
        x >>= 32n;
      }
    }
    return makeData({ ...base, data: words } as never);
  }
  return dataFromValues(type, values);
}
