import { Transaction } from '@scure/btc-signer';
import { equalBytes, hexToBytes } from '../bytes.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { hash160 } from '../scripts/hash.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { TRANSACTION_VERSION } from './commit-transaction.js';
import {
  type FundedDeposit,
  type FundedDepositExpectation,
  finalizeFundedDeposit,
} from './deposit-psbt.js';
import { TransactionError } from './errors.js';
import { assertAmount, assertFeeRate, dustThreshold, feeFor } from './fees.js';
import { publicKeyOf } from './keys.js';
import { type Outpoint, rawTransactionId } from './raw-transaction.js';

/** A coin of the payer's wallet that can fund a deposit: a P2WPKH or P2PKH output. */
export interface FundingCoin {
  readonly outpoint: Outpoint;
  readonly value: bigint;
  /** The coin's output script (P2WPKH `0014…` or P2PKH `76a914…88ac`). */
  readonly script: Uint8Array;
  /** The whole previous transaction; PSBT signers want it for P2PKH coins. */
  readonly previousTx?: Uint8Array;
}

/** Parameters of a deposit. */
export interface DepositParams {
  readonly coins: readonly FundingCoin[];
  readonly depositScript: Uint8Array;
  /** Value locked in the deposit output, satoshis. */
  readonly amount: bigint;
  /** Where the payer's change goes. */
  readonly changeScript: Uint8Array;
  /** Fee rate, sat/vB. */
  readonly feeRate: number;
}

/**
 * A funded deposit. The builders of this module put the deposit at output 0; `depositOutpoint`
 * names it wherever it is.
 */
export interface DepositTransaction {
  readonly rawTx: Uint8Array;
  readonly txid: string;
  readonly depositOutpoint: Outpoint;
  readonly fee: bigint;
  /** Change returned to the payer (0 when it would have been dust). */
  readonly change: bigint;
}

type CoinKind = 'p2wpkh' | 'p2pkh';

function coinKind(script: Uint8Array): CoinKind {
  if (script.length === 22 && script[0] === 0x00 && script[1] === 0x14) return 'p2wpkh';
  if (
    script.length === 25 &&
    script[0] === 0x76 &&
    script[1] === 0xa9 &&
    script[2] === 0x14 &&
    script[23] === 0x88 &&
    script[24] === 0xac
  ) {
    return 'p2pkh';
  }
  throw new TransactionError('TX_INVALID_PARAMS', 'funding coins must be P2WPKH or P2PKH outputs');
}

function assertOutpoint(outpoint: Outpoint): void {
  if (
    !/^[0-9a-f]{64}$/.test(outpoint.txid) ||
    !Number.isInteger(outpoint.vout) ||
    outpoint.vout < 0 ||
    outpoint.vout > 0xffffffff
  ) {
    throw new TransactionError(
      'TX_INVALID_PARAMS',
      'coin outpoint must be a 64-hex txid and a vout',
    );
  }
}

/** Upper bounds of the virtual size each coin kind adds when spent (73-byte signature). */
const INPUT_VSIZE: Record<CoinKind, number> = { p2wpkh: 69, p2pkh: 149 };

function outputVsize(script: Uint8Array): number {
  return 8 + 1 + script.length;
}

/**
 * Picks coins largest first until they pay the deposit and the fee, and decides whether a change
 * output is worth creating (it is dropped when it would be dust; its value goes to the fee).
 */
function selectCoins(params: DepositParams) {
  const depositOut = p2shOutputScript(params.depositScript);
  const sorted = [...params.coins].sort((a, b) =>
    a.value < b.value ? 1 : a.value > b.value ? -1 : 0,
  );
  const chosen: FundingCoin[] = [];
  let total = 0n;
  let vsize = 11 + outputVsize(depositOut);
  for (const coin of sorted) {
    const kind = coinKind(coin.script);
    assertAmount(coin.value, 'coin value');
    assertOutpoint(coin.outpoint);
    chosen.push(coin);
    total += coin.value;
    vsize += INPUT_VSIZE[kind];
    const withChange = feeFor(vsize + outputVsize(params.changeScript), params.feeRate);
    const change = total - params.amount - withChange;
    if (change >= dustThreshold(params.changeScript)) return { chosen, fee: withChange, change };
    const withoutChange = feeFor(vsize, params.feeRate);
    if (total - params.amount >= withoutChange)
      return { chosen, fee: total - params.amount, change: 0n };
  }
  throw new TransactionError(
    'TX_INSUFFICIENT_FUNDS',
    `coins worth ${total} cannot fund ${params.amount} plus fees`,
  );
}

