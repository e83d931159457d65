// The library words its errors for its API (`{ enforceRetention: false }`, `{ version }`); the
// CLI's users need the flags that do the same thing. Each entry below is a wording the library
// uses today, with the CLI's equivalent; text without a match passes through unchanged.

const LIBRARY_TO_CLI: ReadonlyArray<readonly [RegExp, string]> = [
  // vacuum: the retention check.
  [/\{\s*enforceRetention:\s*false\s*\}|\benforceRetention:\s*false\b/g, '--no-enforce-retention'],
  [/\{\s*retentionHours(?:\s*:[^}]*)?\s*\}|\bretentionHours\b/g, '--retention-hours'],
  // vacuum: deleting rather than planning.
  [/\{\s*dryRun:\s*false\s*\}|\bdryRun:\s*false\b/g, '--yes'],
  // time travel and restore targets.
  [/\b(?:DeltaTable\.open|table\.restore|restore)\(\s*\{\s*version(?:\s*:[^}]*)?\s*\}\s*\)/g, '--version N'],
  [/\b(?:DeltaTable\.open|table\.restore|restore)\(\s*\{\s*timestamp(?:\s*:[^}]*)?\s*\}\s*\)/g, '--timestamp T'],
  [/\{\s*version(?:\s*:[^}]*)?\s*\}/g, '--version N'],
  [/\{\s*timestamp(?:\s*:[^}]*)?\s*\}/g, '--timestamp T'],
  [/\bopen by version\b/g, 'pass --version N'],
  [/\bpass a Date or an ISO-8601 string\b/g, 'pass --timestamp an ISO-8601 time such as 2024-01-01T00:00:00Z'],
  // doctor.
  [/\{\s*repair:\s*true\s*\}|\brepair:\s*true\b/g, '--repair --yes'],
  // A lost race: for the CLI, opening the table again is running the command again.
  [/\bopen the table again to see the new version, then retry the operation\b/g, 'run the command again: it reads the newest version'],
];

/** A library message or hint in the CLI's vocabulary (its flags instead of option names). */
export function cliWording(text: string): string {
  return LIBRARY_TO_CLI.reduce((s, [pattern, flag]) => s.replace(pattern, flag), text);
}
