import { expressionTypeMismatch, invalidArgument } from '../../../errors.js';
import { parseDateDays, parseTimestampMicros } from '../../../protocol/datetime.js';
import { arithmetic, arithmeticType, type ArithOp } from './arithmetic.js';
import { canCast, castValues, toText } from './cast.js';
import { compareValues, comparisonType, toComparison, type CompareOp } from './compare-values.js';
import { commonType, decimalType, INTEGRAL_RANGE, MAX_DECIMAL_PRECISION, parseDecimalText, type ExprType, type Value, type Values } from './expr-types.js';
import { sqlText, type SqlNode } from './sql-ast.js';

/** Where column references resolve: a key to read the column by, and its type. Throws for unknown names. */
export interface ExprScope {
  resolve(qualifier: string | undefined, name: string, expression: string): { key: string; type: ExprType };
}

/** The columns of the rows being evaluated, each as a whole column of values. */
export interface EvalContext {
  length: number;
  column(key: string): Values;
}

/** A type-checked expression: evaluating it over a batch gives one value per row. */
export interface CompiledExpr {
  type: ExprType;
  /** Column keys it reads. */
  columns: Set<string>;
  evaluate(ctx: EvalContext): Values;
}

/** Binds a parsed expression to a scope, checking names and types before any row is read. */
export function compile(node: SqlNode, scope: ExprScope, expression: string): CompiledExpr {
  const columns = new Set<string>();
  const c = (n: SqlNode): CompiledExpr => compileNode(n, scope, expression, columns);
  const root = c(node);
  return { ...root, columns };
}

/** Like compile, and the result must be a boolean (a predicate). */
export function compilePredicate(node: SqlNode, scope: ExprScope, expression: string): CompiledExpr {
  const e = compile(node, scope, expression);
  if (e.type !== 'boolean' && e.type !== 'void') {
    throw expressionTypeMismatch(`a predicate must be true or false, but ${sqlText(node)} is ${e.type}`, expression, 'compare the value, e.g. x = 1 or x IS NOT NULL');
  }
  return e;
}

