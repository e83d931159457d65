import { corruptLog, streamOffsetBackwards } from '../errors.js';
import type { Version } from '../protocol/actions.js';

/**
 * A position in a table's change stream, in Delta Spark's model (DeltaSourceOffset): everything up
 * to and including file `index` of `reservoirVersion` has been delivered. `index` -1 means "before
 * the first file of that version". With `isStartingVersion`, the position is inside the initial
 * snapshot of `reservoirVersion` (files ordered by modificationTime, then path), not its commit.
 */
export interface StreamOffset {
  sourceVersion: 1;
  /** The table id (metaData.id); a different id means the table was replaced. */
  reservoirId: string;
  reservoirVersion: Version;
  index: number;
  isStartingVersion: boolean;
}

/** Index meaning "no file of this version delivered yet". */
export const BASE_INDEX = -1;

export function offsetAt(reservoirId: string, version: Version, index: number, isStartingVersion: boolean): StreamOffset {
  return { sourceVersion: 1, reservoirId, reservoirVersion: version, index, isStartingVersion };
}

/** Orders offsets of one table: by version, then the initial snapshot before the commits, then index. */
export function compareOffsets(a: StreamOffset, b: StreamOffset): number {
  if (a.reservoirVersion !== b.reservoirVersion) return a.reservoirVersion < b.reservoirVersion ? -1 : 1;
  if (a.isStartingVersion !== b.isStartingVersion) return a.isStartingVersion ? -1 : 1;
  return a.index === b.index ? 0 : a.index < b.index ? -1 : 1;
}

/** Throws when `next` lies before `prev`: a stream's offsets never move backwards. */
export function checkForward(prev: StreamOffset, next: StreamOffset, where: string): void {
  if (prev.reservoirId !== next.reservoirId || compareOffsets(next, prev) < 0) {
    throw streamOffsetBackwards(where, formatOffset(prev), formatOffset(next));
  }
}

/** A short readable form: `<version>[snapshot]#<index>@<reservoirId>`. */
export function formatOffset(o: StreamOffset): string {
  return `${o.reservoirVersion}${o.isStartingVersion ? '[snapshot]' : ''}#${o.index}@${o.reservoirId}`;
}

/** Parses an offset as Spark writes it (extra keys ignored), validating every field. */
export function parseOffset(value: unknown, where: string): StreamOffset {
  const o = value as Partial<StreamOffset> | null;
  const ok = o !== null && typeof o === 'object'
    && (o.sourceVersion === 1 || (o.sourceVersion as unknown) === 3)
    && typeof o.reservoirId === 'string'
    && Number.isSafeInteger(o.reservoirVersion) && o.reservoirVersion! >= 0
    && Number.isSafeInteger(o.index) && o.index! >= BASE_INDEX
    && typeof o.isStartingVersion === 'boolean';
  if (!ok) throw corruptLog(where, `not a Delta stream offset: ${JSON.stringify(value)}`);
  return offsetAt(o.reservoirId!, o.reservoirVersion!, o.index!, o.isStartingVersion!);
}
