import { Transaction } from '@scure/btc-signer';
import { equalBytes, hexToBytes } from '../bytes.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { hash160 } from '../scripts/hash.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { type AssetTerms, assetSendOutputs } from './asset-terms.js';
import { TRANSACTION_VERSION } from './commit-transaction.js';
import type { DepositTransaction, FundingCoin } from './deposit-transaction.js';
import { TransactionError } from './errors.js';
import { assertAmount, assertFeeRate, dustThreshold, feeFor } from './fees.js';
import { publicKeyOf } from './keys.js';
import { rawTransactionId } from './raw-transaction.js';

/** Parameters of {@link buildAssetDepositTransaction}. */
export interface AssetDepositParams {
  /**
   * The payer's coins. The first is always spent first: it is the Counterparty source, so it
   * must be an output at the address that holds the asset. The others pay fees as needed.
   */
  readonly coins: readonly FundingCoin[];
  readonly depositScript: Uint8Array;
  /** Asset units moved to the deposit address. */
  readonly quantity: bigint;
  /** BTC carried in the deposit output: every later step's fees and outputs come out of it. */
  readonly btcValue: bigint;
  readonly terms: AssetTerms;
  /** Where the payer's BTC change goes (a standard script, read by Counterparty as the end). */
  readonly changeScript: Uint8Array;
  /** Fee rate, sat/vB. */
  readonly feeRate: number;
  /** Key of every coin (P2WPKH or P2PKH of its public key). */
  readonly privateKey: Uint8Array;
}

/** A signed asset deposit (the deposit output is output 0). */
export interface AssetDepositTransaction extends DepositTransaction {
  /** Asset units the classic send names. */
  readonly quantity: bigint;
}

/** Upper bounds of the virtual size each coin kind adds when spent (73-byte signature). */
const INPUT_VSIZE = { p2wpkh: 69, p2pkh: 149 } as const;

function coinKind(coin: FundingCoin, keyHash: Uint8Array): keyof typeof INPUT_VSIZE {
  const s = coin.script;
  const p2wpkh = s.length === 22 && s[0] === 0x00 && s[1] === 0x14;
  const p2pkh =
    s.length === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88;
  if (!p2wpkh && !(p2pkh && s[24] === 0xac)) {
    throw new TransactionError('TX_INVALID_PARAMS', 'funding coins must be P2WPKH or P2PKH');
  }
  const hash = p2wpkh ? s.subarray(2) : s.subarray(3, 23);
  if (!equalBytes(hash, keyHash)) {
    throw new TransactionError('TX_WRONG_KEY', 'a funding coin does not belong to the key');
  }
  assertAmount(coin.value, 'coin value');
  if (!/^[0-9a-f]{64}$/.test(coin.outpoint.txid) || !Number.isInteger(coin.outpoint.vout)) {
    throw new TransactionError('TX_INVALID_PARAMS', 'coin outpoint must be a txid and a vout');
  }
  return p2wpkh ? 'p2wpkh' : 'p2pkh';
}

const outputVsize = (script: Uint8Array) => 8 + 1 + script.length;

/**
 * Builds and signs an asset-mode deposit: output 0 pays `btcValue` to P2SH(deposit script) and
 * is the classic send's destination, output 1 is the OP_RETURN moving `quantity` of the asset
 * from the first coin's address, output 2 (when not dust) the BTC change. Every input is signed
 * SIGHASH_ALL, as Counterparty requires of its first input.
 *
 * @throws {@link TransactionError} `TX_BAD_SCRIPT`, `TX_WRONG_KEY`, `TX_INVALID_PARAMS`,
 *   `TX_AMOUNT_OUT_OF_RANGE` (BTC value below dust) or `TX_INSUFFICIENT_FUNDS`.
 */
export function buildAssetDepositTransaction(params: AssetDepositParams): AssetDepositTransaction {
  try {
    parseDepositScript(params.depositScript);
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `deposit script: ${(cause as Error).message}`);
  }
  assertFeeRate(params.feeRate);
  assertAmount(params.btcValue, 'deposit BTC value');
  const depositOut = p2shOutputScript(params.depositScript);
  if (params.btcValue < dustThreshold(depositOut)) {
    throw new TransactionError('TX_AMOUNT_OUT_OF_RANGE', 'deposit BTC value is below dust');
  }
  const [source, ...others] = params.coins;
  if (source === undefined) {
    throw new TransactionError('TX_INSUFFICIENT_FUNDS', 'no coin to spend from the source');
  }
  const keyHash = hash160(publicKeyOf(params.privateKey));
  const kinds = new Map(params.coins.map((coin) => [coin, coinKind(coin, keyHash)]));
  const send = assetSendOutputs(
    params.terms,
    params.quantity,
    depositOut,
    params.btcValue,
    source.outpoint.txid,
  );
  const chosen = [source];
  let total = source.value;
  let vsize = 11 + send.reduce((sum, o) => sum + outputVsize(o.script), 0);
  vsize += INPUT_VSIZE[kinds.get(source)!];
  const rest = [...others].sort((a, b) => (a.value < b.value ? 1 : a.value > b.value ? -1 : 0));
  let fee = 0n;
  let change = 0n;
  for (;;) {
    const withChange = feeFor(vsize + outputVsize(params.changeScript), params.feeRate);
    change = total - params.btcValue - withChange;
    if (change >= dustThreshold(params.changeScript)) {
      fee = withChange;
      break;
    }
    if (total - params.btcValue >= feeFor(vsize, params.feeRate)) {
      fee = total - params.btcValue;
      change = 0n;
      break;
    }
    const next = rest.shift();
    if (next === undefined) {
      throw new TransactionError(
        'TX_INSUFFICIENT_FUNDS',
        `coins worth ${total} cannot fund ${params.btcValue} plus fees`,
      );
    }
    chosen.push(next);
    total += next.value;
    vsize += INPUT_VSIZE[kinds.get(next)!];
  }
  const tx = new Transaction({
    version: TRANSACTION_VERSION,
    allowLegacyWitnessUtxo: true,
    // The OP_RETURN carrier is an output btc-signer does not classify.
    allowUnknownOutputs: true,
  });
  for (const coin of chosen) {
    tx.addInput({
      txid: hexToBytes(coin.outpoint.txid),
      index: coin.outpoint.vout,
      witnessUtxo: { script: coin.script, amount: coin.value },
      ...(coin.previousTx ? { nonWitnessUtxo: coin.previousTx } : {}),
    });
  }
  for (const output of send) tx.addOutput({ script: output.script, amount: output.value });
  if (change > 0n) tx.addOutput({ script: params.changeScript, amount: change });
  tx.sign(params.privateKey);
  tx.finalize();
  const rawTx = tx.extract();
  const txid = rawTransactionId(rawTx);
  return {
    rawTx,
    txid,
    depositOutpoint: { txid, vout: 0 },
    fee,
    change,
    quantity: params.quantity,
  };
}
