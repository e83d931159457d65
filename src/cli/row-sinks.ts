// The output formats of `deltalake cat`, each fed row by row so that any number of rows streams.
import type { LineWriter } from './line-writer.js';
import { cellJson, cellText, Entries, type Cell } from './render-value.js';

/** Receives the column names once, then rows of cells, then end(). */
export interface RowSink {
  header(names: string[]): void;
  row(cells: Cell[]): void;
  end(): void;
}

/** Rows the table format looks at to choose column widths; later, longer cells widen their line only. */
export const TABLE_WIDTH_SAMPLE_ROWS = 1000;

/** An aligned text table; nulls print as `null`, control characters escaped. */
export function tableSink(out: LineWriter): RowSink {
  let names: string[] = [];
  let sample: string[][] | undefined = [];
  let widths: number[] = [];
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const printSample = (): void => {
    widths = names.map((n) => n.length);
    for (const r of sample!) r.forEach((c, i) => (widths[i] = Math.max(widths[i]!, c.length)));
    out.push(line(names));
    out.push(line(widths.map((w) => '-'.repeat(w))));
    for (const r of sample!) out.push(line(r));
    sample = undefined;
  };
  return {
    header: (n) => void (names = n),
    row: (cells) => {
      const r = cells.map(tableCell);
      if (!sample) return out.push(line(r));
      sample.push(r);
      if (sample.length >= TABLE_WIDTH_SAMPLE_ROWS) printSample();
    },
    end: () => {
      if (sample) printSample();
    },
  };
}

function tableCell(c: Cell): string {
  return c === null ? 'null' : cellText(c).replace(/[\n\r\t]/g, (ch) => (ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\t'));
}

/** CSV with RFC 4180 quoting; null is an empty field, nested values are JSON. */
export function csvSink(out: LineWriter): RowSink {
  return {
    header: (names) => out.push(names.map(csvField).join(',')),
    row: (cells) => out.push(cells.map((c) => csvField(cellText(c))).join(',')),
    end: () => {},
  };
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One JSON object per line (JSON Lines). */
export function jsonLinesSink(out: LineWriter): RowSink {
  let names: string[] = [];
  return {
    header: (n) => void (names = n),
    row: (cells) => out.push(rowJson(names, cells)),
    end: () => {},
  };
}

/** One JSON document: an array of row objects, one per line. */
export function jsonArraySink(out: LineWriter): RowSink {
  let names: string[] = [];
  let pending: string | undefined;
  return {
    header: (n) => {
      names = n;
      out.push('[');
    },
    row: (cells) => {
      if (pending !== undefined) out.push(pending + ',');
      pending = rowJson(names, cells);
    },
    end: () => {
      if (pending !== undefined) out.push(pending);
      out.push(']');
    },
  };
}

function rowJson(names: string[], cells: Cell[]): string {
  return cellJson(new Entries(names.map((n, i) => [n, cells[i]!])));
}
