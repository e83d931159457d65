// `deltalake serve <uri>...`: the web inspector (src/cli/serve/), on 127.0.0.1 unless told otherwise.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { intArg } from '../args.js';
import { startServe } from '../serve/serve-server.js';
import type { ServedTable } from '../serve/table-api.js';

/** The `serve` command. */
export function serveCommand(): Command {
  return new Command('serve')
    .argument('<uri...>', 'tables to show: paths, file://, s3:// or http(s):// URIs')
    .option('--port <n>', 'port to listen on (0: any free one)', intArg('--port'), 4040)
    .option('--host <address>', 'address to listen on; anything but loopback exposes the tables', '127.0.0.1')
    .option('--allow-writes', 'let the page change tables (checkpoint, optimize); read-only without it')
    .addHelpText('after', '\nExample:\n  deltalake serve ./events ./orders --port 8080')
    .action(async (uris: string[], o: { port: number; host: string; allowWrites?: boolean }) => {
      const tables: ServedTable[] = uris.map((uri, id) => ({ id, uri, name: nameOf(uri), localRoot: localRootOf(uri) }));
      const running = await startServe(tables, { port: o.port, host: o.host, allowWrites: o.allowWrites === true });
      process.stdout.write(`deltalake serve: ${tables.length} table${tables.length === 1 ? '' : 's'} at ${running.url}${o.allowWrites ? ' (writes allowed)' : ' (read-only)'}\n`);
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void running.close().then(resolve));
      });
    });
}

function nameOf(uri: string): string {
  return uri.replace(/\/+$/, '').split('/').pop() || uri;
}

/** The directory of a local table, whose files the page's browser build may then read. */
function localRootOf(uri: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file:')) return undefined;
  return uri.startsWith('file:') ? fileURLToPath(uri) : path.resolve(uri);
}
