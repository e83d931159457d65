import type { Data } from 'apache-arrow';
import { fileActionsFromColumn, partitionValuesOf, sizeTotal } from '../log/checkpoint-file-actions.js';
import type { AddAction } from '../protocol/actions.js';
import { resolveDataPath } from './data-paths.js';

/** An active data file, with its path decoded and relative to the table root. */
export interface ActiveFile {
  /**
   * The path the store reads, URI-decoded: relative to the table root, or for a file outside it
   * on the same store kind (a shallow clone's), its absolute `file:///...` or `s3://...` location.
   */
  path: string;
  add: AddAction;
}

/**
 * Add rows of a checkpoint, kept as the Arrow column they were decoded into. `kept` flags the
 * rows no later commit touched (undefined: every valid row survives). The rows were checked
 * when loaded (checkFileRows), so building their actions cannot fail.
 */
export interface CheckpointAdds {
  column: Data;
  where: string;
  kept: Uint8Array | undefined;
}

/**
 * The active files of a snapshot, built on first use. A million-file checkpoint decodes into
 * Arrow columns in about a third of the time it takes to turn them into a million action
 * objects (and their garbage), so a snapshot opened for its schema, history, file count or an
 * append never pays for them; the first caller of `files` does, once.
 */
export class FileList {
  private built: readonly ActiveFile[] | undefined;
  private pending: Array<CheckpointAdds | undefined> | undefined;

  private constructor(
    private readonly rootUri: string,
    /** Files added by commits (newest first), which precede the checkpoint's. */
    private readonly newer: readonly ActiveFile[],
    pending: readonly CheckpointAdds[] | undefined,
    /** How many files the list holds, built or not. */
    readonly count: number,
    built?: readonly ActiveFile[],
  ) {
    this.pending = pending && [...pending];
    this.built = built;
  }

  /** A list already built. */
  static of(files: readonly ActiveFile[]): FileList {
    return new FileList('', [], undefined, files.length, files);
  }

  /**
   * Commit adds, resolved now (few, and a path the gate refuses must fail the load), then
   * `checkpointCount` surviving checkpoint rows, built when first asked for.
   */
  static lazy(rootUri: string, newer: readonly AddAction[], pending: readonly CheckpointAdds[], checkpointCount: number): FileList {
    return new FileList(rootUri, newer.map((add) => activeFile(add, rootUri)), pending, newer.length + checkpointCount);
  }

  /** The total size in bytes of the active files, without building the list. */
  get sizeBytes(): number {
    if (this.built) return this.built.reduce((s, f) => s + f.add.size, 0);
    let total = this.newer.reduce((s, f) => s + f.add.size, 0);
    for (const p of this.pending ?? []) if (p) total += sizeTotal(p.column, keeper(p.kept));
    return total;
  }

  /**
   * The files whose partition values `mayMatch` accepts. Before the list is built, only those
   * are built (and not kept): a query on a few partitions of a huge table makes objects for the
   * files it reads, not for every file.
   */
  filesWhere(mayMatch: (partitionValues: Readonly<Record<string, string | null>>) => boolean): ActiveFile[] {
    if (this.built) return this.built.filter((f) => mayMatch(f.add.partitionValues));
    const out = this.newer.filter((f) => mayMatch(f.add.partitionValues));
    for (const p of this.pending ?? []) {
      if (!p) continue;
      const kept = keeper(p.kept);
      const values = partitionValuesOf(p.column);
      const keep = (row: number): boolean => (!kept || kept(row)) && mayMatch(values(row));
      for (const add of fileActionsFromColumn(p.column, 'add', p.where, keep)) out.push(activeFile(add as AddAction, this.rootUri));
    }
    return out;
  }

  get files(): readonly ActiveFile[] {
    if (this.built) return this.built;
    const out = [...this.newer];
    const pending = this.pending ?? [];
    for (let i = 0; i < pending.length; i++) {
      const { column, where, kept } = pending[i]!;
      // Each column is garbage once its files are built, so the columns and the objects
      // replacing them are not all held at once.
      pending[i] = undefined;
      for (const add of fileActionsFromColumn(column, 'add', where, keeper(kept))) out.push(activeFile(add as AddAction, this.rootUri));
    }
    this.built = out;
    this.pending = undefined;
    return out;
  }
}

function keeper(kept: Uint8Array | undefined): ((row: number) => boolean) | undefined {
  return kept ? (row) => kept[row] === 1 : undefined;
}

function activeFile(add: AddAction, rootUri: string): ActiveFile {
  return { path: resolveDataPath(add.path, rootUri), add };
}
