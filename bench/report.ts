/** Printing of measurements as a plain-text table with ratios to a baseline. */
import type { Measurement } from './harness.js';

function fixed(value: number, digits: number): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Microseconds per operation. */
export function microseconds(m: Measurement): number {
  return 1e6 / m.opsPerSecond;
}

/**
 * One line: name, median ops/s, µs/op, coefficient of variation, and optionally the cost of one
 * operation in units of the baseline's (2.0 = twice as long as one baseline operation).
 */
export function line(m: Measurement, baseline?: Measurement): string {
  const ratio = baseline
    ? `${fixed(baseline.opsPerSecond / m.opsPerSecond, 2)}x ${baseline.name.split(' ')[0]}`
    : '';
  return [
    m.name.padEnd(62),
    `${fixed(m.opsPerSecond, m.opsPerSecond < 10 ? 2 : 0)} ops/s`.padStart(16),
    `${fixed(microseconds(m), 0)} us`.padStart(14),
    `cv ${fixed(m.cv * 100, 1)}%`.padStart(10),
    `  ${ratio}`,
  ].join('');
}

/** A titled block of lines. */
export function section(title: string, lines: readonly string[]): string {
  return [``, title, '-'.repeat(title.length), ...lines].join('\n');
}
