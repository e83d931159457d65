import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** A running `deltalake serve` child process and the URL it printed. */
export interface ServeProcess { url: string; child: ChildProcess; stop(): Promise<void> }

/** Starts the built CLI's `serve` with `args` and waits for the URL line on stdout. */
export async function startServeProcess(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/src/cli/main.js'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`deltalake serve exited ${code}: ${out}${err}`)));
  });
  return {
    url,
    child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
