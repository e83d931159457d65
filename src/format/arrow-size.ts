import type { RecordBatch } from 'apache-arrow';

/** Bytes of a batch's buffers, children included (a view counts its own length, not its buffer's). */
export function batchBytes(batch: RecordBatch): number {
  let n = 0;
  const visit = (d: { buffers: ReadonlyArray<ArrayBufferView | undefined>; children: ReadonlyArray<unknown> }): void => {
    for (const b of d.buffers) n += b?.byteLength ?? 0;
    for (const c of d.children) visit(c as typeof d);
  };
  visit(batch.data as never);
  return n;
}
