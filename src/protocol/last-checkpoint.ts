import type { LastCheckpointInfo } from './actions.js';
import { jsonChecksum } from './json-checksum.js';

/** Fields Spark writes first, so a torn read by an old client still sees them together. */
const LEADING_KEYS = ['version', 'size', 'parts', 'sizeInBytes', 'numOfAddFiles'] as const;

/**
 * Parses `_delta_log/_last_checkpoint`. It is only a hint (PROTOCOL.md "Last Checkpoint File"):
 * empty, malformed, mistyped, or failing its `checksum`, it gives undefined and the reader lists
 * the log instead. Unknown fields are kept; nulls are dropped.
 */
export function parseLastCheckpoint(text: string): LastCheckpointInfo | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const obj = raw as Record<string, unknown>;
  const version = obj['version'];
  const size = obj['size'];
  if (!isInteger(version) || version < 0 || !isInteger(size)) return undefined;
  for (const key of ['parts', 'sizeInBytes', 'numOfAddFiles'] as const) {
    const v = obj[key];
    if (v !== undefined && v !== null && (!isInteger(v) || v < (key === 'parts' ? 1 : 0))) return undefined;
  }
  const checksum = obj['checksum'];
  if (checksum !== undefined && checksum !== null) {
    // The checksum covers the text as written, so it is computed over `text`, not over `obj`.
    if (typeof checksum !== 'string' || jsonChecksum(text) !== checksum.toLowerCase()) return undefined;
  }
  const info: LastCheckpointInfo = { version, size };
  for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) info[k] = v;
  return info;
}

/**
 * The `_last_checkpoint` JSON a writer puts: version, size, parts, sizeInBytes, numOfAddFiles
 * first, any other fields after, and a `checksum` over the result (a given one is replaced).
 */
export function serializeLastCheckpoint(
  info: Pick<LastCheckpointInfo, 'version' | 'size'> & Partial<Pick<LastCheckpointInfo, 'parts' | 'sizeInBytes' | 'numOfAddFiles'>>,
): string {
  const fields = info as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const k of LEADING_KEYS) if (fields[k] !== undefined && fields[k] !== null) ordered[k] = fields[k];
  for (const [k, v] of Object.entries(fields)) {
    if (k !== 'checksum' && !(k in ordered) && v !== undefined && v !== null) ordered[k] = v;
  }
  const body = JSON.stringify(ordered);
  const checksum = jsonChecksum(body)!;
  return `${body.slice(0, -1)}${body === '{}' ? '' : ','}"checksum":"${checksum}"}`;
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}
