import { corruptLog, invalidArgument } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { checkForward, parseOffset, type StreamOffset } from './offset.js';

/** A planned micro-batch: the files after `startOffset` up to and including `endOffset`. */
export interface PlannedRange {
  batchId: number;
  startOffset: StreamOffset;
  endOffset: StreamOffset;
}

/** How many batch entries to keep: enough to debug, bounded so the directory does not grow forever. */
const KEEP_BATCHES = 100;

/**
 * A stream reader's durable progress in its checkpoint location, as in Spark: `offsets/<batchId>`
 * is written (once) before a batch is delivered, `commits/<batchId>` when the user commits it.
 * A restart re-delivers exactly the planned-but-uncommitted ranges, so a batch id always names
 * the same data and idempotent sinks keyed on it stay exactly-once.
 */
export class ProgressLog {
  constructor(private readonly store: ObjectStore) {}

  /** The table id this location belongs to; written on first use. */
  async bindTable(tableId: string, tableUri: string): Promise<string> {
    const body = new TextEncoder().encode(JSON.stringify({ tableId, tableUri, createdAt: new Date().toISOString() }));
    await this.store.putIfAbsent('metadata', body);
    const meta = JSON.parse(new TextDecoder().decode(await this.store.get('metadata'))) as { tableId?: unknown };
    if (typeof meta.tableId !== 'string') throw corruptLog(`${this.store.rootUri}/metadata`, 'no tableId');
    return meta.tableId;
  }

  /**
   * The last committed batch and the planned ranges after it, oldest first. They must form one
   * forward chain (each range starts where the one before ended), or the location is damaged.
   */
  async recover(): Promise<{ lastCommitted: PlannedRange | undefined; pending: PlannedRange[] }> {
    const committed = await this.ids('commits/');
    const planned = await this.ids('offsets/');
    const lastId = committed.at(-1);
    const lastCommitted = lastId === undefined ? undefined : await this.read('commits', lastId);
    const pending: PlannedRange[] = [];
    for (const id of planned) if (lastId === undefined || id > lastId) pending.push(await this.read('offsets', id));
    let prev = lastCommitted;
    for (const range of [...(lastCommitted ? [lastCommitted] : []), ...pending]) {
      const where = `${this.store.rootUri}/offsets/${range.batchId}`;
      checkForward(range.startOffset, range.endOffset, where);
      if (prev && prev !== range) {
        if (range.batchId !== prev.batchId + 1) throw corruptLog(where, `batch ${range.batchId} follows batch ${prev.batchId}; batch ids must be consecutive`);
        checkForward(prev.endOffset, range.startOffset, where);
        if (JSON.stringify(prev.endOffset) !== JSON.stringify(range.startOffset)) throw corruptLog(where, `batch ${range.batchId} does not start where batch ${prev.batchId} ended`);
      }
      prev = range;
    }
    return { lastCommitted, pending };
  }

  /** Records a range before its data is delivered; an existing entry (a replay) must be identical. */
  async plan(range: PlannedRange): Promise<void> {
    const body = new TextEncoder().encode(JSON.stringify(range));
    if (await this.store.putIfAbsent(`offsets/${range.batchId}`, body) === 'exists') {
      const prior = await this.read('offsets', range.batchId);
      if (JSON.stringify(prior) !== JSON.stringify(range)) {
        throw invalidArgument(`batch ${range.batchId} was already planned differently in ${this.store.rootUri}`, 'another reader may be using this checkpoint location');
      }
    }
  }

  async commit(range: PlannedRange): Promise<void> {
    await this.store.put(`commits/${range.batchId}`, new TextEncoder().encode(JSON.stringify(range)));
    const old = range.batchId - KEEP_BATCHES;
    if (old >= 0 && old % 10 === 0) await this.forgetUpTo(old);
  }

  private async forgetUpTo(batchId: number): Promise<void> {
    for (const dir of ['offsets/', 'commits/']) {
      for (const id of await this.ids(dir)) if (id <= batchId) await this.store.delete(`${dir}${id}`);
    }
  }

  private async ids(dir: string): Promise<number[]> {
    const out: number[] = [];
    for await (const m of this.store.list(dir)) {
      const name = m.path.slice(dir.length);
      if (/^\d+$/.test(name)) out.push(Number(name));
    }
    return out.sort((a, b) => a - b);
  }

  private async read(dir: 'offsets' | 'commits', batchId: number): Promise<PlannedRange> {
    const where = `${this.store.rootUri}/${dir}/${batchId}`;
    let v: Partial<PlannedRange>;
    try {
      v = JSON.parse(new TextDecoder().decode(await this.store.get(`${dir}/${batchId}`))) as Partial<PlannedRange>;
    } catch (err) {
      throw corruptLog(where, 'unreadable stream progress entry', err);
    }
    return {
      batchId: v.batchId ?? batchId,
      startOffset: parseOffset(v.startOffset, where),
      endOffset: parseOffset(v.endOffset, where),
    };
  }
}
