import { md5Hex } from './md5.js';

/*
 * The `_last_checkpoint` checksum (PROTOCOL.md "JSON checksum"): MD5 of a canonical form that
 * keeps numbers exactly as written, so the JSON is tokenized here rather than with JSON.parse.
 *
 *   {"k0":"'v 0'","k1":{"k2":2,"k3":[1]}}  ->  "k0"="%27v%200%27","k1"+"k2"=2,"k1"+"k3"+0=1
 */

/** A parsed JSON leaf with its canonical text, keyed by its canonical path. */
interface Pair { path: string; value: string }

/**
 * The lowercase hex MD5 of the canonical form of `json`, ignoring a top-level `checksum` key.
 * Undefined when the text is not valid JSON, not an object, or repeats a key (invalid per spec).
 */
export function jsonChecksum(json: string): string | undefined {
  const pairs = canonicalPairs(json);
  if (!pairs) return undefined;
  return md5Hex(utf8.encode(canonicalForm(pairs)));
}

/** The canonical string itself (exposed for tests against the spec's sample). */
export function canonicalJson(json: string): string | undefined {
  const pairs = canonicalPairs(json);
  return pairs && canonicalForm(pairs);
}

const utf8 = new TextEncoder();

/** Unsigned byte order (paths sort by their UTF-8 bytes). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function canonicalForm(pairs: Pair[]): string {
  const keyed = pairs.map((p) => ({ p, key: utf8.encode(p.path) }));
  keyed.sort((a, b) => compareBytes(a.key, b.key));
  pairs.splice(0, pairs.length, ...keyed.map((k) => k.p));
  return pairs.map((p) => `${p.path}=${p.value}`).join(',');
}

function canonicalPairs(json: string): Pair[] | undefined {
  const t = new Tokenizer(json);
  const pairs: Pair[] = [];
  try {
    t.skipSpace();
    if (json[t.pos] !== '{') return undefined;
    t.value('', pairs, true);
    t.skipSpace();
    return t.pos === json.length ? pairs : undefined;
  } catch {
    return undefined;
  }
}

const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Strict RFC 8259 reader that emits path=value pairs; throws on any syntax error. */
class Tokenizer {
  pos = 0;
  constructor(private readonly s: string) {}

  value(path: string, out: Pair[], topLevel = false): void {
    this.skipSpace();
    const ch = this.s[this.pos];
    if (ch === '{') this.object(path, out, topLevel);
    else if (ch === '[') this.array(path, out);
    else if (ch === '"') out.push({ path, value: `"${encode(this.string())}"` });
    else {
      const m = this.match(LITERAL);
      if (!m) throw new SyntaxError(`unexpected character at ${this.pos}`);
      this.pos += m[0].length;
      out.push({ path, value: m[0] });
    }
  }

  private object(path: string, out: Pair[], topLevel: boolean): void {
    this.pos++;
    const keys = new Set<string>();
    this.skipSpace();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] !== '"') throw new SyntaxError('expected a key');
      const key = this.string();
      if (keys.has(key)) throw new SyntaxError(`duplicate key ${key}`);
      keys.add(key);
      this.expect(':');
      const segment = `"${encode(key)}"`;
      const child = path === '' ? segment : `${path}+${segment}`;
      if (topLevel && key === 'checksum') this.value(child, []);
      else this.value(child, out);
      if (this.separator('}')) return;
    }
  }

  private array(path: string, out: Pair[]): void {
    this.pos++;
    this.skipSpace();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      this.value(path === '' ? `${i}` : `${path}+${i}`, out);
      if (this.separator(']')) return;
    }
  }

  /** Consumes `,` (false) or `close` (true). */
  private separator(close: string): boolean {
    this.skipSpace();
    const ch = this.s[this.pos++];
    if (ch === close) return true;
    if (ch === ',') return false;
    throw new SyntaxError(`expected , or ${close}`);
  }

  private string(): string {
    const m = this.match(STRING);
    if (!m) throw new SyntaxError(`bad string at ${this.pos}`);
    this.pos += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  /** Matches a sticky regex at the current position. */
  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    return re.exec(this.s);
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.s[this.pos++] !== ch) throw new SyntaxError(`expected ${ch}`);
  }

  skipSpace(): void {
    while (this.pos < this.s.length && ' \t\n\r'.includes(this.s[this.pos]!)) this.pos++;
  }
}

/** Percent-encodes every UTF-8 byte except A-Z a-z 0-9 - . _ ~, with uppercase hex. */
function encode(text: string): string {
  let out = '';
  for (const b of utf8.encode(text)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
