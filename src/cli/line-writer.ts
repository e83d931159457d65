import { once } from 'node:events';

/** Buffers output lines and writes them in chunks, waiting for 'drain' when the reader is slower. */
export class LineWriter {
  private lines: string[] = [];
  private chars = 0;

  constructor(
    private readonly stream: NodeJS.WritableStream = process.stdout,
    private readonly chunkChars = 1 << 16,
  ) {}

  /** Queues one line (without its newline). */
  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
  }

  /** Writes the queued lines once they fill a chunk. */
  async flushIfFull(): Promise<void> {
    if (this.chars >= this.chunkChars) await this.flush();
  }

  /** Writes every queued line. */
  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('\n') + '\n';
    this.lines = [];
    this.chars = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}
