/** Every failure the library knows is a DeltaError with a stable code, a message and a hint. */
export type DeltaErrorCode =
  | 'TABLE_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'FILE_NOT_FOUND'
  | 'SCHEMA_MISMATCH'
  | 'UNSUPPORTED_FEATURE'
  | 'CORRUPT_LOG'
  /** A data file (Parquet, deletion vector) the log references is damaged or not in its format. */
  | 'CORRUPT_DATA'
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

export function corruptData(path: string, what: string, cause?: unknown): DeltaError {
  return new DeltaError('CORRUPT_DATA', `${path}: ${what}`, {
    hint: 'the data file is damaged or is not Parquet; put back an intact copy from a backup or replica, or restore the table to a version that does not reference it',
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

/** A store asked to write, list or delete outside its table root (a bug or a hostile log: refused either way). */
export function outsideRoot(path: string, rootUri: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `refusing ${path}: a table's store only writes, lists and deletes under its root ${rootUri}`, {
    hint: 'files outside the table root are only ever read; copy the file into the table to manage it',
  });
}

export function storageFailure(op: string, path: string, cause: unknown, retryable = false): DeltaError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new DeltaError('STORAGE_FAILURE', `${op} ${path} failed: ${detail}`, {
    hint: retryable ? 'the storage answered with a transient error; retry the operation' : localFailureHint(cause) ?? 'check permissions, credentials and connectivity of the storage',
    cause,
    retryable,
  });
}

/** What to do about a local filesystem error, by errno; undefined for anything else. */
function localFailureHint(cause: unknown): string | undefined {
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  switch (code) {
    case 'ENOSPC': case 'EDQUOT':
      return 'the disk (or quota) is full: free space and retry; a failed commit left the table at its last version';
    case 'EROFS':
      return 'the file system is mounted read-only: remount it read-write, or write the table elsewhere';
    case 'EACCES': case 'EPERM':
      return 'this process may not access the file: fix its permissions or run as a user who may';
    default:
      return undefined;
  }
}

export function timestampOutOfRange(requested: string, earliest: { version: number; at: string }, latest: { version: number; at: string }): DeltaError {
  return new DeltaError(
    'VERSION_NOT_FOUND',
    `no version of the table was committed at ${requested}: commits range from version ${earliest.version} at ${earliest.at} to version ${latest.version} at ${latest.at}`,
    { hint: `ask for a time between ${earliest.at} and ${latest.at}, or open by version` },
  );
}

/**
 * Change data asked for versions whose metadata did not have delta.enableChangeDataFeed=true
 * (Spark: DELTA_MISSING_CHANGE_DATA). `firstRecorded` is the first later version of the range
 * with change data, when there is one.
 */
export function changeDataNotRecorded(start: number, end: number, versions: string, firstRecorded: number | undefined): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `no change data for version${versions.includes(',') || versions.includes('..') ? 's' : ''} ${versions} of the requested range ${start}..${end}: the change data feed (delta.enableChangeDataFeed) was not enabled then`, {
    hint: firstRecorded !== undefined
      ? `read changes from version ${firstRecorded} on, where the change data feed is enabled`
      : 'set the table property delta.enableChangeDataFeed=true (the properties option of a write); only versions committed after that have change data',
  });
}

// Streaming.

export function streamChangeCommit(version: number, what: 'deletes' | 'updates'): DeltaError {
  return new DeltaError(
    'UNSUPPORTED_FEATURE',
    `the stream cannot continue: version ${version} ${what === 'deletes' ? 'deletes data' : 'rewrites existing data (update, merge or overwrite)'}, and a streaming source only follows appends`,
    { hint: what === 'deletes' ? 'set ignoreDeletes: true to pass over pure deletes, or skipChangeCommits: true to skip every commit that changes existing data' : 'set skipChangeCommits: true to skip commits that change existing data, or read them with readChangeFeed: true' },
  );
}

export function streamSchemaChanged(version: number, detail: string): DeltaError {
  return new DeltaError('SCHEMA_MISMATCH', `the table schema changed at version ${version} while streaming (${detail})`, {
    hint: 'restart the stream: it resumes from its last committed offset and reads with the new schema; for a dropped or retyped column start a new stream with a new checkpointLocation',
  });
}

export function streamTableReplaced(uri: string, expectedId: string, actualId: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `the table at ${uri} was replaced: the stream follows table id ${expectedId}, the table now has id ${actualId}`, {
    hint: 'start a new stream with a new checkpointLocation to read the new table',
  });
}

export function streamTableDeleted(uri: string, lastSeenVersion: number): DeltaError {
  return new DeltaError('TABLE_NOT_FOUND', `the table at ${uri} was deleted while streaming (its commit ${lastSeenVersion}, already read, is gone and no table is left)`, {
    hint: 'if the table was recreated, start a new stream with a new checkpointLocation to read it',
  });
}

export function streamOffsetBackwards(where: string, from: string, to: string): DeltaError {
  return new DeltaError('CORRUPT_LOG', `${where}: stream offsets move backwards, from ${from} to ${to}`, {
    hint: 'the checkpoint location was edited or mixed with another stream\'s; start the stream with a new checkpointLocation',
  });
}

