/**
 * Path text for partitioned data files (PROTOCOL-NOTES §2.12). Two layers, as Spark builds them:
 * Hive-escape each partition value into its directory name, then URI-encode the whole relative
 * path into `add.path`. Readers decode `add.path` exactly once and take values from
 * `partitionValues`, never from directory names.
 */

/** Directory value Hive (and Spark) use for a null or empty partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** Characters Hive escapes in partition directory names (Spark's set, plus NUL). */
function needsHiveEscape(code: number): boolean {
  return code < 0x20 || code === 0x7f || '"#%\'*/:=?\\{[]^'.includes(String.fromCharCode(code));
}

/** Hive escaping of a partition column name or value: `2021-09-08 11:11:11` -> `2021-09-08 11%3A11%3A11`. */
export function escapePartitionPathSegment(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += needsHiveEscape(code) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : text[i];
  }
  return out;
}

/** The inverse of escapePartitionPathSegment; a `%` not followed by two hex digits stays as is. */
export function unescapePartitionPathSegment(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * `col1=v1/col2=v2/` for serialized partition values (null or "" become
 * __HIVE_DEFAULT_PARTITION__); "" when there are no partition columns.
 */
export function partitionDirectory(columns: readonly string[], values: ReadonlyArray<string | null>): string {
  return columns.map((c, i) => {
    const v = values[i];
    return `${escapePartitionPathSegment(c)}=${v === null || v === undefined || v === '' ? HIVE_DEFAULT_PARTITION : escapePartitionPathSegment(v)}/`;
  }).join('');
}

/**
 * The `add.path` URI of a path relative to the table root, as Spark writes it (java.net.URI path
 * quoting): `%` and characters illegal in a URI path become `%XX`; non-ASCII stays as is.
 * `:` is also encoded so a relative path never reads as an absolute URI.
 */
export function encodeAddPath(relativePath: string): string {
  let out = '';
  for (const ch of relativePath) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x80 || /[A-Za-z0-9_\-!.~'()*,;$&+=/@]/.test(ch)) out += ch;
    else out += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Decodes an `add.path` (or `remove.path`) URI exactly once: `%XX` runs become their UTF-8
 * text; a `%` run that is not valid UTF-8 is kept literally, `+` stays `+`.
 */
export function decodeAddPath(path: string): string {
  return path.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16));
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return run;
    }
  });
}
