import assert from 'node:assert/strict';
import path from 'node:path';
import { DeltaError, writeDeltaTable, type StreamBatch } from '../../src/index.js';
import { idBatch, tempDir } from './temp.js';

/** The `id` column of a stream batch, as numbers. */
export const idsOf = (b: StreamBatch): number[] => [...b.data.getChild('id')!].map(Number);

/** A fresh table at `<temp>/t` with one append (commit) per entry of `appends`. */
export async function tableWithAppends(appends: number[][], prefix = 'dlts-stream-'): Promise<string> {
  const uri = path.join(await tempDir(prefix), 't');
  for (const ids of appends) await writeDeltaTable(uri, idBatch(ids), { mode: 'append' });
  return uri;
}

/** An assert.rejects/throws matcher: a DeltaError with this code, a message matching `pattern`, and a hint. */
export function deltaError(code: string, pattern: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DeltaError, `expected a DeltaError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    assert.ok(e.hint, 'the error says what to do');
    return true;
  };
}
