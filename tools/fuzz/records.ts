import { existsSync, readFileSync } from 'node:fs';
import type { PropertyRunRecord } from '../../test/support/property-config.js';

/** The records of one report file, and how many of its lines could not be read. */
export interface ReadRecords {
  readonly records: PropertyRunRecord[];
  /** Lines that are not a record (a worker killed while writing leaves a partial line). */
  readonly unreadable: number;
}

function isRecord(value: unknown): value is PropertyRunRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.suite === 'string' &&
    typeof r.test === 'string' &&
    typeof r.file === 'string' &&
    Number.isInteger(r.seed) &&
    Number.isInteger(r.runs) &&
    Number.isInteger(r.executed) &&
    typeof r.failed === 'boolean' &&
    typeof r.interrupted === 'boolean' &&
    Number.isInteger(r.shrinks) &&
    (r.path === null || typeof r.path === 'string') &&
    (r.counterexample === null || typeof r.counterexample === 'string') &&
    (r.error === null || typeof r.error === 'string')
  );
}

/** Reads the JSON-lines report file the property suites append to; a missing file is empty. */
export function readRecords(file: string): ReadRecords {
  if (!existsSync(file)) return { records: [], unreadable: 0 };
  const records: PropertyRunRecord[] = [];
  let unreadable = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isRecord(value)) records.push(value);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { records, unreadable };
}

/** Runs executed over all records: the unit of the steps/s figure. */
export function executedRuns(records: readonly PropertyRunRecord[]): number {
  return records.reduce((sum, r) => sum + r.executed, 0);
}
