import fc from 'fast-check';
import { Int64, Utf8 } from 'apache-arrow';
import { DeltaError } from '../../src/index.js';
import { deleteRows } from '../../src/ops/dml/delete.js';
import { MergeBuilder } from '../../src/ops/dml/merge/merge-builder.js';
import { updateRows } from '../../src/ops/dml/update.js';
import { writeToStore, type WriteOptions } from '../../src/ops/write/write.js';
import type { Action } from '../../src/protocol/actions.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import { batchOf } from './temp.js';

/**
 * Operations for the concurrency properties, on a table of (id, part) partitioned by part, with
 * a serial model: the table after the committed operations in commit order.
 */
export type Op =
  | { kind: 'append'; part: string; ids: number[] }
  | { kind: 'overwrite-partition'; part: string; ids: number[] }
  | { kind: 'overwrite-all'; part: string; ids: number[] }
  /** DELETE WHERE id IN ids, within `part` or (wholeTable) anywhere. */
  | { kind: 'delete'; part: string; ids: number[]; wholeTable: boolean }
  /** UPDATE SET id = id + 5000 WHERE id IN ids, within `part` or anywhere. */
  | { kind: 'update'; part: string; ids: number[]; wholeTable: boolean }
  /** MERGE on (id, part): matched rows get id + 5000, unmatched source rows are inserted. */
  | { kind: 'merge'; part: string; ids: number[] };

export const rows = (part: string, ids: number[]) => batchOf({
  id: { type: new Int64(), values: ids.map(BigInt) },
  part: { type: new Utf8(), values: ids.map(() => part) },
});

const ids = fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 });
const part = fc.constantFrom('a', 'b');

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('append', 'overwrite-partition', 'overwrite-all'), part, ids }) as fc.Arbitrary<Op>,
  fc.record({ kind: fc.constantFrom('delete', 'update'), part, ids, wholeTable: fc.boolean() }) as fc.Arbitrary<Op>,
  fc.record({ kind: fc.constant('merge'), part, ids }) as fc.Arbitrary<Op>,
);

/** The initial table: ids 0..5 in both partitions, written by `setup` as versions 0 and 1. */
export const INITIAL: Array<{ part: string; ids: number[] }> = [{ part: 'a', ids: [0, 1, 2, 3, 4, 5] }, { part: 'b', ids: [0, 1, 2, 3, 4, 5] }];

/** The table after applying ops serially, as a sorted list of "part:id". */
export function serialModel(ops: Op[]): string[] {
  let state: Array<[string, number]> = INITIAL.flatMap((w) => w.ids.map((i) => [w.part, i] as [string, number]));
  const hit = (op: Op & { wholeTable: boolean }, [p, i]: [string, number]): boolean => (op.wholeTable || p === op.part) && op.ids.includes(i);
  for (const op of ops) {
    switch (op.kind) {
      case 'overwrite-all': state = []; break;
      case 'overwrite-partition': state = state.filter(([p]) => p !== op.part); break;
      case 'delete': state = state.filter((r) => !hit(op, r)); break;
      case 'update': state = state.map((r) => (hit(op, r) ? [r[0], r[1] + 5000] : r)); break;
      case 'merge': {
        const present = new Set(state.filter(([p]) => p === op.part).map(([, i]) => i));
        state = state.map(([p, i]) => (p === op.part && op.ids.includes(i) ? [p, i + 5000] : [p, i]));
        state.push(...op.ids.filter((i) => !present.has(i)).map((i) => [op.part, i] as [string, number]));
        break;
      }
      default: break;
    }
    if (op.kind === 'append' || op.kind === 'overwrite-all' || op.kind === 'overwrite-partition') state.push(...op.ids.map((i) => [op.part, i] as [string, number]));
  }
  return state.map(([p, i]) => `${p}:${i}`).sort();
}

/** Whether the op changes the table when run on `before` (a DML that matches nothing commits nothing). */
export function changesTable(op: Op, before: string[]): boolean {
  if (op.kind !== 'delete' && op.kind !== 'update') return true;
  return before.some((r) => {
    const [p, i] = r.split(':');
    return (op.wholeTable || p === op.part) && op.ids.includes(Number(i));
  });
}

