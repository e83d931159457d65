import { corruptLog } from '../errors.js';
import type { Action } from './actions.js';
import { parseActionBody, type ActionName } from './action-parsers.js';
import { isJsonObject } from './json-fields.js';
import { serializeActionBody } from './action-writers.js';

/** Action names in the order they are looked for in a line (PROTOCOL.md "Actions"). */
const ACTION_NAMES: readonly ActionName[] = [
  'commitInfo', 'protocol', 'metaData', 'add', 'remove', 'cdc', 'txn', 'domainMetadata', 'checkpointMetadata', 'sidecar',
];

/**
 * Parses a commit (or JSON checkpoint) file: newline-delimited JSON, one action per line.
 * Blank lines are skipped; unknown action types are dropped; a malformed line or a known action
 * with a missing or mistyped required field is CORRUPT_LOG naming `file` and the 1-based line.
 */
export function parseCommitText(text: string, file: string): Action[] {
  const actions: Action[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const where = `${file} line ${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      throw corruptLog(where, `not valid JSON (${err instanceof Error ? err.message : String(err)})`, err);
    }
    const action = parseAction(obj, where);
    if (action) actions.push(action);
  }
  return actions;
}

/**
 * Validates one action object (`{"add": {...}}`), as read from a commit line or a checkpoint
 * row. Returns undefined for an unknown action type (readers must ignore those); unknown fields
 * are dropped and nulls become absent fields.
 */
export function parseAction(obj: unknown, where: string): Action | undefined {
  if (!isJsonObject(obj)) throw corruptLog(where, 'an action must be a JSON object');
  // JSON.parse takes any depth, but every recursive walk after it (stringify, clone) does not.
  if (nestsDeeperThan(obj, MAX_JSON_DEPTH)) throw corruptLog(where, `the action nests deeper than ${MAX_JSON_DEPTH} levels`);
  let found: ActionName | undefined;
  for (const name of ACTION_NAMES) {
    const body = obj[name];
    if (body === undefined || body === null) continue;
    if (found !== undefined) throw corruptLog(where, `one line holds two actions ("${found}" and "${name}")`);
    found = name;
  }
  if (found === undefined) return undefined;
  const body = obj[found];
  if (!isJsonObject(body)) throw corruptLog(where, `"${found}" must be a JSON object`);
  return parseActionBody(found, body, where);
}

/** Real actions nest a few levels (tags, stats, operation parameters); this is far beyond. */
const MAX_JSON_DEPTH = 1000;

/** Whether a parsed JSON value nests objects/arrays deeper than `limit` (iterative: no stack). */
function nestsDeeperThan(root: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * One JSON line for an action: keys in the order Spark writes them, absent fields omitted,
 * never `null` for an absent field (partition values and tags keep their null values).
 */
export function serializeAction(action: Action): string {
  const [name, body] = Object.entries(action)[0] as [ActionName, unknown];
  return `{${JSON.stringify(name)}:${serializeActionBody(name, body)}}`;
}

/** The bytes of a commit file: one line per action, each ending in '\n'. */
export function serializeCommit(actions: readonly Action[]): Uint8Array {
  return new TextEncoder().encode(actions.map((a) => serializeAction(a) + '\n').join(''));
}
