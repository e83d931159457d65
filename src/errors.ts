/** Every failure the library knows is a DeltaError with a stable code, a message and a hint. */
export type DeltaErrorCode =
  | 'TABLE_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'FILE_NOT_FOUND'
  | 'SCHEMA_MISMATCH'
  | 'UNSUPPORTED_FEATURE'
  | 'CORRUPT_LOG'
  | 'COMMIT_CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'STORAGE_FAILURE';

export class DeltaError extends Error {
  override readonly name = 'DeltaError';
  /** What the user can do next. */
  readonly hint: string | undefined;
  /** True when repeating the same call may succeed (throttling, transient network errors). */
  readonly retryable: boolean;
  constructor(
    readonly code: DeltaErrorCode,
    message: string,
    opts: { hint?: string; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? false;
  }
}

/** True when `err` is a DeltaError, optionally with the given code. */
export function isDeltaError(err: unknown, code?: DeltaErrorCode): err is DeltaError {
  return err instanceof DeltaError && (code === undefined || err.code === code);
}

// Messages are worded once, here, so the library and the CLI say the same thing.

export function tableNotFound(uri: string): DeltaError {
  return new DeltaError('TABLE_NOT_FOUND', `no Delta table at ${uri}: _delta_log has no commits`, {
    hint: 'check the path, or create the table with DeltaTable.create() or writeDeltaTable()',
  });
}

export function versionNotFound(requested: number | string, earliest: number, latest: number): DeltaError {
  return new DeltaError(
    'VERSION_NOT_FOUND',
    `version ${requested} cannot be reconstructed: available versions are ${earliest}..${latest}`,
    { hint: `ask for a version between ${earliest} and ${latest}` },
  );
}

export function fileNotFound(path: string, cause?: unknown): DeltaError {
  return new DeltaError('FILE_NOT_FOUND', `file not found: ${path}`, {
    hint: 'the file is referenced by the log but missing; VACUUM may have removed it (run `deltalake doctor`)',
    cause,
  });
}

export function corruptLog(where: string, what: string, cause?: unknown): DeltaError {
  return new DeltaError('CORRUPT_LOG', `${where}: ${what}`, {
    hint: 'the transaction log is damaged or was written by a buggy writer; run `deltalake doctor` to inspect it',
    cause,
  });
}

export function unsupportedFeature(what: string, hint?: string): DeltaError {
  return new DeltaError('UNSUPPORTED_FEATURE', what, {
    hint: hint ?? 'read or write this table with an engine that supports the feature (Spark, delta-rs)',
  });
}

export function invalidArgument(what: string, hint?: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', what, hint === undefined ? {} : { hint });
}

export function schemaMismatch(column: string, tableType: string, dataType: string, hint?: string): DeltaError {
  return new DeltaError('SCHEMA_MISMATCH', `column "${column}" is ${dataType} in the data but ${tableType} in the table`, {
    hint: hint ?? `cast "${column}" to ${tableType}, or append with { schemaMode: 'merge' }`,
  });
}

export function storageFailure(op: string, path: string, cause: unknown, retryable = false): DeltaError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new DeltaError('STORAGE_FAILURE', `${op} ${path} failed: ${detail}`, {
    hint: retryable ? 'the storage answered with a transient error; retry the operation' : 'check permissions, credentials and connectivity of the storage',
    cause,
    retryable,
  });
}

export function timestampOutOfRange(requested: string, earliest: { version: number; at: string }, latest: { version: number; at: string }): DeltaError {
  return new DeltaError(
    'VERSION_NOT_FOUND',
    `no version of the table was committed at ${requested}: commits range from version ${earliest.version} at ${earliest.at} to version ${latest.version} at ${latest.at}`,
    { hint: `ask for a time between ${earliest.at} and ${latest.at}, or open by version` },
  );
}