function buildUnsigned(params: DepositParams): { tx: Transaction; fee: bigint; change: bigint } {
  try {
    parseDepositScript(params.depositScript);
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `deposit script: ${(cause as Error).message}`);
  }
  assertAmount(params.amount, 'deposit amount');
  assertFeeRate(params.feeRate);
  const depositOut = p2shOutputScript(params.depositScript);
  if (params.amount < dustThreshold(depositOut)) {
    throw new TransactionError('TX_AMOUNT_OUT_OF_RANGE', 'deposit amount is below dust');
  }
  const { chosen, fee, change } = selectCoins(params);
  const tx = new Transaction({ version: TRANSACTION_VERSION, allowLegacyWitnessUtxo: true });
  for (const coin of chosen) {
    tx.addInput({
      txid: hexToBytes(coin.outpoint.txid),
      index: coin.outpoint.vout,
      witnessUtxo: { script: coin.script, amount: coin.value },
      ...(coin.previousTx ? { nonWitnessUtxo: coin.previousTx } : {}),
    });
  }
  tx.addOutput({ script: depositOut, amount: params.amount });
  if (change > 0n) tx.addOutput({ script: params.changeScript, amount: change });
  return { tx, fee, change };
}

/**
 * The unsigned deposit as a BIP174 PSBT, so that any external wallet or hardware signer can
 * sign it. Output 0 pays the deposit; output 1, if present, is the change.
 *
 * @throws {@link TransactionError} for bad coins, amounts or fee rate, a deposit script that does
 * not parse (`TX_BAD_SCRIPT`), or insufficient funds.
 */
export function buildDepositPsbt(params: DepositParams): Uint8Array {
  return buildUnsigned(params).tx.toPSBT();
}

/**
 * Builds and signs the deposit from coins that all belong to `privateKey` (P2WPKH or P2PKH).
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY` when a coin is not the key's, or as {@link buildDepositPsbt}.
 */
export function buildDepositTransaction(
  params: DepositParams & { privateKey: Uint8Array },
): DepositTransaction {
  const keyHash = hash160(publicKeyOf(params.privateKey));
  for (const coin of params.coins) {
    const kind = coinKind(coin.script);
    const coinHash = kind === 'p2wpkh' ? coin.script.subarray(2) : coin.script.subarray(3, 23);
    if (!equalBytes(coinHash, keyHash))
      throw new TransactionError('TX_WRONG_KEY', 'a funding coin does not belong to the key');
  }
  const { tx, fee, change } = buildUnsigned(params);
  tx.sign(params.privateKey);
  tx.finalize();
  const rawTx = tx.extract();
  const txid = rawTransactionId(rawTx);
  return { rawTx, txid, depositOutpoint: { txid, vout: 0 }, fee, change };
}

/**
 * Finalizes a PSBT signed by an external signer and extracts the deposit transaction.
 *
 * With `expected`, this is {@link finalizeFundedDeposit}: the deposit output is found by script
 * and amount wherever the wallet put it, every input's value is established from its
 * `non_witness_utxo` (hash-checked) or `witness_utxo`, every signature is verified and the fee
 * rate is bounded. Pass it for any PSBT an external wallet funded.
 *
 * Without `expected`, only the layout {@link buildDepositPsbt} makes is understood: the deposit
 * is output 0, output 1 (if any) the change, and input values are read from `witnessUtxo`.
 *
 * @throws {@link TransactionError} `TX_UNSIGNED` when an input still lacks its signature, or
 * as {@link finalizeFundedDeposit} when `expected` is given.
 */
export function finalizeDepositPsbt(psbt: Uint8Array): DepositTransaction;
export function finalizeDepositPsbt(
  psbt: Uint8Array | string,
  expected: FundedDepositExpectation,
): FundedDeposit;
export function finalizeDepositPsbt(
  psbt: Uint8Array | string,
  expected?: FundedDepositExpectation,
): DepositTransaction {
  if (expected !== undefined) return finalizeFundedDeposit(psbt, expected);
  let tx: Transaction;
  try {
    tx = Transaction.fromPSBT(psbt as Uint8Array, { allowLegacyWitnessUtxo: true });
    tx.finalize();
  } catch (cause) {
    throw new TransactionError(
      'TX_UNSIGNED',
      `PSBT cannot be finalized: ${(cause as Error).message}`,
    );
  }
  const rawTx = tx.extract();
  const txid = rawTransactionId(rawTx);
  const outputs = Array.from({ length: tx.outputsLength }, (_, i) => tx.getOutput(i));
  const inputTotal = Array.from(
    { length: tx.inputsLength },
    (_, i) => tx.getInput(i).witnessUtxo?.amount ?? 0n,
  ).reduce((a, b) => a + b, 0n);
  const outputTotal = outputs.reduce((sum, o) => sum + (o.amount ?? 0n), 0n);
  return {
    rawTx,
    txid,
    depositOutpoint: { txid, vout: 0 },
    fee: inputTotal - outputTotal,
    change: outputs[1]?.amount ?? 0n,
  };
}
