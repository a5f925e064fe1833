/**
 * The wallet's record of the blocks it scanned, kept so that a reorganisation of any depth is
 * noticed: a block hash that no longer matches the chain at its height means everything
 * found above the highest matching block is rolled back and scanned again.
 *
 * @module
 */

/** A scanned block: its height and hash. */
export interface BlockMark {
  readonly height: number;
  readonly hash: string;
}

/** Every block this close to the newest mark is kept; further back, ever fewer. */
export const DENSE_BLOCKS = 32;

/**
 * Whether the mark at `height` is kept when the newest is at `top`: every one of the last
 * {@link DENSE_BLOCKS}, and further back those at multiples of a power of two that doubles
 * with the distance (about {@link DENSE_BLOCKS} marks per doubling). The rule is stable as
 * `top` grows: a kept mark is dropped only when its band thins, never needed again later, so
 * a fork at depth d is found at most about d / DENSE_BLOCKS blocks below where it happened.
 */
export function keepsMark(height: number, top: number): boolean {
  const distance = top - height;
  if (distance < DENSE_BLOCKS) return true;
  const step = 2 ** Math.floor(Math.log2(distance / DENSE_BLOCKS));
  return height % step === 0;
}

/** The marks kept under {@link keepsMark} for the highest one, lowest first; the lowest stays. */
export function thinMarks(marks: readonly BlockMark[]): BlockMark[] {
  if (marks.length === 0) return [];
  const sorted = [...marks].sort((a, b) => a.height - b.height);
  const top = sorted[sorted.length - 1]!.height;
  // The lowest mark stays: it bounds how far back a rollback must go.
  return sorted.filter((m, i) => i === 0 || keepsMark(m.height, top));
}

/**
 * Height of the highest mark whose hash the chain still has at its height, or `-1` when none
 * does (everything is scanned again). `hashAt` answers `null` above the tip.
 */
export async function forkHeight(
  marks: readonly BlockMark[],
  hashAt: (height: number) => Promise<string | null>,
): Promise<number> {
  const sorted = [...marks].sort((a, b) => b.height - a.height);
  for (const mark of sorted) if ((await hashAt(mark.height)) === mark.hash) return mark.height;
  return -1;
}

/** Checks a saved list of marks: heights ascending, distinct, hashes of 64 hex digits. */
export function validMarks(value: unknown): value is BlockMark[] {
  if (!Array.isArray(value)) return false;
  let last = -1;
  for (const m of value) {
    if (
      typeof m !== 'object' ||
      m === null ||
      !Number.isSafeInteger(m.height) ||
      m.height <= last ||
      typeof m.hash !== 'string' ||
      !/^[0-9a-f]{64}$/.test(m.hash)
    )
      return false;
    last = m.height;
  }
  return true;
}
