// `deltalake cat`: streams the scan's batches to stdout and stops reading once --limit rows are out.
import { Command, Option } from 'commander';
import { DeltaTable } from '../../index.js';
import { intArg, openOpts, usageError } from '../args.js';
import { LineWriter } from '../line-writer.js';
import { batchCells } from '../render-value.js';
import { csvSink, jsonArraySink, jsonLinesSink, tableSink, type RowSink } from '../row-sinks.js';

interface CatOptions {
  version?: number;
  timestamp?: string;
  columns?: string;
  limit?: number;
  format?: 'table' | 'json' | 'csv';
  json?: boolean;
}

/** The `cat` command. */
export function catCommand(): Command {
  return new Command('cat')
    .argument('<uri>')
    .option('--version <n>', 'as of version N', intArg('--version'))
    .option('--timestamp <t>', 'as of a time (ISO-8601)')
    .option('--columns <a,b>', 'only these columns')
    .option('--limit <n>', 'at most N rows (reading stops there)', intArg('--limit'))
    .addOption(new Option('--format <f>', 'table (default), json (one object per line) or csv').choices(['table', 'json', 'csv']))
    .option('--json', 'one JSON document: an array of row objects')
    .addHelpText('after', '\nExample:\n  deltalake cat ./events --columns id,ts --limit 10 --format csv')
    .action(async (uri: string, o: CatOptions) => {
      if (o.json && o.format !== undefined) throw usageError('give --json or --format, not both');
      const columns = o.columns?.split(',').map((c) => c.trim());
      if (columns?.some((c) => c === '')) throw usageError(`--columns needs comma-separated column names, got "${o.columns}"`);
      const table = await DeltaTable.open(uri, openOpts(o));
      const out = new LineWriter();
      const sink = sinkFor(o, out);
      await catRows(table, columns, o.limit ?? Infinity, sink, out);
      await out.flush();
    });
}

function sinkFor(o: CatOptions, out: LineWriter): RowSink {
  if (o.json) return jsonArraySink(out);
  if (o.format === 'json') return jsonLinesSink(out);
  if (o.format === 'csv') return csvSink(out);
  return tableSink(out);
}

/** Feeds up to `limit` rows to the sink; leaving the loop early ends the scan (no further files are read). */
async function catRows(table: DeltaTable, columns: string[] | undefined, limit: number, sink: RowSink, out: LineWriter): Promise<void> {
  let remaining = limit;
  let headed = false;
  // Even with --limit 0 the scan starts, so that unknown --columns are reported.
  for await (const batch of table.scan(columns ? { columns } : {})) {
    if (!headed) {
      sink.header(batch.schema.fields.map((f) => f.name));
      headed = true;
    }
    const { row } = batchCells(batch);
    const n = Math.min(batch.numRows, remaining);
    for (let i = 0; i < n; i++) {
      sink.row(row(i));
      if ((i & 1023) === 1023) await out.flushIfFull();
    }
    remaining -= n;
    await out.flushIfFull();
    if (remaining <= 0) break;
  }
  if (!headed) sink.header(columns ?? table.schema.fields.map((f) => f.name));
  sink.end();
}
