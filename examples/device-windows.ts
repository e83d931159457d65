// The demo's domain: IoT device events and their per-device 10-second tumbling windows.
// Shared by the demo and by the streaming property tests, which check that the gold table
// equals this aggregation of everything the generator sent, exactly once.
import { Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, TimestampMicrosecond, Utf8, vectorFromArray, type Table } from 'apache-arrow';
import { DeltaTable, isDeltaError, type DeltaStreamWriter, type StreamBatch } from '../src/index.js';

export const WINDOW_MS = 10_000;

export const eventSchema = new Schema([
  new Field('device', new Utf8(), false),
  new Field('ts', new TimestampMicrosecond('UTC'), false),
  new Field('temperature', new Float64(), false),
  new Field('seq', new Int64(), false),
]);

export const windowSchema = new Schema([
  new Field('device', new Utf8(), false),
  new Field('window_start', new TimestampMicrosecond('UTC'), false),
  new Field('events', new Int64(), false),
  new Field('sum_temperature', new Float64(), false),
  new Field('min_temperature', new Float64(), false),
  new Field('max_temperature', new Float64(), false),
  new Field('avg_temperature', new Float64(), false),
]);

export interface DeviceEvent {
  device: string;
  /** Epoch milliseconds. */
  ts: number;
  temperature: number;
  seq: bigint;
}

export interface WindowRow {
  device: string;
  /** Epoch milliseconds, a multiple of WINDOW_MS. */
  window_start: number;
  events: bigint;
  sum_temperature: number;
  min_temperature: number;
  max_temperature: number;
  avg_temperature: number;
}

/**
 * Deterministic events: event `seq` comes from device (seq*7 mod devices) + 1, 1.3 s of event time
 * apart per 10 events, temperatures in tenths of a degree (exact sums in binary floating point
 * up to large counts, so "gold equals the aggregation" can be asserted exactly). A non-zero
 * `seed` scrambles devices and temperatures and moves each event up to 10 s back or forth in
 * event time, so events arrive out of order and windows fill across many micro-batches.
 */
export function eventAt(seq: number, devices = 5, seed = 0, startMs = Date.UTC(2026, 10, 25, 12, 0, 0)): DeviceEvent {
  const h = seed === 0 ? 0 : mix(seq, seed);
  const deviceNo = seed === 0 ? ((seq * 7) % devices) + 1 : (h % devices) + 1;
  const jitterMs = seed === 0 ? 0 : ((h >>> 8) % 20_001) - 10_000;
  const tenths = seed === 0 ? ((seq * 37) + Math.floor(seq / 97) * 13) % 120 : (h >>> 16) % 120;
  return {
    device: `device-${deviceNo}`,
    ts: startMs + Math.floor(seq / 10) * 1300 + (seq % 10) * 17 + jitterMs,
    temperature: 16 + deviceNo * 1.5 + tenths / 10,
    seq: BigInt(seq),
  };
}

/** A 32-bit hash of (seq, seed), unsigned. */
function mix(seq: number, seed: number): number {
  let x = Math.imul(seq ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seed, 0xc2b2ae35);
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

const key = (device: string, windowStart: number): string => `${device}\u0000${windowStart}`;

/** Adds a batch of events (an Arrow table with eventSchema's columns) to the window aggregates. */
export function addEvents(windows: Map<string, WindowRow>, events: Table): void {
  const device = events.getChild('device')!;
  const ts = events.getChild('ts')!;
  const temperature = events.getChild('temperature')!;
  for (let i = 0; i < events.numRows; i++) {
    const d = device.get(i) as string;
    const t = Number(ts.get(i));
    addEvent(windows, d, t, temperature.get(i) as number);
  }
}

export function addEvent(windows: Map<string, WindowRow>, device: string, tsMs: number, temperature: number): void {
  const start = tsMs - (tsMs % WINDOW_MS);
  const k = key(device, start);
  const w = windows.get(k);
  if (!w) {
    windows.set(k, { device, window_start: start, events: 1n, sum_temperature: temperature, min_temperature: temperature, max_temperature: temperature, avg_temperature: temperature });
    return;
  }
  w.events += 1n;
  w.sum_temperature = round(w.sum_temperature + temperature);
  w.min_temperature = Math.min(w.min_temperature, temperature);
  w.max_temperature = Math.max(w.max_temperature, temperature);
  w.avg_temperature = round(w.sum_temperature / Number(w.events));
}

/** Window rows of a gold table read back, keyed like addEvents's map. */
export function windowsOf(gold: Table | undefined): Map<string, WindowRow> {
  const out = new Map<string, WindowRow>();
  if (!gold) return out;
  for (const r of gold.toArray()) {
    const row: WindowRow = {
      device: r.device, window_start: Number(r.window_start), events: BigInt(r.events),
      sum_temperature: r.sum_temperature, min_temperature: r.min_temperature, max_temperature: r.max_temperature, avg_temperature: r.avg_temperature,
    };
    out.set(key(row.device, row.window_start), row);
  }
  return out;
}

/** Rows sorted by device and window, for writing and comparing. */
export function sortedWindows(windows: Map<string, WindowRow>): WindowRow[] {
  return [...windows.values()].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.window_start - b.window_start));
}

/** Sums of tenths stay exact when rounded back to 1e-9 (no drift in long sums). */
function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** Rows of `schema` as one Arrow RecordBatch (columns by field name). */
export function toBatch(schema: Schema, rows: ReadonlyArray<Record<string, unknown>>): RecordBatch {
  const children = schema.fields.map((f) => vectorFromArray(rows.map((r) => r[f.name]), f.type).data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}

/**
 * One step of the bronze -> gold job: folds a bronze micro-batch into the gold windows and writes
 * the whole gold table (Spark's "complete" output mode) under the source batch id. A batch the
 * gold table already has (a replay after a crash) is skipped, so each event counts once.
 */
export async function foldIntoGold(goldUri: string, gold: DeltaStreamWriter, batch: StreamBatch): Promise<{ skipped: boolean; version: number; windows: number; events: number }> {
  let current: DeltaTable | undefined;
  try {
    current = await DeltaTable.open(goldUri);
  } catch (err) {
    if (!isDeltaError(err, 'TABLE_NOT_FOUND')) throw err;
  }
  const windows = windowsOf(current ? await current.toArrow() : undefined);
  if (current && batch.batchId <= (current.appTransactionVersion(gold.appId) ?? -1)) {
    return { skipped: true, version: current.version, windows: windows.size, events: countEvents(windows) };
  }
  addEvents(windows, batch.data);
  const rows = sortedWindows(windows);
  const r = await gold.write(batch.batchId, toBatch(windowSchema, rows as unknown as Array<Record<string, unknown>>));
  return { skipped: r.skipped, version: r.version, windows: rows.length, events: countEvents(windows) };
}

function countEvents(windows: Map<string, WindowRow>): number {
  let n = 0;
  for (const w of windows.values()) n += Number(w.events);
  return n;
}
