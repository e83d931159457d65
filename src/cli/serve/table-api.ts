// The JSON the inspector page asks for, per table: plain data from the library, never text.
import { DeltaError, DeltaTable, type Filter } from '../../index.js';
import { jsonSafe } from '../render.js';

/** One table the server shows. */
export interface ServedTable {
  id: number;
  name: string;
  uri: string;
  /** The local directory, when its files can be served for the page's browser build to read. */
  localRoot: string | undefined;
}

const MAX_FILES = 1000;
const MAX_ROWS = 500;

/** The answer to GET /api/tables/<id>/<what>, as a JSON-ready value. */
export async function tableApi(table: ServedTable, what: string, query: URLSearchParams): Promise<unknown> {
  const t = await DeltaTable.open(table.uri);
  switch (what) {
    case 'summary': {
      const [last] = await t.history({ limit: 1 });
      return {
        id: table.id, name: table.name, uri: table.uri, version: t.version,
        lastOperation: last?.operation ?? null, lastCommitMs: last?.timestamp ?? null,
        schema: t.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
        partitionColumns: t.partitionColumns, properties: t.metadata.configuration, protocol: t.protocol,
        tableId: t.metadata.id, tableName: t.metadata.name ?? null, description: t.metadata.description ?? null,
        numFiles: t.snapshot.fileCount, sizeBytes: t.snapshot.sizeBytes,
        filesUrl: table.localRoot === undefined ? null : `/tables/${table.id}`,
      };
    }
    case 'history':
      return jsonSafe(await t.history({ limit: intParam(query, 'limit') ?? 200 }));
    case 'files':
      return {
        total: t.snapshot.fileCount,
        files: t.snapshot.files.slice(0, MAX_FILES).map((f) => ({
          path: f.path, size: f.add.size, partitionValues: f.add.partitionValues, modificationTime: f.add.modificationTime,
          stats: parseStats(f.add.stats), deletionVector: f.add.deletionVector !== undefined && f.add.deletionVector !== null,
        })),
      };
    case 'doctor':
      return jsonSafe(await t.doctor());
    case 'changes': {
      const from = intParam(query, 'from') ?? 0;
      const to = intParam(query, 'to') ?? t.version;
      const changes = await t.changes({ startingVersion: from, endingVersion: to });
      return { numRows: changes.numRows, rows: jsonSafe(changes.slice(0, MAX_ROWS).toArray()) };
    }
    case 'preview': {
      const columns = query.get('columns')?.split(',').filter((c) => c !== '');
      const filterText = query.get('filter');
      const filter = filterText ? JSON.parse(filterText) as Filter : undefined;
      const limit = Math.min(intParam(query, 'limit') ?? 100, MAX_ROWS);
      const rows: unknown[] = [];
      for await (const batch of t.scan({ ...(columns?.length ? { columns } : {}), ...(filter ? { filter } : {}) })) {
        for (const row of batch.toArray()) {
          if (rows.length >= limit) break;
          rows.push(row);
        }
        if (rows.length >= limit) break;
      }
      return { rows: jsonSafe(rows) };
    }
    default:
      throw new DeltaError('INVALID_ARGUMENT', `no such table view: ${what}`, { hint: 'ask for summary, history, files, doctor, changes or preview' });
  }
}

/** What POST /api/tables/<id>/<what> does (only with --allow-writes). */
export async function tableAction(table: ServedTable, what: string): Promise<unknown> {
  const t = await DeltaTable.open(table.uri);
  if (what === 'checkpoint') return jsonSafe(await t.checkpoint());
  if (what === 'optimize') return jsonSafe(await t.optimize());
  throw new DeltaError('INVALID_ARGUMENT', `no such table action: ${what}`, { hint: 'POST checkpoint or optimize' });
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new DeltaError('INVALID_ARGUMENT', `${name}=${text} is not a non-negative integer`, { hint: `pass ${name} as a whole number` });
  return n;
}

function parseStats(stats: string | undefined | null): unknown {
  if (!stats) return null;
  try {
    return JSON.parse(stats);
  } catch {
    return null; // stats are optional: a damaged one only hides the numbers on the page
  }
}
