import { corruptData } from '../errors.js';
/**
 * A generic Thrift compact-protocol codec, enough to decode a Parquet footer, change a field and
 * encode it back unchanged otherwise. Field order and types are kept as read.
 */
export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftStruct | ThriftList | ThriftMap;
export interface ThriftField { id: number; type: number; value: ThriftValue }
export interface ThriftStruct { kind: 'struct'; fields: ThriftField[] }
export interface ThriftList { kind: 'list'; elemType: number; items: ThriftValue[] }
export interface ThriftMap { kind: 'map'; keyType: number; valType: number; entries: Array<[ThriftValue, ThriftValue]> }

export const T = { TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 } as const;

/** Decodes one struct starting at `pos`; returns it and the position after it. */
export function readStruct(buf: Uint8Array, pos = 0): { value: ThriftStruct; end: number } {
  const r = new Reader(buf, pos);
  const value = r.struct();
  return { value, end: r.pos };
}

/** Encodes a struct. */
export function writeStruct(s: ThriftStruct): Uint8Array {
  const w = new Writer();
  w.struct(s);
  return w.bytes();
}

/** The field `id` of a struct, if present. */
export function field(s: ThriftStruct, id: number): ThriftField | undefined {
  return s.fields.find((f) => f.id === id);
}

/** Sets (or inserts, keeping ids ascending) field `id`. */
export function setField(s: ThriftStruct, id: number, type: number, value: ThriftValue): void {
  const existing = field(s, id);
  if (existing) {
    existing.type = type;
    existing.value = value;
    return;
  }
  const at = s.fields.findIndex((f) => f.id > id);
  s.fields.splice(at < 0 ? s.fields.length : at, 0, { id, type, value });
}

class Reader {
  constructor(private readonly buf: Uint8Array, public pos: number) {}
  private byte(): number {
    if (this.pos >= this.buf.length) throw corruptData('Thrift data', 'truncated');
    return this.buf[this.pos++]!;
  }
  private varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  private zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }
  struct(): ThriftStruct {
    const fields: ThriftField[] = [];
    let last = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return { kind: 'struct', fields };
      const delta = head >> 4;
      const type = head & 0x0f;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      fields.push({ id, type, value: type === T.TRUE ? true : type === T.FALSE ? false : this.value(type) });
    }
  }
  value(type: number): ThriftValue {
    switch (type) {
      case T.TRUE: case T.FALSE: return this.byte() === 1;
      case T.BYTE: return this.byte();
      case T.I16: case T.I32: return Number(this.zigzag());
      case T.I64: return this.zigzag();
      case T.DOUBLE: {
        const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case T.BINARY: {
        const n = Number(this.varint());
        const v = this.buf.slice(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case T.LIST: case T.SET: {
        const head = this.byte();
        let size = head >> 4;
        const elemType = head & 0x0f;
        if (size === 15) size = Number(this.varint());
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.value(elemType));
        return { kind: 'list', elemType, items };
      }
      case T.MAP: {
        const size = Number(this.varint());
        if (size === 0) return { kind: 'map', keyType: 0, valType: 0, entries: [] };
        const kv = this.byte();
        const entries: Array<[ThriftValue, ThriftValue]> = [];
        for (let i = 0; i < size; i++) entries.push([this.value(kv >> 4), this.value(kv & 0x0f)]);
        return { kind: 'map', keyType: kv >> 4, valType: kv & 0x0f, entries };
      }
      case T.STRUCT: return this.struct();
      default: throw corruptData('Thrift data', `unknown thrift type ${type}`);
    }
  }
}

class Writer {
  private out: number[] = [];
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
  private varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.out.push(Number(x));
  }
  private zigzag(v: bigint): void {
    this.varint((v << 1n) ^ (v >> 63n));
  }
  struct(s: ThriftStruct): void {
    let last = 0;
    for (const f of s.fields) {
      const type = f.type === T.TRUE || f.type === T.FALSE ? (f.value ? T.TRUE : T.FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.out.push((delta << 4) | type);
      else {
        this.out.push(type);
        this.zigzag(BigInt(f.id));
      }
      last = f.id;
      if (type !== T.TRUE && type !== T.FALSE) this.value(type, f.value);
    }
    this.out.push(0);
  }
  value(type: number, v: ThriftValue): void {
    switch (type) {
      case T.TRUE: case T.FALSE: this.out.push(v ? 1 : 2); return;
      case T.BYTE: this.out.push(Number(v) & 0xff); return;
      case T.I16: case T.I32: case T.I64: this.zigzag(BigInt(v as number | bigint)); return;
      case T.DOUBLE: {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v as number, true);
        this.out.push(...b);
        return;
      }
      case T.BINARY: {
        const b = v as Uint8Array;
        this.varint(BigInt(b.length));
        for (const x of b) this.out.push(x);
        return;
      }
      case T.LIST: case T.SET: {
        const l = v as ThriftList;
        if (l.items.length < 15) this.out.push((l.items.length << 4) | l.elemType);
        else {
          this.out.push(0xf0 | l.elemType);
          this.varint(BigInt(l.items.length));
        }
        for (const item of l.items) this.value(l.elemType, item);
        return;
      }
      case T.MAP: {
        const m = v as ThriftMap;
        this.varint(BigInt(m.entries.length));
        if (m.entries.length === 0) return;
        this.out.push((m.keyType << 4) | m.valType);
        for (const [k, x] of m.entries) {
          this.value(m.keyType, k);
          this.value(m.valType, x);
        }
        return;
      }
      case T.STRUCT: this.struct(v as ThriftStruct); return;
      default: throw corruptData('Thrift data', `unknown thrift type ${type}`);
    }
  }
}
