import { Data, type DataType } from 'apache-arrow';

/**
 * The same buffers under a structurally identical type with other field names: physical column
 * names (column mapping) <-> logical names. No data is copied.
 */
export function retype(data: Data, type: DataType): Data {
  const children = data.children.map((c, i) => retype(c, (type.children?.[i]?.type ?? c.type) as DataType));
  return new Data(type, data.offset, data.length, data.nullCount, data.buffers, children, data.dictionary);
}
