import { parse, type Expr } from 'pgsql-ast-parser';
import { invalidArgument } from '../../../errors.js';
import type { BinaryOp, SqlNode, UnaryOp } from './sql-ast.js';

const BINARY: Record<string, BinaryOp> = {
  AND: 'AND', OR: 'OR', '=': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '||': '||',
};
const UNARY = new Set<string>(['NOT', '-', '+', 'IS NULL', 'IS NOT NULL', 'IS TRUE', 'IS NOT TRUE', 'IS FALSE', 'IS NOT FALSE']);
const TYPED_LITERALS = new Set(['date', 'timestamp', 'timestamp_ntz']);

/**
 * Parses one SQL expression (a predicate or a value) with pgsql-ast-parser. Spark's backtick
 * identifiers are accepted (as double-quoted ones); number literals are taken from the source
 * text, so longs beyond 2^53, decimal scales and -0.0 stay exact. Syntax errors are INVALID_ARGUMENT.
 */
export function parseSql(text: string): SqlNode {
  if (typeof text !== 'string' || text.trim() === '') throw invalidArgument(`an SQL expression must be a non-empty string, got ${JSON.stringify(text)}`, "write e.g. \"qty > 3 AND country = 'BR'\"");
  const source = backticksToQuotes(text);
  let parsed: Expr[];
  try {
    parsed = parse(source, { entry: 'expr', locationTracking: true }) as unknown as Expr[];
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n').find((l) => l.trim() !== '') ?? 'syntax error';
    throw invalidArgument(`cannot parse the SQL expression ${JSON.stringify(text)}: ${first}`, "check quotes and operators; strings are 'single-quoted', columns with spaces `back-quoted`");
  }
  if (parsed.length !== 1) throw invalidArgument(`the SQL expression ${JSON.stringify(text)} is ambiguous (${parsed.length} readings)`, 'add parentheses');
  return convert(parsed[0]!, source, text);
}

function convert(e: Expr, source: string, original: string): SqlNode {
  const unsupported = (what: string): never => {
    throw invalidArgument(`the SQL expression ${JSON.stringify(original)} uses ${what}, which is not supported`, 'use comparisons, AND/OR/NOT, IS NULL, IN, BETWEEN, arithmetic, ||, CASE, COALESCE or CAST');
  };
  const sub = (x: Expr): SqlNode => convert(x, source, original);
  const literalText = (x: Expr): string => {
    const loc = (x as { _location?: { start: number; end: number } })._location;
    return loc ? source.slice(loc.start, loc.end).trim() : String((x as { value?: unknown }).value);
  };
  switch (e.type) {
    case 'ref':
      if (e.name === '*') return unsupported('*');
      if (e.table?.schema) return unsupported(`the three-part name ${e.table.schema}.${e.table.name}.${e.name}`);
      return e.table ? { kind: 'column', qualifier: e.table.name, name: e.name } : { kind: 'column', name: e.name };
    case 'integer': return { kind: 'literal', type: 'integer', text: literalText(e) };
    case 'numeric': return { kind: 'literal', type: 'decimal', text: literalText(e) };
    case 'string': return { kind: 'literal', type: 'string', text: e.value };
    case 'boolean': return { kind: 'literal', type: 'boolean', text: e.value ? 'true' : 'false' };
    case 'null': return { kind: 'literal', type: 'null', text: 'NULL' };
    case 'unary': {
      if (!UNARY.has(e.op)) return unsupported(e.op);
      const operand = sub(e.operand);
      // A minus sign in front of a number literal is part of it (so -0.0 keeps its sign).
      if (e.op === '-' && operand.kind === 'literal' && (operand.type === 'integer' || operand.type === 'decimal')) {
        return { ...operand, text: operand.text.startsWith('-') ? operand.text.slice(1) : `-${operand.text}` };
      }
      return { kind: 'unary', op: e.op as UnaryOp, operand };
    }
    case 'binary': {
      if (e.op === 'IN' || e.op === 'NOT IN') {
        const list = e.right.type === 'list' ? e.right.expressions.map(sub) : [sub(e.right)];
        return { kind: 'in', operand: sub(e.left), list, negated: e.op === 'NOT IN' };
      }
      const op = BINARY[e.op];
      if (!op) return unsupported(`the operator ${e.op}`);
      return { kind: 'binary', op, left: sub(e.left), right: sub(e.right) };
    }
    case 'ternary':
      return { kind: 'between', operand: sub(e.value), low: sub(e.lo), high: sub(e.hi), negated: e.op === 'NOT BETWEEN' };
    case 'case':
      return {
        kind: 'case',
        ...(e.value ? { value: sub(e.value) } : {}),
        whens: e.whens.map((w) => ({ when: sub(w.when), then: sub(w.value) })),
        ...(e.else ? { otherwise: sub(e.else) } : {}),
      };
    case 'call': {
      if (e.function.schema) return unsupported(`the function ${e.function.schema}.${e.function.name}`);
      if (e.distinct || e.orderBy || e.filter || e.over) return unsupported(`an aggregate or window form of ${e.function.name}`);
      return { kind: 'call', name: e.function.name.toLowerCase(), args: e.args.map(sub) };
    }
    case 'cast': {
      const to = e.to as unknown as { name: string; config?: number[]; kind?: string };
      if (to.kind === 'array') return unsupported('a cast to an array');
      const name = to.name.toLowerCase();
      if (e.operand.type === 'string' && TYPED_LITERALS.has(name) && isTypedLiteralSyntax(source, e)) {
        return { kind: 'typed-literal', type: name, text: e.operand.value };
      }
      return {
        kind: 'cast', operand: sub(e.operand), to: name,
        ...(to.config?.[0] !== undefined ? { precision: to.config[0] } : {}),
        ...(to.config?.[1] !== undefined ? { scale: to.config[1] } : {}),
      };
    }
    default:
      return unsupported(`a ${e.type} expression`);
  }
}

/** `DATE '2020-01-01'` (a typed literal) rather than `CAST('2020-01-01' AS DATE)`; both mean the same. */
function isTypedLiteralSyntax(source: string, e: Expr): boolean {
  const loc = (e as { _location?: { start: number } })._location;
  return loc !== undefined && /^[a-z_]+\s*'/i.test(source.slice(loc.start));
}

/** Rewrites `name` identifiers as "name", leaving string literals alone. */
function backticksToQuotes(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = endOfQuoted(text, i, "'");
      out += text.slice(i, end);
      i = end;
    } else if (c === '`') {
      const end = endOfQuoted(text, i, '`');
      const inner = text.slice(i + 1, end - 1).replace(/``/g, '`');
      out += `"${inner.replace(/"/g, '""')}"`;
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index after the quote closing the one at `start` (a doubled quote is an escaped one). */
function endOfQuoted(text: string, start: number, q: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === q) {
      if (text[i + 1] === q) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}
