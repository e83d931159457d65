/** A stable key of a file's partition values (the same partition whatever the key order in the log). */
export function partitionKeyOf(values: Record<string, string | null>): string {
  return JSON.stringify(Object.keys(values).sort().map((k) => [k, values[k] ?? null]));
}
