import { validateProtocolShape } from '../../protocol/features.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { commitTransaction } from '../../txn/transaction.js';
import { footprintFor } from '../write/footprint.js';
import { removeFor } from '../write/write.js';

export interface DoctorProblem {
  kind: 'missing-file' | 'size-mismatch' | 'protocol-shape';
  path?: string;
  message: string;
}

export interface DoctorReport {
  version: number;
  filesChecked: number;
  problems: DoctorProblem[];
  /** Version of the repair commit, when `repair` removed missing files. */
  repairedVersion?: number;
}

/**
 * Checks the log and the data: the snapshot loaded (so versions are contiguous and protocol and
 * metadata exist), the protocol's shape, and that every active file exists with its recorded size.
 * With `repair`, commits removes for missing files (as Databricks FSCK REPAIR TABLE does).
 */
export async function doctorTable(snapshot: Snapshot, opts: { repair?: boolean } = {}): Promise<DoctorReport> {
  const problems: DoctorProblem[] = [];
  try {
    validateProtocolShape(snapshot.protocol);
  } catch (err) {
    problems.push({ kind: 'protocol-shape', message: (err as Error).message });
  }
  const missing: Snapshot['files'][number][] = [];
  for (const f of snapshot.files) {
    const meta = await snapshot.store.head(f.path);
    if (!meta) {
      missing.push(f);
      problems.push({ kind: 'missing-file', path: f.path, message: `${f.path} is in the log but not in storage` });
    } else if (meta.sizeBytes !== f.add.size) {
      problems.push({ kind: 'size-mismatch', path: f.path, message: `${f.path} is ${meta.sizeBytes} bytes, the log says ${f.add.size}` });
    }
  }
  const report: DoctorReport = { version: snapshot.version, filesChecked: snapshot.files.length, problems };
  if (opts.repair && missing.length > 0) {
    const now = Date.now();
    const removes = missing.map((f) => ({ ...removeFor(f.add, now), dataChange: true }));
    const result = await commitTransaction({
      store: snapshot.store, readVersion: snapshot.version, actions: removes.map((remove) => ({ remove })),
      operation: 'FSCK', operationParameters: { numFilesRemoved: String(removes.length) },
      footprint: footprintFor({
        snapshot, isBlindAppend: false, readWholeTable: false, predicate: undefined, readPaths: missing.map((f) => f.add.path),
        removes, appIds: [], changesMetadata: false, changesProtocol: false,
      }),
    });
    report.repairedVersion = result.version;
  }
  return report;
}
