import { DeltaTable } from '../../src/index.js';

/** The `id` column of a table (at `version`, default latest), as sorted numbers. */
export async function tableIds(uri: string, version?: number): Promise<number[]> {
  const table = await DeltaTable.open(uri, version === undefined ? {} : { version });
  const ids = (await table.toArrow({ columns: ['id'] })).getChild('id')!;
  return [...ids].map(Number).sort((a, b) => a - b);
}
