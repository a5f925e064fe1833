import { TransactionError } from './errors.js';

/** Dust thresholds of the standard output types under Bitcoin Core's default policy. */
export const DUST_THRESHOLDS = {
  p2pkh: 546n,
  p2sh: 540n,
  p2wpkh: 294n,
  p2wsh: 330n,
  p2tr: 330n,
  opReturn: 0n,
} as const;

/**
 * Bitcoin Core's dust relay fee (sat/kvB): an output is dust when spending it would cost more
 * than its value at this rate.
 */
export const DUST_RELAY_FEE_RATE = 3000;

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : 5;
}

/** True for a segwit output script (`OP_n <2..40-byte program>`). */
function isWitnessProgram(script: Uint8Array): boolean {
  if (script.length < 4 || script.length > 42) return false;
  const version = script[0]!;
  if (version !== 0x00 && (version < 0x51 || version > 0x60)) return false;
  return script[1] === script.length - 2;
}

/**
 * The dust threshold of an output script, computed as Bitcoin Core does: the cost at
 * {@link DUST_RELAY_FEE_RATE} of the output plus a typical input spending it. Gives 546 for
 * P2PKH, 540 for P2SH, 294 for P2WPKH, 330 for P2WSH/P2TR; unspendable OP_RETURN outputs are 0.
 */
export function dustThreshold(outputScript: Uint8Array): bigint {
  if (outputScript[0] === 0x6a) return 0n;
  const outputSize = 8 + compactSizeLength(outputScript.length) + outputScript.length;
  const spendSize = isWitnessProgram(outputScript)
    ? 32 + 4 + 1 + Math.floor(107 / 4) + 4
    : 32 + 4 + 1 + 107 + 4;
  return BigInt(((outputSize + spendSize) * DUST_RELAY_FEE_RATE) / 1000);
}

/**
 * Checks that a fee rate (sat/vB) is a finite number in 0..1,000,000.
 *
 * @throws {@link TransactionError} `TX_INVALID_PARAMS` otherwise.
 */
export function assertFeeRate(feeRate: number): void {
  if (
    typeof feeRate !== 'number' ||
    !Number.isFinite(feeRate) ||
    feeRate < 0 ||
    feeRate > 1_000_000
  ) {
    throw new TransactionError(
      'TX_INVALID_PARAMS',
      `fee rate must be a number of sat/vB in 0..1000000, got ${feeRate}`,
    );
  }
}

/**
 * The fee for `vsize` virtual bytes at `feeRate` sat/vB, rounded up to a whole satoshi: the
 * smallest whole fee whose rate `fee / vsize` is at least `feeRate` (exact for whole rates).
 */
export function feeFor(vsize: number, feeRate: number): bigint {
  assertFeeRate(feeRate);
  if (!(vsize > 0)) return 0n;
  // vsize * feeRate stays far below 2^53, so only the last rounding of the product can be off;
  // settle it against the rate the fee actually pays.
  let fee = Math.ceil(vsize * feeRate);
  while (fee / vsize < feeRate) fee += 1;
  while (fee > 0 && (fee - 1) / vsize >= feeRate) fee -= 1;
  return BigInt(fee);
}

/** The fee rate (sat/vB) a fee pays for a virtual size. */
export function feeRateOf(fee: bigint, vsize: number): number {
  return Number(fee) / vsize;
}

/**
 * Checks that an amount is a non-negative integer satoshi value no larger than the money supply.
 *
 * @throws {@link TransactionError} `TX_INVALID_PARAMS` otherwise.
 */
export function assertAmount(value: bigint, name = 'amount'): void {
  if (typeof value !== 'bigint' || value < 0n || value > 2_100_000_000_000_000n) {
    throw new TransactionError(
      'TX_INVALID_PARAMS',
      `${name} must be a bigint in 0..21e14 satoshis`,
    );
  }
}
