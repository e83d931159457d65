#!/usr/bin/env node
// The `deltalake` CLI: argv -> library -> text (TTY) or one JSON document (--json).
import cliProgress from 'cli-progress';
import { Command, CommanderError } from 'commander';
import { DeltaError, DeltaTable, VERSION } from '../index.js';
import { intArg, openOpts, usageError } from './args.js';
import { cliWording } from './cli-wording.js';
import { catCommand } from './commands/cat.js';
import { optimizeCommand } from './commands/optimize.js';
import { serveCommand } from './commands/serve.js';
import { humanBytes, jsonSafe, textTable } from './render.js';

// `deltalake cat ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('deltalake')
  .description('Inspect and maintain Delta Lake tables on local disk or S3')
  .version(VERSION, '--version')
  // Subcommands own their options: `describe t --version 3` is not the CLI's --version.
  .enablePositionalOptions()
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const json = (v: unknown): void => out(JSON.stringify(jsonSafe(v), null, 2));

program.command('history')
  .argument('<uri>', 'table path, file:// or s3:// URI')
  .option('--limit <n>', 'newest N commits', intArg('--limit'))
  .option('--json', 'one JSON document')
  .addHelpText('after', '\nExample:\n  deltalake history ./events --limit 5')
  .action(async (uri: string, o: { limit?: number; json?: boolean }) => {
    const h = await (await DeltaTable.open(uri)).history(o.limit === undefined ? {} : { limit: o.limit });
    if (o.json) return json(h);
    out(textTable(['version', 'timestamp', 'operation', 'parameters'], h.map((e) => [e.version, new Date(e.timestamp).toISOString(), e.operation, e.operationParameters])));
  });

program.command('describe')
  .argument('<uri>')
  .option('--version <n>', 'as of version N', intArg('--version'))
  .option('--timestamp <t>', 'as of a time (ISO-8601)')
  .option('--json', 'one JSON document')
  .addHelpText('after', '\nExample:\n  deltalake describe ./events --json')
  .action(async (uri: string, o: { version?: number; timestamp?: string; json?: boolean }) => {
    const t = await DeltaTable.open(uri, openOpts(o));
    const doc = {
      uri, version: t.version, id: t.metadata.id, name: t.metadata.name ?? null, description: t.metadata.description ?? null,
      schema: t.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
      partitionColumns: t.partitionColumns, properties: t.metadata.configuration, protocol: t.protocol,
      // Counted and summed on the checkpoint's columns: no object per file on a huge table.
      numFiles: t.snapshot.fileCount, sizeBytes: t.snapshot.sizeBytes,
    };
    if (o.json) return json(doc);
    out(`table     ${uri}\nversion   ${doc.version}\nid        ${doc.id}\nfiles     ${doc.numFiles} (${humanBytes(doc.sizeBytes)})\npartition [${doc.partitionColumns.join(', ')}]\nprotocol  reader ${doc.protocol.minReaderVersion}, writer ${doc.protocol.minWriterVersion}${doc.protocol.readerFeatures ? ` reader features ${doc.protocol.readerFeatures.join(',')}` : ''}${doc.protocol.writerFeatures ? ` writer features ${doc.protocol.writerFeatures.join(',')}` : ''}\n`);
    out(textTable(['column', 'type', 'nullable'], doc.schema.map((c) => [c.name, c.type, c.nullable])));
    if (Object.keys(doc.properties).length > 0) out('\n' + textTable(['property', 'value'], Object.entries(doc.properties)));
  });

program.command('files')
  .argument('<uri>')
  .option('--version <n>', 'as of version N', intArg('--version'))
  .option('--json', 'one JSON document')
  .addHelpText('after', '\nExample:\n  deltalake files ./events --version 3')
  .action(async (uri: string, o: { version?: number; json?: boolean }) => {
    const files = await (await DeltaTable.open(uri, openOpts(o))).files();
    if (o.json) return json(files);
    out(textTable(['path', 'size', 'records', 'partition'], files.map((f) => [f.path, humanBytes(f.size), f.numRecords ?? '', f.partitionValues])));
  });

program.command('delete')
  .argument('<uri>')
  .requiredOption('--where <sql>', "rows to delete, an SQL condition, e.g. \"country = 'BR' AND qty > 3\"")
  .option('--json', 'one JSON document')
  .addHelpText('after', "\nExample:\n  deltalake delete ./events --where \"day < DATE '2024-01-01'\"")
  .action(async (uri: string, o: { where: string; json?: boolean }) => {
    const r = await (await DeltaTable.open(uri)).delete(o.where);
    if (o.json) return json(r);
    out(r.numDeletedRows === 0
      ? `no rows match; nothing committed (version ${r.version})`
      : `deleted ${r.numDeletedRows} row(s) at version ${r.version}: ${r.numRemovedFiles} file(s) removed, ${r.numAddedFiles} written, ${r.numDeletionVectorsAdded} deletion vector(s)`);
  });