function compileNode(n: SqlNode, scope: ExprScope, text: string, columns: Set<string>): CompiledExpr {
  const c = (x: SqlNode): CompiledExpr => compileNode(x, scope, text, columns);
  const make = (type: ExprType, evaluate: (ctx: EvalContext) => Values): CompiledExpr => ({ type, columns, evaluate });
  switch (n.kind) {
    case 'column': {
      const { key, type } = scope.resolve(n.qualifier, n.name, text);
      columns.add(key);
      return make(type, (ctx) => ctx.column(key));
    }
    case 'literal': case 'typed-literal': {
      const { type, value } = literal(n, text);
      return make(type, (ctx) => new Array<Value>(ctx.length).fill(value));
    }
    case 'unary': {
      const x = c(n.operand);
      switch (n.op) {
        case 'NOT': return make(requireBoolean(x, n, text), (ctx) => x.evaluate(ctx).map((v) => (v === null ? null : !v)));
        case 'IS NULL': return make('boolean', (ctx) => x.evaluate(ctx).map((v) => v === null));
        case 'IS NOT NULL': return make('boolean', (ctx) => x.evaluate(ctx).map((v) => v !== null));
        case 'IS TRUE': case 'IS NOT TRUE': case 'IS FALSE': case 'IS NOT FALSE': {
          requireBoolean(x, n, text);
          const want = n.op.endsWith('TRUE');
          const negate = n.op.includes('NOT');
          return make('boolean', (ctx) => x.evaluate(ctx).map((v) => (v === want) !== negate));
        }
        case '+': arithmeticType('+', x.type, 'integer', text); return x;
        case '-': {
          const type = arithmeticType('-', 'integer', x.type, text);
          const zeroType = x.type === 'void' ? 'integer' : 'integer';
          return make(type, (ctx) => arithmetic('-', new Array<Value>(ctx.length).fill(0), zeroType, x.evaluate(ctx), x.type, type, text));
        }
      }
      break;
    }
    case 'binary': {
      const a = c(n.left);
      const b = c(n.right);
      if (n.op === 'AND' || n.op === 'OR') {
        requireBoolean(a, n, text);
        requireBoolean(b, n, text);
        const and = n.op === 'AND';
        return make('boolean', (ctx) => logic(and, a.evaluate(ctx), b.evaluate(ctx)));
      }
      if (n.op === '||') {
        return make('string', (ctx) => {
          const x = castValues(a.evaluate(ctx), a.type, 'string', text);
          const y = castValues(b.evaluate(ctx), b.type, 'string', text);
          return x.map((v, i) => (v === null || y[i] === null ? null : String(v) + String(y[i])));
        });
      }
      if (n.op === '+' || n.op === '-' || n.op === '*' || n.op === '/' || n.op === '%') {
        const op: ArithOp = n.op;
        const type = arithmeticType(op, a.type, b.type, text);
        return make(type, (ctx) => arithmetic(op, a.evaluate(ctx), a.type, b.evaluate(ctx), b.type, type, text));
      }
      return comparison(n.op, a, b, text, make);
    }
    case 'in': {
      const x = c(n.operand);
      const list = n.list.map(c);
      const type = commonType(list.map((l) => l.type));
      if (type === undefined) throw expressionTypeMismatch(`the IN list mixes ${[...new Set(list.map((l) => l.type))].join(', ')}`, text);
      const eqs = list.map((l) => comparison('=', x, l, text, make));
      return make('boolean', (ctx) => {
        let acc = eqs[0]!.evaluate(ctx);
        for (const e of eqs.slice(1)) acc = logic(false, acc, e.evaluate(ctx));
        return n.negated ? acc.map((v) => (v === null ? null : !v)) : acc;
      });
    }
    case 'between': {
      const x = c(n.operand);
      const low = comparison('>=', x, c(n.low), text, make);
      const high = comparison('<=', x, c(n.high), text, make);
      return make('boolean', (ctx) => {
        const r = logic(true, low.evaluate(ctx), high.evaluate(ctx));
        return n.negated ? r.map((v) => (v === null ? null : !v)) : r;
      });
    }
    case 'case': {
      const subject = n.value ? c(n.value) : undefined;
      const conds = n.whens.map((w) => (subject ? comparison('=', subject, c(w.when), text, make) : c(w.when)));
      if (!subject) for (const [i, cond] of conds.entries()) requireBoolean(cond, n.whens[i]!.when, text);
      const results = [...n.whens.map((w) => c(w.then)), ...(n.otherwise ? [c(n.otherwise)] : [])];
      const type = commonType(results.map((r) => r.type));
      if (type === undefined) throw expressionTypeMismatch(`the CASE branches have types ${results.map((r) => r.type).join(', ')}, which do not fit together`, text);
      return make(type, (ctx) => {
        const out = new Array<Value>(ctx.length).fill(null);
        const done = new Uint8Array(ctx.length);
        conds.forEach((cond, k) => {
          const hit = cond.evaluate(ctx);
          const val = castValues(results[k]!.evaluate(ctx), results[k]!.type, type, text);
          for (let i = 0; i < ctx.length; i++) if (!done[i] && hit[i] === true) { out[i] = val[i]!; done[i] = 1; }
        });
        if (n.otherwise) {
          const r = results[results.length - 1]!;
          const val = castValues(r.evaluate(ctx), r.type, type, text);
          for (let i = 0; i < ctx.length; i++) if (!done[i]) out[i] = val[i]!;
        }
        return out;
      });
    }
    case 'call': {
      if (n.name !== 'coalesce') throw invalidArgument(`the function ${n.name.toUpperCase()} in the expression ${JSON.stringify(text)} is not supported`, 'use COALESCE, CASE WHEN or CAST');
      if (n.args.length === 0) throw invalidArgument(`COALESCE needs at least one argument in ${JSON.stringify(text)}`, 'write COALESCE(x, default)');
      const args = n.args.map(c);
      const type = commonType(args.map((a) => a.type));
      if (type === undefined) throw expressionTypeMismatch(`the COALESCE arguments have types ${args.map((a) => a.type).join(', ')}, which do not fit together`, text);
      return make(type, (ctx) => {
        const out = new Array<Value>(ctx.length).fill(null);
        for (const a of args) {
          const v = castValues(a.evaluate(ctx), a.type, type, text);
          for (let i = 0; i < ctx.length; i++) if (out[i] === null) out[i] = v[i]!;
        }
        return out;
      });
    }
    case 'cast': {
      const x = c(n.operand);
      const to = castTarget(n, text);
      if (!canCast(x.type, to)) throw expressionTypeMismatch(`${x.type} cannot be cast to ${to}`, text, 'cast through STRING, or compare values of the same type');
      return make(to, (ctx) => castValues(x.evaluate(ctx), x.type, to, text));
    }
  }
  throw invalidArgument(`unsupported expression ${sqlText(n)}`);
}

