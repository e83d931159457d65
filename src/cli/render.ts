import type { Table } from 'apache-arrow';

/** A JSON-safe copy: bigints become numbers when exact, else strings; Dates ISO strings; bytes hex. */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === 'object') {
    const obj = typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v;
    if (Array.isArray(obj)) return obj.map(jsonSafe);
    return Object.fromEntries(Object.entries(obj as Record<string, unknown>).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}

/** Rows of an Arrow table as plain objects, timestamps as ISO strings. */
export function rowsOf(table: Table): Array<Record<string, unknown>> {
  const tsCols = new Set(table.schema.fields.filter((f) => String(f.type).startsWith('Timestamp')).map((f) => f.name));
  return table.toArray().map((row) => {
    const out: Record<string, unknown> = {};
    for (const f of table.schema.fields) {
      const v = (row as Record<string, unknown>)[f.name];
      out[f.name] = tsCols.has(f.name) && typeof v === 'number' ? new Date(v).toISOString() : jsonSafe(v);
    }
    return out;
  });
}

/** A plain text table with aligned columns. */
export function textTable(headers: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : typeof c === 'object' ? JSON.stringify(c) : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** 1536 -> "1.5 KiB". */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** CSV with RFC 4180 quoting. */
export function csv(headers: string[], rows: Array<Record<string, unknown>>): string {
  const q = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers.map(q).join(','), ...rows.map((r) => headers.map((h) => q(r[h])).join(','))].join('\n');
}
