import { Address, OutScript, Transaction } from '@scure/btc-signer';
import { type NetworkName, networkParams } from '../scripts/networks.js';
import { dustThreshold, feeFor } from '../transactions/fees.js';
import { rawTransactionId } from '../transactions/raw-transaction.js';
import { WalletError } from './errors.js';

/** A coin to spend with the key that owns it (P2WPKH). */
export interface SpendableCoin {
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  readonly script: Uint8Array;
  readonly privateKey: Uint8Array;
}

/** A signed payment to an address. */
export interface SignedSend {
  readonly rawTx: Uint8Array;
  readonly txid: string;
  readonly fee: bigint;
  /** Change paid back (0 when it would be dust); output 1 when positive. */
  readonly change: bigint;
  /** Coins spent, `txid:vout`. */
  readonly spent: readonly string[];
}

/** The output script of `address` on `network`, or `WALLET_BAD_ADDRESS`. */
export function addressScript(address: string, network: NetworkName): Uint8Array {
  try {
    return OutScript.encode(Address(networkParams(network)).decode(address));
  } catch {
    throw new WalletError('WALLET_BAD_ADDRESS', `not a ${network} address: ${address}`);
  }
}

// vbytes: P2WPKH input ~68, P2WPKH output 31, overhead 11 (a generous estimate for other outputs).
const INPUT_VSIZE = 68;
const OVERHEAD_VSIZE = 11;
const outputVsize = (script: Uint8Array) => 9 + script.length;

/**
 * Pays `amount` to `script` from `coins` (largest first), change to `changeScript`, and signs.
 *
 * @throws {@link WalletError} `WALLET_INSUFFICIENT_FUNDS`, or `WALLET_BAD_ADDRESS` for a dust amount.
 */
export function signSend(p: {
  coins: readonly SpendableCoin[];
  script: Uint8Array;
  amount: bigint;
  changeScript: Uint8Array;
  feeRate: number;
}): SignedSend {
  if (p.amount < dustThreshold(p.script))
    throw new WalletError('WALLET_BAD_ADDRESS', `amount ${p.amount} is below the dust threshold`);
  const sorted = [...p.coins].sort((a, b) => (a.value < b.value ? 1 : a.value > b.value ? -1 : 0));
  const chosen: SpendableCoin[] = [];
  let total = 0n;
  for (const coin of sorted) {
    chosen.push(coin);
    total += coin.value;
    const base = OVERHEAD_VSIZE + chosen.length * INPUT_VSIZE + outputVsize(p.script);
    const withChange = feeFor(base + outputVsize(p.changeScript), p.feeRate);
    const without = feeFor(base, p.feeRate);
    let fee: bigint;
    let change = 0n;
    if (total - p.amount - withChange >= dustThreshold(p.changeScript)) {
      fee = withChange;
      change = total - p.amount - withChange;
    } else if (total >= p.amount + without) fee = total - p.amount;
    else continue;
    const tx = new Transaction();
    for (const c of chosen)
      tx.addInput({
        txid: c.txid,
        index: c.vout,
        witnessUtxo: { script: c.script, amount: c.value },
      });
    tx.addOutput({ script: p.script, amount: p.amount });
    if (change > 0n) tx.addOutput({ script: p.changeScript, amount: change });
    for (const [i, c] of chosen.entries()) tx.signIdx(c.privateKey, i);
    tx.finalize();
    const rawTx = tx.extract();
    return {
      rawTx,
      txid: rawTransactionId(rawTx),
      fee,
      change,
      spent: chosen.map((c) => `${c.txid}:${c.vout}`),
    };
  }
  throw new WalletError(
    'WALLET_INSUFFICIENT_FUNDS',
    `need ${p.amount} sat and a fee, have ${total}`,
  );
}
