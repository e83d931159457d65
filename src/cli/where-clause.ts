// The small SQL subset `--where` takes until a SQL predicate parser lands:
//   <column> <op> <literal> [AND <column> <op> <literal>]...
//   op: = != <> < <= > >=;  literal: 'text' ('' escapes a quote), a number, true, false
//   <column> IS [NOT] NULL
import type { FilterTerm } from '../index.js';
import { usageError } from './args.js';

const TOKEN = /\s*(?:(`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_.]*)|('(?:[^']|'')*')|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(<=|>=|<>|!=|=|<|>))/y;

type Token = { kind: 'word' | 'string' | 'number' | 'op'; text: string };

/** Parses a conjunction of simple comparisons into filter terms; a usage error (exit 2) names what it cannot read. */
export function parseWhere(sql: string): FilterTerm[] {
  const tokens = tokenize(sql);
  const terms: FilterTerm[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw usageError(`--where: ${why} in "${sql}"; only "<column> <op> <literal> [AND ...]" and "<column> IS [NOT] NULL" are understood, or pass --where-json '[["col","=","v"]]'`);
  };
  for (;;) {
    const col = tokens[i++];
    if (!col || col.kind !== 'word') fail('expected a column name');
    const column = col!.text.startsWith('`') ? col!.text.slice(1, -1).replace(/``/g, '`') : col!.text;
    const next = tokens[i++];
    if (next?.kind === 'word' && next.text.toUpperCase() === 'IS') {
      let t = tokens[i++];
      const negated = t?.kind === 'word' && t.text.toUpperCase() === 'NOT';
      if (negated) t = tokens[i++];
      if (!(t?.kind === 'word' && t.text.toUpperCase() === 'NULL')) fail('expected NULL after IS');
      terms.push([column, negated ? '!=' : '=', null]);
    } else {
      if (next?.kind !== 'op') fail(`expected a comparison after "${column}"`);
      const lit = tokens[i++];
      if (!lit) fail(`expected a value after "${column} ${next!.text}"`);
      const op = (next!.text === '<>' ? '!=' : next!.text) as FilterTerm[1];
      terms.push([column, op, literalOf(lit!, fail)]);
    }
    if (i === tokens.length) return terms;
    const and = tokens[i++];
    if (!(and?.kind === 'word' && and.text.toUpperCase() === 'AND')) fail(`expected AND, got "${and?.text}"`);
  }
}

function literalOf(t: Token, fail: (why: string) => never): unknown {
  if (t.kind === 'string') return t.text.slice(1, -1).replace(/''/g, "'");
  if (t.kind === 'number') return Number(t.text);
  if (t.kind === 'word' && /^(true|false)$/i.test(t.text)) return t.text.toLowerCase() === 'true';
  return fail(`"${t.text}" is not a literal (quote strings: 'text')`);
}

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (sql.slice(at).trim() !== '') {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(sql);
    if (!m) throw usageError(`--where: cannot read "${sql.slice(at).trim()}" in "${sql}"`);
    at = TOKEN.lastIndex;
    if (m[1]) out.push({ kind: 'word', text: m[1] });
    else if (m[2]) out.push({ kind: 'string', text: m[2] });
    else if (m[3]) out.push({ kind: 'number', text: m[3] });
    else out.push({ kind: 'op', text: m[4]! });
  }
  return out;
}
