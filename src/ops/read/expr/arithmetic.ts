import { expressionEvaluationFailed, expressionTypeMismatch } from '../../../errors.js';
import {
  asDecimal, decimalOf, decimalType, divideHalfUp, digitCount, INTEGRAL_RANGE, isFractional, isIntegral, isNumeric,
  MAX_DECIMAL_PRECISION, pow10, rescale, widerNumeric, type ExprType, type Value, type Values,
} from './expr-types.js';
import { castValues } from './cast.js';

export type ArithOp = '+' | '-' | '*' | '/' | '%';

/** The result type of `a op b` (Spark's rules: `/` of integers is double; decimals keep exact scales). */
export function arithmeticType(op: ArithOp, a: ExprType, b: ExprType, text: string): ExprType {
  const ta = a === 'void' ? b : a;
  const tb = b === 'void' ? a : b;
  if (ta === 'void') return 'void';
  if (!isNumeric(ta) || !isNumeric(tb)) {
    throw expressionTypeMismatch(`"${op}" needs numbers but got ${ta} and ${tb}`, text, ta === 'string' || tb === 'string' ? 'join strings with ||, or CAST the string to a number' : undefined);
  }
  if (isFractional(ta) || isFractional(tb)) return 'double';
  if (isIntegral(ta) && isIntegral(tb)) return op === '/' ? 'double' : widerNumeric(widerNumeric(ta, tb), 'integer');
  const x = asDecimal(ta)!;
  const y = asDecimal(tb)!;
  let precision: number;
  let scale: number;
  switch (op) {
    case '+': case '-':
      scale = Math.max(x.scale, y.scale);
      precision = Math.max(x.precision - x.scale, y.precision - y.scale) + scale + 1;
      break;
    case '*':
      scale = x.scale + y.scale;
      precision = x.precision + y.precision + 1;
      break;
    case '/':
      scale = Math.max(6, x.scale + y.precision + 1);
      precision = x.precision - x.scale + y.scale + scale;
      break;
    case '%':
      scale = Math.max(x.scale, y.scale);
      precision = Math.min(x.precision - x.scale, y.precision - y.scale) + scale;
      break;
  }
  if (precision > MAX_DECIMAL_PRECISION) {
    // Keep the integer digits and at least 6 fraction digits (Spark's precision-loss adjustment).
    const intDigits = precision - scale;
    scale = Math.max(MAX_DECIMAL_PRECISION - intDigits, Math.min(scale, 6));
    precision = MAX_DECIMAL_PRECISION;
  }
  return decimalType(precision, scale);
}

/** Evaluates `a op b` column-wise; NULL in, NULL out. Overflow and division by zero fail (ANSI mode). */
export function arithmetic(op: ArithOp, a: Values, ta: ExprType, b: Values, tb: ExprType, out: ExprType, text: string): Values {
  const n = a.length;
  const res: Values = new Array<Value>(n).fill(null);
  if (out === 'void') return res;
  const fail = (what: string): never => {
    throw expressionEvaluationFailed(what, text);
  };
  if (out === 'double') {
    const x = castValues(a, ta, 'double', text) as Array<number | null>;
    const y = castValues(b, tb, 'double', text) as Array<number | null>;
    for (let i = 0; i < n; i++) {
      const p = x[i];
      const q = y[i];
      if (p === null || p === undefined || q === null || q === undefined) continue;
      if ((op === '/' || op === '%') && q === 0) fail('division by zero');
      res[i] = op === '+' ? p + q : op === '-' ? p - q : op === '*' ? p * q : op === '/' ? p / q : p % q;
    }
    return res;
  }
  const dec = decimalOf(out);
  const sa = asDecimal(ta === 'void' ? tb : ta)!.scale;
  const sb = asDecimal(tb === 'void' ? ta : tb)!.scale;
  const [lo, hi] = dec ? [-(pow10(dec.precision) - 1n), pow10(dec.precision) - 1n] : INTEGRAL_RANGE[out]!;
  for (let i = 0; i < n; i++) {
    const p = a[i];
    const q = b[i];
    if (p === null || p === undefined || q === null || q === undefined) continue;
    const x = BigInt(p as number | bigint);
    const y = BigInt(q as number | bigint);
    let r: bigint;
    if (!dec) {
      if (op === '%' && y === 0n) fail('division by zero');
      r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x % y;
    } else {
      const s = dec.scale;
      switch (op) {
        case '+': case '-': {
          const common = Math.max(sa, sb);
          const u = rescale(x, sa, common);
          const v = rescale(y, sb, common);
          r = rescale(op === '+' ? u + v : u - v, common, s);
          break;
        }
        case '*': r = rescale(x * y, sa + sb, s); break;
        case '/': {
          if (y === 0n) fail('division by zero');
          const k = s - sa + sb;
          r = divideHalfUp(k >= 0 ? x * pow10(k) : x, k >= 0 ? y : y * pow10(-k));
          break;
        }
        case '%': {
          if (y === 0n) fail('division by zero');
          const common = Math.max(sa, sb);
          r = rescale(rescale(x, sa, common) % rescale(y, sb, common), common, s);
          break;
        }
      }
    }
    if (r < lo || r > hi) fail(`${dec ? `a ${digitCount(r)}-digit result overflows ${out}` : `the result ${r} overflows ${out}`}`);
    res[i] = dec || out === 'long' ? r : Number(r);
  }
  return res;
}
