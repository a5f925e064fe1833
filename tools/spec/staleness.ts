import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How the files on disk differ from freshly generated ones. */
export interface StalenessReport {
  /** On disk with different content. */
  readonly stale: readonly string[];
  /** Generated but not on disk. */
  readonly missing: readonly string[];
  /** On disk but no longer generated. */
  readonly extra: readonly string[];
}

/** Compares `expected` (name → content) with the files in `dir`. */
export function compareWithDirectory(
  expected: ReadonlyMap<string, string>,
  dir: string,
): StalenessReport {
  const onDisk = existsSync(dir) ? readdirSync(dir).sort() : [];
  const stale: string[] = [];
  const missing: string[] = [];
  for (const [name, content] of expected) {
    if (!onDisk.includes(name)) missing.push(name);
    else if (readFileSync(join(dir, name), 'utf8') !== content) stale.push(name);
  }
  const extra = onDisk.filter((name) => !expected.has(name));
  return { stale, missing, extra };
}

/** True when nothing differs. */
export function isFresh(report: StalenessReport): boolean {
  return report.stale.length + report.missing.length + report.extra.length === 0;
}
