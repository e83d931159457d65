// Argument parsing shared by the commands: bad usage is a CommanderError, which exits 2.
import { CommanderError } from 'commander';
import type { OpenOptions } from '../index.js';

/** A commander parser for a non-negative integer option. */
export function intArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw usageError(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
}

/** A usage error: printed as "error: ..." and exit status 2. */
export function usageError(message: string): CommanderError {
  return new CommanderError(2, 'deltalake.usage', `error: ${message}`);
}

/** --version / --timestamp as DeltaTable.open options (at most one of them). */
export function openOpts(o: { version?: number; timestamp?: string }): OpenOptions {
  if (o.version !== undefined && o.timestamp !== undefined) throw usageError('give --version or --timestamp, not both');
  return { ...(o.version !== undefined ? { version: o.version } : {}), ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}) };
}
