/*
 * JSON that keeps numbers exactly as written, for `add.stats`: long and decimal bounds carry
 * more digits than a double holds (PROTOCOL.md "Per-file Statistics" writes decimals as JSON
 * numbers). Node 20's JSON.parse has no access to a number's source text, so stats are read
 * here. Everything else in the log goes through JSON.parse.
 */

/** A JSON number that a double may not hold exactly: its source text, verbatim. */
export class JsonNumber {
  constructor(readonly text: string) {}

  /** The nearest double (what JSON.parse would give). */
  toNumber(): number {
    return Number(this.text);
  }
}

/** A parsed JSON value; numbers that are safe integers written without fraction or exponent are plain numbers. */
export type LosslessValue = null | boolean | number | string | JsonNumber | LosslessValue[] | { [key: string]: LosslessValue };

/** Numbers whose text may not round-trip through a double: a fraction, an exponent, or 16+ digits. */
const MAY_BE_INEXACT = /\d[.eE]|\d{16}/;

/** Parses JSON text, keeping numbers exact (see LosslessValue); throws SyntaxError like JSON.parse. */
export function parseLosslessJson(text: string): LosslessValue {
  // Fast path: without such numbers JSON.parse is exact (digits inside strings only cost the slow path).
  if (!MAY_BE_INEXACT.test(text)) return JSON.parse(text) as LosslessValue;
  const reader = new Reader(text);
  const value = reader.value();
  reader.space();
  if (reader.pos !== text.length) throw reader.error();
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;

class Reader {
  pos = 0;
  constructor(private readonly s: string) {}

  value(): LosslessValue {
    this.space();
    const ch = this.s[this.pos];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    for (const [word, v] of LITERALS) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (!m) throw this.error();
    this.pos = NUMBER.lastIndex;
    return numberOf(m[0]);
  }

  private object(): { [key: string]: LosslessValue } {
    const out: { [key: string]: LosslessValue } = {};
    this.pos++;
    this.space();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s[this.pos] !== '"') throw this.error();
      const key = this.string();
      this.space();
      if (this.s[this.pos++] !== ':') throw this.error();
      // defineProperty: a key "__proto__" is data, as with JSON.parse.
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.space();
      const next = this.s[this.pos++];
      if (next === '}') return out;
      if (next !== ',') throw this.error();
    }
  }

  private array(): LosslessValue[] {
    const out: LosslessValue[] = [];
    this.pos++;
    this.space();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      const next = this.s[this.pos++];
      if (next === ']') return out;
      if (next !== ',') throw this.error();
    }
  }

  private string(): string {
    STRING.lastIndex = this.pos;
    const m = STRING.exec(this.s);
    if (!m) throw this.error();
    this.pos = STRING.lastIndex;
    return m[0].includes('\\') ? (JSON.parse(m[0]) as string) : m[0].slice(1, -1);
  }

  space(): void {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.s);
    this.pos = SPACE.lastIndex;
  }

  error(): SyntaxError {
    return new SyntaxError(`invalid JSON at position ${this.pos}`);
  }
}

const LITERALS: ReadonlyArray<readonly [string, LosslessValue]> = [['true', true], ['false', false], ['null', null]];

function numberOf(text: string): number | JsonNumber {
  if (!/[.eE]/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  }
  return new JsonNumber(text);
}

/** A value to serialize: like LosslessValue, plus bigint (written as its digits) and undefined (key left out). */
export type JsonOut = LosslessValue | bigint | undefined | JsonOut[] | { [key: string]: JsonOut };

/**
 * JSON text of `value` with numbers exact: bigint as its digits, JsonNumber as its text. A
 * non-finite number has no JSON form and throws (JSON.stringify would write null).
 */
export function stringifyLosslessJson(value: JsonOut): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint': return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`${value} has no JSON form`);
      return JSON.stringify(value);
    case 'string': case 'boolean': return JSON.stringify(value);
    case 'undefined': return 'null';
  }
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => stringifyLosslessJson(v === undefined ? null : v)).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${stringifyLosslessJson(v)}`);
  return `{${parts.join(',')}}`;
}
