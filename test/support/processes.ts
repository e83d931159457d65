import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Path of a compiled worker script in test/support/workers. */
export function workerPath(name: string): string {
  return path.join(here, 'workers', `${name}.js`);
}

export interface WorkerRun {
  child: ChildProcess;
  /** Lines the worker printed so far. */
  lines: string[];
  /** Resolves with the exit code (null when killed) and signal. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts `node <worker> ...args` and collects its stdout lines. */
export function startWorker(name: string, args: string[]): WorkerRun {
  const child = spawn(process.execPath, [workerPath(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return { child, lines, done };
}
