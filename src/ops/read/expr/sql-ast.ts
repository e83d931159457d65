/** The expression syntax tree this package evaluates, independent of the SQL parser behind it. */
export type SqlNode =
  | { kind: 'column'; qualifier?: string; name: string }
  | { kind: 'literal'; type: 'integer' | 'decimal' | 'string' | 'boolean' | 'null'; text: string }
  | { kind: 'typed-literal'; type: string; text: string } // DATE '...', TIMESTAMP '...'
  | { kind: 'unary'; op: UnaryOp; operand: SqlNode }
  | { kind: 'binary'; op: BinaryOp; left: SqlNode; right: SqlNode }
  | { kind: 'in'; operand: SqlNode; list: SqlNode[]; negated: boolean }
  | { kind: 'between'; operand: SqlNode; low: SqlNode; high: SqlNode; negated: boolean }
  | { kind: 'case'; value?: SqlNode; whens: Array<{ when: SqlNode; then: SqlNode }>; otherwise?: SqlNode }
  | { kind: 'call'; name: string; args: SqlNode[] }
  | { kind: 'cast'; operand: SqlNode; to: string; precision?: number; scale?: number };

export type UnaryOp = 'NOT' | '-' | '+' | 'IS NULL' | 'IS NOT NULL' | 'IS TRUE' | 'IS NOT TRUE' | 'IS FALSE' | 'IS NOT FALSE';
export type BinaryOp = 'AND' | 'OR' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '||';

/** The SQL text of a node, for messages and commitInfo predicates. */
export function sqlText(n: SqlNode): string {
  switch (n.kind) {
    case 'column': return n.qualifier ? `${n.qualifier}.${n.name}` : n.name;
    case 'literal': return n.type === 'string' ? `'${n.text.replace(/'/g, "''")}'` : n.text;
    case 'typed-literal': return `${n.type.toUpperCase()} '${n.text}'`;
    case 'unary': return n.op === 'NOT' || n.op === '-' || n.op === '+' ? `${n.op === 'NOT' ? 'NOT ' : n.op}${wrap(n.operand)}` : `${wrap(n.operand)} ${n.op}`;
    case 'binary': return `${wrap(n.left)} ${n.op} ${wrap(n.right)}`;
    case 'in': return `${wrap(n.operand)} ${n.negated ? 'NOT IN' : 'IN'} (${n.list.map(sqlText).join(', ')})`;
    case 'between': return `${wrap(n.operand)} ${n.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${wrap(n.low)} AND ${wrap(n.high)}`;
    case 'case': return `CASE${n.value ? ` ${sqlText(n.value)}` : ''}${n.whens.map((w) => ` WHEN ${sqlText(w.when)} THEN ${sqlText(w.then)}`).join('')}${n.otherwise ? ` ELSE ${sqlText(n.otherwise)}` : ''} END`;
    case 'call': return `${n.name.toUpperCase()}(${n.args.map(sqlText).join(', ')})`;
    case 'cast': return `CAST(${sqlText(n.operand)} AS ${n.to.toUpperCase()}${n.precision !== undefined ? `(${n.precision}, ${n.scale ?? 0})` : ''})`;
  }
}

function wrap(n: SqlNode): string {
  return n.kind === 'binary' || n.kind === 'in' || n.kind === 'between' || (n.kind === 'unary' && n.op === 'NOT') ? `(${sqlText(n)})` : sqlText(n);
}
