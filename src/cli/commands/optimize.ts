// `deltalake optimize`: compacts small files, or Z-orders with --zorder; a progress bar on a terminal.
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { DeltaTable, type Filter, type OptimizeOptions } from '../../index.js';
import { usageError } from '../args.js';

interface OptimizeCommandOptions {
  targetSize?: number;
  where?: string;
  whereJson?: string;
  zorder?: string;
  json?: boolean;
}

/** The `optimize` command. */
export function optimizeCommand(): Command {
  return new Command('optimize')
    .argument('<uri>')
    .option('--target-size <bytes>', 'size of the files written (default 268435456, 256 MiB)', positiveInt('--target-size'))
    .option('--where <sql>', "only partitions matching this SQL condition on partition columns, e.g. \"date >= '2024-01-01' AND region IN ('eu', 'us')\"")
    .option('--where-json <filter>', 'only partitions matching this filter in DNF JSON, e.g. \'[["date","=","2024-01-01"]]\'')
    .option('--zorder <a,b>', 'Z-order each partition by these data columns (rewrites every file of the partition)')
    .option('--json', 'one JSON document')
    .addHelpText('after', "\nExample:\n  deltalake optimize ./events --where \"date = '2024-01-01'\"\n  deltalake optimize ./events --zorder x,y --json")
    .action(async (uri: string, o: OptimizeCommandOptions) => {
      if (o.where !== undefined && o.whereJson !== undefined) throw usageError('give --where or --where-json, not both');
      const predicate = o.where !== undefined ? o.where : o.whereJson !== undefined ? parseJsonFilter(o.whereJson) : undefined;
      const zOrderBy = o.zorder?.split(',').map((c) => c.trim());
      if (zOrderBy?.some((c) => c === '')) throw usageError(`--zorder needs comma-separated column names, got "${o.zorder}"`);
      const table = await DeltaTable.open(uri);
      const bar = !o.json && process.stderr.isTTY
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'rewriting [{bar}] {value}/{total} groups of files' }, cliProgress.Presets.shades_classic)
        : undefined;
      let started = false;
      const opts: OptimizeOptions = {
        ...(o.targetSize !== undefined ? { targetSizeBytes: o.targetSize } : {}),
        ...(predicate ? { predicate } : {}),
        ...(zOrderBy ? { zOrderBy } : {}),
        ...(bar ? { onProgress: (done: number, total: number) => {
          if (!started && total > 0) { bar.start(total, 0); started = true; }
          if (started) bar.update(done);
        } } : {}),
      };
      let r;
      try {
        r = await table.optimize(opts);
      } finally {
        if (started) bar?.stop();
      }
      if (o.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.stdout.write(r.numFilesRemoved === 0
        ? `nothing to optimize at version ${r.version} (${r.filesSkipped} file(s) left as they are)\n`
        : `optimized: version ${r.version}, ${r.numFilesRemoved} file(s) (${r.bytesRemoved} bytes) -> ${r.numFilesAdded} file(s) (${r.bytesAdded} bytes) in ${r.partitionsOptimized} partition(s); ${r.filesSkipped} file(s) left as they are\n`);
    });
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isSafeInteger(n) || n <= 0) throw usageError(`${name} must be a positive integer (bytes), got "${v}"`);
    return n;
  };
}

function parseJsonFilter(text: string): Filter {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw usageError(`--where-json is not JSON: ${text}`);
  }
  if (!Array.isArray(v)) throw usageError(`--where-json must be a JSON array of [column, op, value] terms, got ${text}`);
  return v as Filter;
}
