/*
 * One canonical form for rows read in Node and in the page: the same function source runs in
 * both (Function constructor in the page), so equal strings mean equal values, whatever Arrow
 * JS type carries them (bigint, Date, Uint8Array, StructRow, Vector, Map).
 */
export const CANONICAL_ROWS_SOURCE = `
  const canon = (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'bigint') return 'n' + v.toString();
    if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v === Infinity || v === -Infinity ? String(v) : v;
    if (v instanceof Date) return 'd' + v.toISOString();
    if (v instanceof Uint8Array) return 'b' + Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('');
    if (v instanceof Map) return ['map', [...v.entries()].map(([k, x]) => [canon(k), canon(x)]).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)];
    if (Array.isArray(v)) return v.map(canon);
    if (typeof v === 'object') {
      if (typeof v.toJSON === 'function') { const j = v.toJSON(); if (j !== v) return canon(j); }
      if (typeof v[Symbol.iterator] === 'function' && !(typeof v.length === 'undefined' && typeof v.numRows === 'undefined')) return [...v].map(canon);
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
    }
    return v;
  };
  return (table) => table.toArray().map((r) => JSON.stringify(canon(r.toJSON()))).sort();
`;

/** The canonical, sorted rows of an Arrow table (see CANONICAL_ROWS_SOURCE). */
export const canonicalRows = new Function(CANONICAL_ROWS_SOURCE)() as (table: { toArray(): Array<{ toJSON(): unknown }> }) => string[];
