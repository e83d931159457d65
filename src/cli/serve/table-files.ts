// Serving one table's own files (for the page's browser build to read over HTTP), confined to
// the table's root: no directory listing, no path that leaves the root, symlinks included.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * Answers GET/HEAD for `rel` (already percent-decoded, '/'-separated) under `root`, with Range
 * support. 404 for anything that is not a regular file inside the root.
 */
export async function serveTableFile(req: IncomingMessage, res: ServerResponse, root: string, rel: string): Promise<void> {
  const file = await insideRoot(root, rel);
  const st = file === undefined ? undefined : await stat(file).catch(() => undefined);
  if (file === undefined || st === undefined || !st.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  const headers: Record<string, string> = {
    'Accept-Ranges': 'bytes', 'Last-Modified': st.mtime.toUTCString(), 'Content-Type': 'application/octet-stream',
    // Log files change meaning as the table moves on (_last_checkpoint); never let a cache keep them.
    'Cache-Control': 'no-store',
  };
  let start = 0;
  let end = st.size;
  let status = 200;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]) + 1, st.size) : st.size;
    if (start >= st.size || end <= start) {
      res.writeHead(416, { 'Content-Range': `bytes */${st.size}` }).end();
      return;
    }
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end - 1}/${st.size}`;
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(end - start) });
  if (req.method === 'HEAD' || end === start) {
    res.end();
    return;
  }
  createReadStream(file, { start, end: end - 1 }).pipe(res);
}

/** The real path of `rel` under `root`, or undefined when it is absent or leaves the root. */
async function insideRoot(root: string, rel: string): Promise<string | undefined> {
  if (rel.includes('\0')) return undefined;
  const segments = rel.split('/');
  if (segments.some((s) => s === '..' || s.includes('\\'))) return undefined;
  const realRoot = await realpath(root).catch(() => undefined);
  if (realRoot === undefined) return undefined;
  const real = await realpath(path.join(realRoot, ...segments.filter((s) => s !== '' && s !== '.'))).catch(() => undefined);
  if (real === undefined || !real.startsWith(realRoot + path.sep)) return undefined;
  return real;
}