const sqlFor = (op: { part: string; ids: number[]; wholeTable: boolean }): string =>
  `${op.wholeTable ? '' : `part = '${op.part}' AND `}id IN (${op.ids.join(', ')})`;

/**
 * Runs one op on `snap` (the snapshot its writer read). Returns the committed version, or
 * undefined when it committed nothing.
 */
export async function runOp(snap: Snapshot, op: Op, label: string): Promise<number | undefined> {
  switch (op.kind) {
    case 'append':
    case 'overwrite-all':
    case 'overwrite-partition': {
      const opts: WriteOptions = { mode: op.kind === 'append' ? 'append' : 'overwrite', userMetadata: label };
      const r = await writeToStore(snap.store, snap, rows(op.part, op.ids), op.kind === 'overwrite-partition' ? { ...opts, predicate: [['part', '=', op.part]] } : opts);
      return r.version;
    }
    case 'delete': {
      const r = await deleteRows(snap, sqlFor(op));
      return r.version === snap.version ? undefined : r.version;
    }
    case 'update': {
      const r = await updateRows(snap, { predicate: sqlFor(op), set: { id: 'id + 5000' } });
      return r.version === snap.version ? undefined : r.version;
    }
    case 'merge': {
      const r = await new MergeBuilder(async () => snap, rows(op.part, op.ids), { on: 'target.id = source.id AND target.part = source.part' })
        .whenMatchedUpdate({ set: { id: 'source.id + 5000' } })
        .whenNotMatchedInsertAll()
        .execute();
      return r.version === snap.version ? undefined : r.version;
    }
  }
}

/** The Spark operation name a commit of `op` records. */
export function operationOf(op: Op): string {
  return op.kind === 'delete' ? 'DELETE' : op.kind === 'update' ? 'UPDATE' : op.kind === 'merge' ? 'MERGE' : 'WRITE';
}

/**
 * Checks a COMMIT_CONFLICT against Spark's rules: it names a version after the one the loser read,
 * with that commit's operation, and that commit did what the named conflict says (added a file
 * in a partition the loser read, or removed a file the loser read or removed). Returns the version.
 */
export function checkConflictJustified(err: unknown, loser: Op, loserSnap: Snapshot, winnerActions: (v: number) => Action[], latest: number): number {
  if (!(err instanceof DeltaError) || err.code !== 'COMMIT_CONFLICT') throw new Error(`not a commit conflict: ${String(err)}`);
  const m = /^(concurrent-append|concurrent-delete-read|concurrent-delete-delete): version (\d+) \(([A-Z ]+)\)/.exec(err.message);
  if (!m) throw new Error(`conflict message names no winning version: ${err.message}`);
  const version = Number(m[2]);
  if (version <= loserSnap.version || version > latest) throw new Error(`named version ${version} is not between ${loserSnap.version} and ${latest}`);
  const actions = winnerActions(version);
  const info = actions.find((a): a is Extract<Action, { commitInfo: unknown }> => 'commitInfo' in a)!.commitInfo;
  if (info.operation !== m[3]) throw new Error(`message says ${m[3]}, version ${version} is ${String(info.operation)}`);
  if (loser.kind === 'append') throw new Error('a blind append conflicted');
  // The partitions the loser read: DELETE/UPDATE with a partition term, partition overwrites and
  // MERGE on (id, part) (its source keys hold one partition) read one; whole-table predicates and
  // full overwrites read the whole table.
  const readsOnePart = loser.kind === 'overwrite-partition' || loser.kind === 'merge' || ((loser.kind === 'delete' || loser.kind === 'update') && !loser.wholeTable);
  const read = (p: string | null | undefined): boolean => !readsOnePart || p === loser.part;
  const readPaths = new Set(loserSnap.files.filter((f) => read(f.add.partitionValues.part)).map((f) => f.add.path));
  const justified = m[1] === 'concurrent-append'
    ? actions.some((a) => 'add' in a && read(a.add.partitionValues.part))
    : actions.some((a) => 'remove' in a && (readPaths.has(a.remove.path) || !readsOnePart));
  if (!justified) throw new Error(`${m[1]} from version ${version} is not justified for ${JSON.stringify(loser)}: ${JSON.stringify(actions.filter((a) => !('commitInfo' in a)))}`);
  return version;
}
