import { sats } from './format.js';

/** One promise of the protocol, checked against what happened. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** What was observed (and expected, when it differs). */
  readonly detail: string;
}

/** Collects the checks of one scenario. */
export class Checks {
  readonly results: CheckResult[] = [];

  /** Records a check with a free-form detail. */
  that(name: string, ok: boolean, detail: string): void {
    this.results.push({ name, ok, detail });
  }

  /** Checks that a value equals the expected one (strings, numbers, amounts). */
  equal<T extends string | number | bigint | null>(name: string, actual: T, expected: T): void {
    const show = (v: T) => (typeof v === 'bigint' ? sats(v) : String(v));
    this.that(
      name,
      actual === expected,
      actual === expected ? show(actual) : `${show(actual)}, expected ${show(expected)}`,
    );
  }

  /** Checks that an amount lies in `[min, max]`. */
  within(name: string, actual: bigint, min: bigint, max: bigint): void {
    this.that(
      name,
      actual >= min && actual <= max,
      `${sats(actual)} in [${sats(min)}, ${sats(max)}]`,
    );
  }

  /** True when every check passed. */
  get ok(): boolean {
    return this.results.every((r) => r.ok);
  }
}
