import { DataType, type Data, type Table } from 'apache-arrow';

/**
 * Rows of an Arrow table in the corpus's canonical encoding (../shared/corpus/README.md):
 * longs as decimal strings, decimals with exactly `scale` digits, binary as hex, dates
 * YYYY-MM-DD, timestamps with microseconds (`Z` only when zoned), maps as [key, value] pairs.
 */
export function canonicalRows(table: Table): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  const cols = table.schema.fields.map((f, i) => ({ name: f.name, vector: table.getChildAt(i)! }));
  for (const batchCols of [cols]) {
    for (let r = 0; r < table.numRows; r++) {
      const row: Record<string, unknown> = {};
      for (const c of batchCols) {
        const [data, idx] = locate(c.vector.data, r);
        row[c.name] = encode(data, idx);
      }
      rows.push(row);
    }
  }
  return rows;
}

/**
 * A stable string for a canonical row: object keys sorted, and map pairs sorted because the
 * corpus compares maps as multisets. `schema` drives which arrays are maps.
 */
export function canonicalKey(row: Record<string, unknown>, fields: ReadonlyArray<{ name: string; type: DataType }>): string {
  const out: Record<string, unknown> = {};
  for (const f of [...fields].sort((a, b) => (a.name < b.name ? -1 : 1))) out[f.name] = sortDeep(row[f.name], f.type);
  return JSON.stringify(out);
}

function sortDeep(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (DataType.isMap(type) && Array.isArray(v)) {
    const [kf, vf] = (type.children[0]!.type as DataType).children;
    return v
      .map((pair) => JSON.stringify([sortDeep((pair as unknown[])[0], kf!.type as DataType), sortDeep((pair as unknown[])[1], vf!.type as DataType)]))
      .sort()
      .map((x) => JSON.parse(x) as unknown);
  }
  if (DataType.isList(type) && Array.isArray(v)) return v.map((x) => sortDeep(x, type.children[0]!.type as DataType));
  if (DataType.isStruct(type) && typeof v === 'object') {
    return JSON.parse(canonicalKey(v as Record<string, unknown>, type.children as never)) as unknown;
  }
  return v;
}

function locate(chunks: ReadonlyArray<Data>, row: number): [Data, number] {
  let r = row;
  for (const d of chunks) {
    if (r < d.length) return [d, r];
    r -= d.length;
  }
  throw new RangeError(`row ${row} out of range`);
}

/**
 * Row i of `data`. Arrow JS slices values and offsets buffers (and struct children) with their
 * array, so they are indexed by i; bit-packed booleans count from data.offset, as validity does.
 */
function encode(data: Data, i: number): unknown {
  if (!data.getValid(i)) return null;
  const type = data.type as DataType;
  if (DataType.isInt(type)) {
    const v = (data.values as ArrayLike<number | bigint>)[i]!;
    return type.bitWidth === 64 ? String(v) : Number(v);
  }
  if (DataType.isFloat(type)) {
    const v = Number((data.values as ArrayLike<number>)[i]);
    return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v;
  }
  if (DataType.isBool(type)) {
    const bit = data.offset + i;
    return ((data.values as Uint8Array)[bit >> 3]! >> (bit & 7) & 1) === 1;
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const o = data.valueOffsets as Int32Array;
    const bytes = (data.values as Uint8Array).subarray(o[i]!, o[i + 1]!);
    return DataType.isUtf8(type) ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString('hex');
  }
  if (DataType.isFixedSizeBinary(type)) {
    const w = type.byteWidth;
    return Buffer.from((data.values as Uint8Array).subarray(i * w, i * w + w)).toString('hex');
  }
  if (DataType.isDecimal(type)) {
    const words = data.values as Uint32Array;
    let v = 0n;
    for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[i * 4 + w]!);
    return formatDecimal(BigInt.asIntN(128, v), type.scale);
  }
  if (DataType.isDate(type)) {
    const days = Number((data.values as ArrayLike<number>)[i]);
    return new Date(days * 86_400_000).toISOString().slice(0, 10);
  }
  if (DataType.isTimestamp(type)) {
    const micros = BigInt((data.values as ArrayLike<bigint>)[i]!);
    return formatMicros(micros) + (type.timezone ? 'Z' : '');
  }
  if (DataType.isStruct(type)) {
    const out: Record<string, unknown> = {};
    type.children.forEach((f, c) => (out[f.name] = encode(data.children[c]!, i)));
    return out;
  }
  if (DataType.isList(type)) {
    const o = data.valueOffsets as Int32Array;
    const child = data.children[0]!;
    const out: unknown[] = [];
    for (let k = o[i]!; k < o[i + 1]!; k++) out.push(encode(child, k));
    return out;
  }
  if (DataType.isMap(type)) {
    const o = data.valueOffsets as Int32Array;
    const entries = data.children[0]!;
    const out: unknown[] = [];
    for (let k = o[i]!; k < o[i + 1]!; k++) out.push([encode(entries.children[0]!, k), encode(entries.children[1]!, k)]);
    return out;
  }
  throw new TypeError(`no canonical encoding for ${String(type)}`);
}

function formatDecimal(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return (neg ? '-' : '') + body;
}

function formatMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = isoFromMs(Number(ms));
  return `${iso.slice(0, 19)}.${frac.toString().padStart(6, '0')}`;
}

function isoFromMs(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const year = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${year}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