// addCommand does not inherit settings the way .command() does: exitOverride, output, positional options.
program.addCommand(catCommand().copyInheritedSettings(program));

program.addCommand(optimizeCommand().copyInheritedSettings(program));

program.addCommand(serveCommand().copyInheritedSettings(program));

program.command('vacuum')
  .argument('<uri>')
  .option('--retention-hours <h>', 'keep files needed within H hours (default: the table setting, 168)', intArg('--retention-hours'))
  .option('--dry-run', 'only print the plan (default)')
  .option('--yes', 'really delete the files')
  .option('--no-enforce-retention', 'allow a retention below delta.deletedFileRetentionDuration (unsafe with readers of old versions or writes in flight)')
  .option('--json', 'one JSON document')
  .addHelpText('after', '\nExample:\n  deltalake vacuum ./events            # prints what would be deleted\n  deltalake vacuum ./events --yes      # deletes it')
  .action(async (uri: string, o: { retentionHours?: number; yes?: boolean; json?: boolean; enforceRetention: boolean }) => {
    const t = await DeltaTable.open(uri);
    // A progress bar only for people: on a TTY, never with --json or in pipes.
    const bar = o.yes && !o.json && process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'deleting [{bar}] {value}/{total} files' }, cliProgress.Presets.shades_classic) : undefined;
    let started = false;
    const r = await t.vacuum({
      dryRun: !o.yes,
      enforceRetention: o.enforceRetention,
      ...(o.retentionHours !== undefined ? { retentionHours: o.retentionHours } : {}),
      ...(bar ? { onProgress: (done: number, total: number) => {
        if (!started) { bar.start(total, 0); started = true; }
        bar.update(done);
      } } : {}),
    });
    if (started) bar?.stop();
    if (o.json) return json(r);
    for (const f of r.files) out(f);
    out(`${r.dryRun ? 'would delete' : 'deleted'} ${r.files.length} file(s), ${humanBytes(r.bytes)}${r.dryRun && r.files.length > 0 ? ' (run with --yes to delete)' : ''}`);
  });

program.command('checkpoint')
  .argument('<uri>')
  .option('--json', 'one JSON document')
  .addHelpText('after', '\nExample:\n  deltalake checkpoint ./events')
  .action(async (uri: string, o: { json?: boolean }) => {
    const r = await (await DeltaTable.open(uri)).checkpoint();
    if (o.json) return json(r);
    out(`checkpoint written at version ${r.version}`);
  });

program.command('restore')
  .argument('<uri>')
  .option('--version <n>', 'restore this version', intArg('--version'))
  .option('--timestamp <t>', 'restore the version current at this time')
  .option('--json', 'one JSON document')
  .addHelpText('after', '\nExample:\n  deltalake restore ./events --version 12')
  .action(async (uri: string, o: { version?: number; timestamp?: string; json?: boolean }) => {
    if ((o.version === undefined) === (o.timestamp === undefined)) throw usageError('restore needs exactly one of --version or --timestamp');
    const r = await (await DeltaTable.open(uri)).restore(o.version !== undefined ? { version: o.version } : { timestamp: o.timestamp! });
    if (o.json) return json(r);
    out(`restored: new version ${r.version}`);
  });

program.command('doctor')
  .argument('<uri>')
  .option('--repair', 'commit removes for missing files (needs --yes)')
  .option('--yes', 'confirm --repair')
  .option('--json', 'one JSON document')
  .addHelpText('after', '\nExample:\n  deltalake doctor ./events\n  deltalake doctor ./events --repair --yes')
  .action(async (uri: string, o: { repair?: boolean; yes?: boolean; json?: boolean }) => {
    const r = await (await DeltaTable.open(uri)).doctor({ repair: !!o.repair && !!o.yes });
    if (o.json) json(r);
    else {
      out(`version ${r.version}: checked ${r.filesChecked} file(s), ${r.problems.length} problem(s)`);
      for (const p of r.problems) out(`  ${p.kind}: ${p.message}`);
      if (r.repairedVersion !== undefined) out(`repaired: committed version ${r.repairedVersion}`);
      else if (r.problems.some((p) => p.kind === 'missing-file')) out('hint: run with --repair --yes to remove missing files from the table');
    }
    if (r.problems.length > 0 && r.repairedVersion === undefined) process.exitCode = 1;
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    if (err.exitCode !== 0 && !err.message.startsWith('error:') && err.code !== 'commander.help') process.stderr.write(err.message + '\n');
    if (err.code.startsWith('deltalake.')) process.stderr.write(err.message + '\n');
  } else if (err instanceof DeltaError) {
    // The library's wording names its options; the CLI's users need its flags.
    process.stderr.write(`error[${err.code}]: ${cliWording(err.message)}\n`);
    if (err.hint) process.stderr.write(`  hint: ${cliWording(err.hint)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
