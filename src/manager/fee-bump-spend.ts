import { bytesToHex } from '../bytes.js';
import { virtualSize } from '../chain/vsize.js';
import { parseUnlockingScript } from '../scripts/unlocking-scripts.js';
import { dustThreshold } from '../transactions/fees.js';
import { decodeTransaction } from '../transactions/raw-transaction.js';
import type { SpendParams, SpendTransaction } from '../transactions/spend-transactions.js';
import { type ChannelSpend, buildChannelSpend } from '../machines/asset-mode.js';
import { decodeCounterpartyData } from '../counterparty/message.js';
import { opReturnData } from '../counterparty/op-return.js';

/** A single-signer spend read back from its bytes: what re-signing it needs. */
export interface BumpableSpend {
  readonly kind: 'payout' | 'revoke' | 'change' | 'expire';
  readonly outpoint: { readonly txid: string; readonly vout: number };
  readonly destinationScript: Uint8Array;
  readonly outputValue: bigint;
  readonly vsize: number;
  /** Re-signs the same spend paying `feeRate` out of `value` (the spent output's value). */
  readonly resign: (value: bigint, feeRate: number, privateKey: Uint8Array) => SpendTransaction;
}

/**
 * Reads one of the four single-signer spends (one input, one output) from its serialization:
 * its path, secret and redeem script come from the unlocking script, so the spend can be
 * signed again at another fee rate with the same key. `null` for anything else.
 */
export function readBumpableSpend(rawTx: Uint8Array): BumpableSpend | null {
  let tx: ReturnType<typeof decodeTransaction>;
  try {
    tx = decodeTransaction(rawTx);
  } catch {
    return null;
  }
  const [input] = tx.inputs;
  const [output, data] = tx.outputs;
  if (tx.inputs.length !== 1 || !input || !output) return null;
  // Asset mode: the destination, then the OP_RETURN of the classic send, which a bump keeps.
  const send = tx.outputs.length === 2 && data ? classicSendOf(data.script, input.txid) : null;
  if (tx.outputs.length !== 1 && send === null) return null;
  let unlocking: ReturnType<typeof parseUnlockingScript>;
  try {
    unlocking = parseUnlockingScript(input.scriptSig, { canonical: false });
  } catch {
    return null;
  }
  const outpoint = { txid: bytesToHex(input.txid), vout: input.index };
  const destinationScript = output.script;
  const base = (value: bigint, feeRate: number, privateKey: Uint8Array): SpendParams => ({
    outpoint,
    value,
    destinationScript,
    feeRate,
    privateKey,
  });
  let spend: ChannelSpend;
  switch (unlocking.kind) {
    case 'payout':
      spend = {
        kind: 'payout',
        commitScript: unlocking.commitScript,
        spendSecret: unlocking.spendSecret,
      };
      break;
    case 'revoke':
      spend = {
        kind: 'revoke',
        commitScript: unlocking.commitScript,
        revokeSecret: unlocking.revokeSecret,
      };
      break;
    case 'change':
      spend = {
        kind: 'change',
        depositScript: unlocking.depositScript,
        spendSecret: unlocking.spendSecret,
      };
      break;
    case 'expire':
      spend = { kind: 'expire', depositScript: unlocking.depositScript };
      break;
    default:
      return null;
  }
  const terms = send ? { asset: send.asset } : null;
  const quantity = send ? send.quantity : 0n;
  const resign: BumpableSpend['resign'] = (v, r, k) =>
    buildChannelSpend(terms, quantity, base(v, r, k), spend);
  return {
    kind: unlocking.kind,
    outpoint,
    destinationScript,
    outputValue: output.value,
    vsize: virtualSize(rawTx),
    resign,
  };
}

/**
 * The classic send an asset-mode spend's OP_RETURN carries (keyed by the spent output's txid),
 * or null when the output is not one.
 */
function classicSendOf(
  script: Uint8Array,
  spentTxid: Uint8Array,
): { asset: string; quantity: bigint } | null {
  try {
    const send = decodeCounterpartyData(opReturnData(script), bytesToHex(spentTxid));
    return send.type === 'classic' ? { asset: send.asset, quantity: send.quantity } : null;
  } catch {
    return null;
  }
}

/** Fee rate (sat/vB) that `spend` pays out of an output worth `value`. */
export function paidFeeRate(spend: BumpableSpend, value: bigint): number {
  return Number(value - spend.outputValue) / spend.vsize;
}

/**
 * The highest fee rate (sat/vB, hundredths) at which the spend still leaves a non-dust output:
 * the ceiling of a bump when the output's value bounds it more than the policy does.
 */
export function affordableFeeRate(spend: BumpableSpend, value: bigint): number {
  const spare = value - dustThreshold(spend.destinationScript);
  if (spare <= 0n) return 0;
  // One vbyte more than now: a signature may be a byte longer.
  return Math.floor((Number(spare) / (spend.vsize + 1)) * 100) / 100;
}
