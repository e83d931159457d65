// `deltalake serve`: a local web server for the inspector page.
//
//   GET  /                        the page (src/cli/serve/page/), which imports the browser build
//   GET  /browser/<file>          dist/browser: deltalake.js, its wasm and its chunks/*.js
//   GET  /api/tables              the tables served
//   GET  /api/tables/<id>/<view>  summary, history, files, doctor, changes, preview (JSON)
//   GET  /api/events              server-sent events: {"table":id,"version":v} per new commit
//   GET  /tables/<id>/<path>      the table's own files (local tables), read-only, inside its root
//   POST /api/tables/<id>/<act>   checkpoint, optimize: only with --allow-writes
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeltaError, DeltaTable, watchVersions } from '../../index.js';
import { tableAction, tableApi, type ServedTable } from './table-api.js';
import { serveTableFile } from './table-files.js';

export interface ServeOptions {
  port: number;
  host: string;
  allowWrites: boolean;
  /** Longest wait between looks at a table's log for new commits. @defaultValue 500 */
  pollIntervalMs?: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
// From dist/src/cli/serve/ in the repository and in the package alike.
const PAGE_DIR = path.resolve(here, '../../../../src/cli/serve/page');
const BROWSER_DIR = path.resolve(here, '../../../browser');
const PAGE_FILES: Record<string, [string, string]> = {
  '/': [path.join(PAGE_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [path.join(PAGE_DIR, 'app.js'), 'text/javascript; charset=utf-8'],
  '/style.css': [path.join(PAGE_DIR, 'style.css'), 'text/css; charset=utf-8'],
  '/browser/deltalake.js': [path.join(BROWSER_DIR, 'deltalake.js'), 'text/javascript; charset=utf-8'],
  '/browser/parquet_wasm_bg.wasm': [path.join(BROWSER_DIR, 'parquet_wasm_bg.wasm'), 'application/wasm'],
};

/** A running inspector: its URL, and how to stop it. */
export interface RunningServer { url: string; server: Server; close(): Promise<void> }

/** Opens every table (so a bad URI fails before listening), then serves them. */
export async function startServe(tables: ServedTable[], opts: ServeOptions): Promise<RunningServer> {
  const versions = await Promise.all(tables.map(async (t) => (await DeltaTable.open(t.uri)).version));
  const stop = new AbortController();
  const clients = new Set<ServerResponse>();
  const broadcast = (data: unknown): void => {
    for (const c of clients) c.write(`event: commit\ndata: ${JSON.stringify(data)}\n\n`);
  };
  tables.forEach((t, i) => void watch(t, versions[i]!, stop.signal, opts.pollIntervalMs ?? 500, broadcast));

  const server = createServer((req, res) => {
    void route(req, res, tables, opts, clients).catch((err: unknown) => sendError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => {
      stop.abort();
      for (const c of clients) c.end();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function watch(t: ServedTable, from: number, signal: AbortSignal, pollIntervalMs: number, broadcast: (d: unknown) => void): Promise<void> {
  try {
    for await (const version of watchVersions(t.uri, from, { signal, pollIntervalMs })) broadcast({ table: t.id, version });
  } catch (err) {
    // The page keeps working without live updates; say why on stderr once.
    if (!signal.aborted) process.stderr.write(`serve: stopped watching ${t.uri}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

async function route(req: IncomingMessage, res: ServerResponse, tables: ServedTable[], opts: ServeOptions, clients: Set<ServerResponse>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').slice(1).map((p) => decodeURIComponent(p));
  const table = (id: string | undefined): ServedTable => {
    const t = tables[Number(id)];
    if (t === undefined || String(t.id) !== id) throw new DeltaError('INVALID_ARGUMENT', `no table ${id ?? ''} is served`, { hint: 'GET /api/tables lists them' });
    return t;
  };
  if (req.method === 'POST' && parts[0] === 'api' && parts[1] === 'tables') {
    if (!opts.allowWrites) return sendJson(res, 403, { error: { code: 'READ_ONLY', message: 'this server is read-only', hint: 'start deltalake serve with --allow-writes to allow changes from the page' } });
    return sendJson(res, 200, await tableAction(table(parts[2]), parts[3] ?? ''));
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendJson(res, 405, { error: { code: 'READ_ONLY', message: `${req.method} is not served`, hint: 'the inspector only reads tables' } });
  }
  const page = PAGE_FILES[url.pathname];
  if (page) {
    res.writeHead(200, { 'Content-Type': page[1], 'Cache-Control': 'no-cache' });
    return void res.end(req.method === 'HEAD' ? undefined : await readFile(page[0]));
  }
  // The browser build's chunks (code the bundle shares with its lazily loaded S3 store): plain
  // file names only, so nothing outside dist/browser/chunks can be named.
  const chunk = /^\/browser\/chunks\/([A-Za-z0-9_-][A-Za-z0-9._-]*\.js)$/.exec(url.pathname)?.[1];
  if (chunk !== undefined) {
    const body = await readFile(path.join(BROWSER_DIR, 'chunks', chunk)).catch(() => undefined);
    if (body !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
  }
  if (parts[0] === 'api' && parts[1] === 'events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  if (parts[0] === 'api' && parts[1] === 'tables' && parts.length === 2) {
    return sendJson(res, 200, tables.map((t) => ({ id: t.id, name: t.name, uri: t.uri, filesUrl: t.localRoot === undefined ? null : `/tables/${t.id}` })));
  }
  if (parts[0] === 'api' && parts[1] === 'tables' && parts.length === 4) {
    return sendJson(res, 200, await tableApi(table(parts[2]), parts[3]!, url.searchParams));
  }
  if (parts[0] === 'tables' && parts.length >= 3) {
    const t = table(parts[1]);
    if (t.localRoot === undefined) return sendJson(res, 404, { error: { code: 'FILE_NOT_FOUND', message: 'only local tables\' files are served', hint: 'the page reads this table through /api' } });
    return serveTableFile(req, res, t.localRoot, parts.slice(2).join('/'));
  }
  sendJson(res, 404, { error: { code: 'FILE_NOT_FOUND', message: `nothing at ${url.pathname}`, hint: 'open / for the page' } });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.end();
  if (err instanceof DeltaError) {
    const status = err.code === 'TABLE_NOT_FOUND' || err.code === 'FILE_NOT_FOUND' || err.code === 'VERSION_NOT_FOUND' ? 404 : 400;
    return sendJson(res, status, { error: { code: err.code, message: err.message, hint: err.hint ?? null } });
  }
  if (err instanceof URIError || err instanceof SyntaxError) return sendJson(res, 400, { error: { code: 'INVALID_ARGUMENT', message: err.message, hint: null } });
  sendJson(res, 500, { error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), hint: null } });
}
