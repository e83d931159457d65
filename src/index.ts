// Public API of deltalake-ts: re-exports only.
export { DeltaTable } from './table.js';
export type { OpenOptions, CreateTableOptions, DataFileInfo, TableMetadataInfo } from './table.js';
export { writeDeltaTable } from './ops/write.js';
export type { WriteOptions, WriteResult, WriteMode, WriteInput } from './ops/write.js';
export { DeltaError, isDeltaError } from './errors.js';
export type { DeltaErrorCode } from './errors.js';
export type { Filter, FilterTerm, FilterOp } from './ops/filter.js';
export type { ScanOptions } from './ops/scan.js';
export type { StorageOptions } from './storage/store-for-url.js';
export type { Protocol, Metadata, AddAction, RemoveAction, CommitInfo, Version } from './protocol/actions.js';
export type { HistoryEntry } from './ops/history.js';
export type { VacuumOptions, VacuumResult } from './ops/vacuum.js';
export type { RestoreTarget } from './ops/restore.js';
export type { DoctorReport, DoctorProblem } from './ops/doctor.js';
export { VERSION } from './version.js';
