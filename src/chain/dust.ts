/**
 * Dust thresholds of Bitcoin Core's default policy (dust relay fee 3 sat/vB): an output is
 * dust when spending it would cost more than a third of its value.
 */
export const DUST_THRESHOLDS = {
  p2pkh: 546n,
  p2sh: 540n,
  p2wpkh: 294n,
  p2wsh: 330n,
  p2tr: 330n,
  opReturn: 0n,
} as const;

/** Core's dust relay fee, sat/vB. */
const DUST_RELAY_FEE_RATE = 3n;
/** Bytes (vbytes for witness programs) of the input that would spend the output. */
const NON_WITNESS_SPEND_BYTES = 148n;
const WITNESS_SPEND_VBYTES = 67n;

/**
 * Smallest value an output with `script` may carry. The formula is Core's `GetDustThreshold`
 * and yields {@link DUST_THRESHOLDS} for the standard types; OP_RETURN outputs are exempt.
 */
export function dustThreshold(script: Uint8Array): bigint {
  if (script[0] === 0x6a) return DUST_THRESHOLDS.opReturn;
  const lengthPrefix = script.length < 0xfd ? 1 : script.length <= 0xffff ? 3 : 5;
  const outputBytes = BigInt(8 + lengthPrefix + script.length);
  const spendBytes = isWitnessProgram(script) ? WITNESS_SPEND_VBYTES : NON_WITNESS_SPEND_BYTES;
  return (outputBytes + spendBytes) * DUST_RELAY_FEE_RATE;
}

/** `OP_0`..`OP_16` followed by one push of 2 to 40 bytes (BIP141). */
function isWitnessProgram(script: Uint8Array): boolean {
  const version = script[0];
  const push = script[1];
  if (version === undefined || push === undefined) return false;
  const versionOk = version === 0x00 || (version >= 0x51 && version <= 0x60);
  return versionOk && push >= 2 && push <= 40 && script.length === push + 2;
}
