import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, e.g. `/test-bucket/t/_delta_log/00000000000000000000.json?x-id=PutObject`. */
  url: string;
  conditional: boolean;
  /** Bytes of the response body passed back to the client. */
  responseBytes: number;
  status: number;
}

/** What to do with a request: pass it to the server, or answer it with a fault. */
export type Fault =
  | { kind: 'error'; status: number; code: string }
  | { kind: 'reset' } // destroy the connection before answering
  | { kind: 'stall' }; // never answer (the client's timeout must fire)

/**
 * A real HTTP proxy in front of a real S3 server (the test RGW). It forwards requests byte for
 * byte (SigV4 signatures stay valid: path, query and headers are unchanged), records them, and
 * injects the faults a rule asks for: throttling, resets, stalls, 409s.
 */
export class S3Proxy {
  readonly seen: SeenRequest[] = [];
  /** Most requests of one kind in flight at once, by `kindOf`. */
  readonly maxInFlight = new Map<string, number>();
  rule: (req: { method: string; url: string; conditional: boolean }, nth: number) => Fault | undefined = () => undefined;
  private readonly server: http.Server;
  private readonly inFlight = new Map<string, number>();
  private readonly target: URL;
  private readonly counts = new Map<string, number>();

  constructor(targetEndpoint: string) {
    this.target = new URL(targetEndpoint);
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  /** Starts on a free loopback port; returns the endpoint to give clients. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests whose method and url match. */
  count(method: string, url: RegExp): number {
    return this.seen.filter((r) => r.method === method && url.test(r.url)).length;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const info = { method: req.method ?? 'GET', url: req.url ?? '/', conditional: req.headers['if-none-match'] !== undefined };
    const key = `${info.method} ${info.url.replace(/\?.*/, '')}${info.conditional ? ' conditional' : ''}`;
    const nth = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, nth);
    const fault = this.rule(info, nth);
    const record: SeenRequest = { ...info, responseBytes: 0, status: 0 };
    this.seen.push(record);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall') {
      req.resume(); // swallow the body, answer nothing
      return;
    }
    if (fault?.kind === 'error') {
      req.resume();
      req.on('end', () => {
        const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected by the test proxy</Message></Error>`;
        record.status = fault.status;
        res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const kind = kindOf(info);
    this.inFlight.set(kind, (this.inFlight.get(kind) ?? 0) + 1);
    this.maxInFlight.set(kind, Math.max(this.maxInFlight.get(kind) ?? 0, this.inFlight.get(kind)!));
    const done = (): void => {
      this.inFlight.set(kind, this.inFlight.get(kind)! - 1);
    };
    const upstream = http.request({
      host: this.target.hostname, port: this.target.port, method: info.method, path: info.url, headers: req.headers,
    }, (up) => {
      record.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.on('data', (chunk: Buffer) => { record.responseBytes += chunk.length; });
      up.pipe(res);
      up.on('end', done);
    });
    upstream.on('error', () => {
      done();
      res.destroy();
    });
    req.pipe(upstream);
  }
}

/** A coarse request kind: 'UploadPart', 'GetObject', 'PutObject', 'DeleteObjects', ... */
export function kindOf(r: { method: string; url: string }): string {
  const q = r.url.includes('?') ? r.url.slice(r.url.indexOf('?') + 1) : '';
  if (r.method === 'PUT' && /(^|&)partNumber=/.test(q)) return 'UploadPart';
  if (r.method === 'POST' && /(^|&)uploads(=|&|$)/.test(q)) return 'CreateMultipartUpload';
  if (r.method === 'POST' && /(^|&)uploadId=/.test(q)) return 'CompleteMultipartUpload';
  if (r.method === 'POST' && /(^|&)delete(=|&|$)/.test(q)) return 'DeleteObjects';
  if (r.method === 'GET' && /(^|&)list-type=2/.test(q)) return 'ListObjectsV2';
  return `${r.method}`;
}