export function streamCommitsCleanedUp(uri: string, wanted: number, earliest: number): DeltaError {
  return new DeltaError('VERSION_NOT_FOUND', `the stream needs version ${wanted} of ${uri}, but log cleanup removed it (the earliest commit left is ${earliest}); data in between would be lost`, {
    hint: 'start a new stream (new checkpointLocation) from the current snapshot, and keep delta.logRetentionDuration longer than streams may be stopped',
  });
}

export function streamLocationInUse(location: string, owner: string): DeltaError {
  return new DeltaError('COMMIT_CONFLICT', `checkpoint location ${location} is in use by another live stream reader (${owner})`, {
    hint: 'stop the other reader first, or give this reader its own checkpointLocation',
  });
}

/** A decimal value with more integer digits than its column's precision allows (never written). */
export function decimalOverflow(column: string, value: string, type: string, neededPrecision: number, scale: number): DeltaError {
  return new DeltaError('SCHEMA_MISMATCH', `value ${value} in column "${column}" does not fit ${type}`, {
    hint: neededPrecision <= 38
      ? `round or cap "${column}" to fit ${type}, or write it to a table whose column is decimal(${neededPrecision},${scale})`
      : `round or cap "${column}" to fit ${type}: it needs more than the 38 digits a Delta decimal holds`,
  });
}

/** Write input that is not Arrow data (plain rows, undefined, a string...). */
export function notArrowData(got: string, hint?: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `data must be an Arrow Table, a RecordBatch, or an (async) iterable of RecordBatches; got ${got}`, {
    hint: hint ?? 'build Arrow data first: tableFromJSON(rows) or tableFromArrays({ column: values }) from apache-arrow (vectorFromArray(values, type) chooses a column\'s type)',
  });
}

/** An Arrow column type (or value) a Delta table cannot store exactly; `castTo` says what to do instead. */
export function unrepresentableColumn(path: string, arrowType: string, why: string, castTo: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `column "${path}" has Arrow type ${arrowType}, ${why}`, { hint: castTo });
}

/** An SQL expression names a column the table (or the source) does not have. */
export function unknownExpressionColumn(name: string, expression: string, columns: readonly string[]): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `column "${name}" in the expression ${JSON.stringify(expression)} is not in the table`, {
    hint: `columns are: ${columns.join(', ')}; quote names with spaces or capitals as \`Name\``,
  });
}

/** An SQL expression applies an operator or assignment to values of a type it does not take. */
export function expressionTypeMismatch(what: string, expression: string, hint?: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `${what} in the expression ${JSON.stringify(expression)}`, {
    hint: hint ?? 'CAST one side to the other\'s type, e.g. CAST(x AS STRING)',
  });
}

/** Evaluating an SQL expression failed on a row's value (overflow, division by zero, bad cast). */
export function expressionEvaluationFailed(what: string, expression: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `${what} while evaluating ${JSON.stringify(expression)}; nothing was written`, {
    hint: 'guard the expression with CASE WHEN (e.g. CASE WHEN d = 0 THEN NULL ELSE n / d END) or CAST to a wider type',
  });
}

// HTTP(S) tables: read-only, over fetch.

/** A write, delete or listing asked of an http(s):// table, which is read over plain GETs. */
export function httpReadOnly(op: string, uri: string): DeltaError {
  return new DeltaError('UNSUPPORTED_FEATURE', `cannot ${op} ${uri}: http(s):// tables are read-only`, {
    hint: 'write through the table\'s own storage (a local path or s3://), then read the new version over HTTP',
  });
}

/** An HTTP answer that is neither the object nor a plain 404. */
export function httpFailure(method: string, url: string, status: number, statusText: string): DeltaError {
  const retryable = status >= 500 || status === 429;
  const hint = status === 401 || status === 403
    ? 'the server refuses access: make the table\'s files readable, pass credentials with the storage option httpHeaders (e.g. Authorization), or serve them from a host that allows it'
    : status === 416 ? 'the server rejected a byte range: the file may have changed while it was read; open the table again'
    : retryable ? 'the server answered with a transient error; retry the operation'
    : 'check the table URL and that the server serves the table\'s files as they are';
  return new DeltaError('STORAGE_FAILURE', `${method} ${url} failed: HTTP ${status}${statusText ? ' ' + statusText : ''}`, { hint, retryable });
}

/** fetch() itself failed: nothing answered, or (in a browser) CORS blocked the answer. */
export function httpUnreachable(method: string, url: string, cause: unknown): DeltaError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new DeltaError('STORAGE_FAILURE', `${method} ${url} failed: ${detail}`, {
    hint: 'check that the server is reachable; in a browser, a table on another origin must be served with CORS headers (Access-Control-Allow-Origin, and Access-Control-Expose-Headers: Content-Range, Content-Length, Last-Modified) allowing the Range header',
    cause,
    retryable: true,
  });
}

/**
 * A warning about best-effort work that failed after the operation itself succeeded: Node's
 * process warning where there is one (`process.on('warning')` sees it), else console.warn.
 */
export function emitWarning(message: string, type: string): void {
  const proc = (globalThis as { process?: { emitWarning?: (message: string, type: string) => void } }).process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, type);
  else console.warn(`${type}: ${message}`);
}
