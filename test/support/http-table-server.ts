import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** One request the server answered, for tests that count what a reader fetched. */
export interface ServedRequest { method: string; path: string; range: string | undefined; status: number; bytes: number }

/** A static file server on 127.0.0.1 like a CDN: GET, HEAD and Range, but no directory listing. */
export interface StaticServer {
  url: string;
  requests: ServedRequest[];
  close(): Promise<void>;
}

/**
 * Serves each mount (URL prefix -> directory) read-only. Directories answer 404, as on static
 * hosts, so readers must find log files by name; paths escaping a mount answer 404 too.
 * CORS headers let pages from another origin read the files.
 */
export async function startStaticServer(mounts: Record<string, string>): Promise<StaticServer> {
  const requests: ServedRequest[] = [];
  const server = createServer((req, res) => {
    void answer(req, res, mounts, requests).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, mounts: Record<string, string>, log: ServedRequest[]): Promise<void> {
  const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const record = (status: number, bytes: number): void => {
    log.push({ method: req.method ?? '', path: urlPath, range: req.headers.range, status, bytes });
  };
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Headers', 'Range, Authorization');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Last-Modified');
  if (req.method === 'OPTIONS') { res.writeHead(204).end(); return; }
  if (req.method !== 'GET' && req.method !== 'HEAD') { record(405, 0); res.writeHead(405).end(); return; }
  const file = resolveFile(urlPath, mounts);
  const st = file === undefined ? undefined : await stat(file).catch(() => undefined);
  if (file === undefined || st === undefined || !st.isFile()) { record(404, 0); res.writeHead(404).end(); return; }
  const type = file.endsWith('.js') || file.endsWith('.mjs') ? 'text/javascript' : file.endsWith('.wasm') ? 'application/wasm'
    : file.endsWith('.html') ? 'text/html' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
  const headers = { 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Last-Modified': st.mtime.toUTCString() };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = st.size; // exclusive
  let status = 200;
  if (range) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]) + 1, st.size) : st.size;
    if (start >= st.size || end <= start) {
      record(416, 0);
      res.writeHead(416, { 'Content-Range': `bytes */${st.size}` }).end();
      return;
    }
    status = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end - 1}/${st.size}`);
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(end - start) });
  if (req.method === 'HEAD') { record(status, 0); res.end(); return; }
  record(status, end - start);
  if (end === start) { res.end(); return; }
  createReadStream(file, { start, end: end - 1 }).pipe(res);
}

function resolveFile(urlPath: string, mounts: Record<string, string>): string | undefined {
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!urlPath.startsWith(prefix)) continue;
    const root = path.resolve(dir);
    const file = path.resolve(root, '.' + path.sep + urlPath.slice(prefix.length));
    if (file !== root && !file.startsWith(root + path.sep)) return undefined;
    return file;
  }
  return undefined;
}
