import { PicopaymentsError } from '../../src/errors.js';

/** Codes of {@link FuzzUsageError}. */
export type FuzzUsageErrorCode = 'FUZZ_USAGE';

/** A bad command line for `npm run fuzz`: the command prints it with the usage and exits 2. */
export class FuzzUsageError extends PicopaymentsError<FuzzUsageErrorCode> {}

/** Exit code of a bad command line. */
export const USAGE_EXIT_CODE = 2;

/** The usage text printed with every {@link FuzzUsageError} and for `--help`. */
export const USAGE = [
  'usage: npm run fuzz -- --minutes M [--seed S] [--runs N] [--suite NAME] [--no-shrink]',
  '       npm run fuzz -- [--seed S] [--runs N] [--suite NAME] [--no-shrink]',
  '',
  '  --minutes M   time budget: rounds with fresh seeds until M minutes (0 < M <= 10080) are used',
  '  --seed S      integer seed (-2147483648..2147483647); with --minutes, the campaign seed',
  '                from which every round seed is derived',
  "  --runs N      fast-check runs per property (1..10000000); default: each suite's CI budget",
  '                with --minutes, 200 without',
  '  --suite NAME  one suite of test/property (NAME.property.test.ts); default: all of them',
  '  --no-shrink   stop at the first failure without shrinking (model suites)',
].join('\n');