function comparison(op: string, a: CompiledExpr, b: CompiledExpr, text: string, make: (t: ExprType, f: (ctx: EvalContext) => Values) => CompiledExpr): CompiledExpr {
  const type = comparisonType(a.type, b.type, text);
  return make('boolean', (ctx) => compareValues(op as CompareOp, toComparison(a.evaluate(ctx), a.type, type, text), toComparison(b.evaluate(ctx), b.type, type, text)));
}

function requireBoolean(x: CompiledExpr, n: SqlNode, text: string): ExprType {
  if (x.type !== 'boolean' && x.type !== 'void') throw expressionTypeMismatch(`${sqlText(n)} needs true/false operands, not ${x.type}`, text, 'compare the value, e.g. x = 1');
  return 'boolean';
}

/** SQL three-valued AND / OR. */
function logic(and: boolean, a: Values, b: Values): Values {
  return a.map((x, i) => {
    const y = b[i]!;
    if (and) return x === false || y === false ? false : x === null || y === null ? null : true;
    return x === true || y === true ? true : x === null || y === null ? null : false;
  });
}

const CAST_NAMES: Record<string, ExprType> = {
  string: 'string', varchar: 'string', text: 'string', char: 'string', boolean: 'boolean', bool: 'boolean',
  tinyint: 'byte', byte: 'byte', smallint: 'short', short: 'short', int: 'integer', integer: 'integer',
  bigint: 'long', long: 'long', float: 'float', real: 'float', double: 'double', 'double precision': 'double',
  date: 'date', timestamp: 'timestamp', timestamp_ntz: 'timestamp_ntz', 'timestamp without time zone': 'timestamp_ntz',
};

function castTarget(n: Extract<SqlNode, { kind: 'cast' }>, text: string): ExprType {
  if (n.to === 'decimal' || n.to === 'numeric' || n.to === 'dec') {
    const precision = n.precision ?? 10;
    const scale = n.scale ?? 0;
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale > precision) throw invalidArgument(`DECIMAL(${precision}, ${scale}) in ${JSON.stringify(text)} is not a valid decimal type`, 'use a precision 1-38 and a scale no larger than it');
    return decimalType(precision, scale);
  }
  const t = CAST_NAMES[n.to];
  if (!t) throw invalidArgument(`CAST to ${n.to.toUpperCase()} in ${JSON.stringify(text)} is not supported`, `cast to one of ${Object.keys(CAST_NAMES).map((k) => k.toUpperCase()).join(', ')}, DECIMAL(p, s)`);
  return t;
}

function literal(n: Extract<SqlNode, { kind: 'literal' | 'typed-literal' }>, text: string): { type: ExprType; value: Value } {
  if (n.kind === 'typed-literal') {
    const value = n.type === 'date' ? parseDateDays(n.text) : parseTimestampMicros(n.text, { wallClock: n.type === 'timestamp_ntz' });
    if (value === undefined) throw invalidArgument(`${n.type.toUpperCase()} '${n.text}' in ${JSON.stringify(text)} is not a valid ${n.type}`, n.type === 'date' ? "write DATE 'YYYY-MM-DD'" : "write TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.ffffff]'");
    return { type: n.type, value };
  }
  switch (n.type) {
    case 'null': return { type: 'void', value: null };
    case 'boolean': return { type: 'boolean', value: n.text === 'true' };
    case 'string': return { type: 'string', value: n.text };
    case 'integer': {
      const v = BigInt(n.text);
      const [lo, hi] = INTEGRAL_RANGE.integer!;
      if (v >= lo && v <= hi) return { type: 'integer', value: Number(v) };
      const [llo, lhi] = INTEGRAL_RANGE.long!;
      if (v >= llo && v <= lhi) return { type: 'long', value: v };
      return decimalLiteral(n.text, text);
    }
    case 'decimal': return decimalLiteral(n.text, text);
  }
}

function decimalLiteral(t: string, text: string): { type: ExprType; value: Value } {
  const d = parseDecimalText(t);
  if (!d) throw invalidArgument(`${t} in ${JSON.stringify(text)} is not a number`);
  if (d.precision > MAX_DECIMAL_PRECISION) return { type: 'double', value: Number(t) };
  return { type: decimalType(d.precision, d.scale), value: d.unscaled };
}

export { toText };
