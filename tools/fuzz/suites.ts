import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FuzzUsageError } from './errors.js';

/** Where the property suites live and how their files end. */
export interface SuiteLocation {
  /** Directory of the suites, relative to the repository root. */
  readonly dir: string;
  /** File name ending of a suite; the name of a suite is the file name without it. */
  readonly suffix: string;
}

/** The project's property suites: `test/property/NAME.property.test.ts`. */
export const PROPERTY_SUITES: SuiteLocation = {
  dir: 'test/property',
  suffix: '.property.test.ts',
};

/** A property suite: its name (for `--suite`) and its file relative to the root. */
export interface Suite {
  readonly name: string;
  readonly file: string;
}

/** Every suite in `location`, sorted by name. */
export function listSuites(root: string, location: SuiteLocation): Suite[] {
  const dir = join(root, location.dir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(location.suffix))
    .sort()
    .map((f) => ({ name: f.slice(0, -location.suffix.length), file: `${location.dir}/${f}` }));
}

/**
 * The suites to run: the one named, or all of them.
 *
 * @throws {@link FuzzUsageError} `FUZZ_USAGE` for an unknown name (the message lists the known
 * ones) or when there is no suite at all.
 */
export function selectSuites(root: string, location: SuiteLocation, name: string | null): Suite[] {
  const all = listSuites(root, location);
  if (all.length === 0) throw new FuzzUsageError('FUZZ_USAGE', `no suites in ${location.dir}`);
  if (name === null) return all;
  const found = all.find((s) => s.name === name);
  if (!found) {
    const known = all.map((s) => s.name).join(', ');
    throw new FuzzUsageError('FUZZ_USAGE', `unknown suite "${name}"; known suites: ${known}`);
  }
  return [found];
}
