import { type SequenceLine, shapeOf } from './sequence-lines.js';

/** A block of the folded diagram: a single line, or a window of lines repeated `times`. */
export type FoldedBlock =
  | { readonly kind: 'line'; readonly line: SequenceLine }
  | {
      readonly kind: 'loop';
      readonly times: number;
      /** One entry per line of the window; each holds that line in every repetition. */
      readonly lines: readonly (readonly SequenceLine[])[];
    };

/** Longest window of lines a loop may repeat. */
const MAX_PERIOD = 4;
/** Fewest repetitions worth a loop. */
const MIN_REPEATS = 3;

function repeatsAt(lines: readonly SequenceLine[], start: number, period: number): number {
  const shapes = lines.map(shapeOf);
  let times = 1;
  for (;;) {
    const next = start + times * period;
    if (next + period > lines.length) return times;
    for (let j = 0; j < period; j++) if (shapes[next + j] !== shapes[start + j]) return times;
    times++;
  }
}

/**
 * Folds runs of lines that repeat up to their numbers (a window of 1..4 lines seen at least
 * three times in a row) into loops, choosing at each position the window that covers most
 * lines (the shorter on a tie). Deterministic: it depends on the lines only.
 */
export function foldRepeats(lines: readonly SequenceLine[]): FoldedBlock[] {
  const blocks: FoldedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    let best: { period: number; times: number } | null = null;
    for (let period = 1; period <= MAX_PERIOD; period++) {
      const times = repeatsAt(lines, i, period);
      if (times < MIN_REPEATS) continue;
      if (!best || period * times > best.period * best.times) best = { period, times };
    }
    if (!best) {
      blocks.push({ kind: 'line', line: lines[i]! });
      i++;
      continue;
    }
    const { period, times } = best;
    blocks.push({
      kind: 'loop',
      times,
      lines: Array.from({ length: period }, (_, j) =>
        Array.from({ length: times }, (_, t) => lines[i + t * period + j]!),
      ),
    });
    i += period * times;
  }
  return blocks;
}
