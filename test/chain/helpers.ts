import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { p2pkh, p2sh, p2wpkh, Script, Transaction } from '@scure/btc-signer';
import { RawTx } from '@scure/btc-signer/script.js';
import { hexToBytes } from '../../src/bytes.js';
import type { Outpoint } from '../../src/chain/index.js';
import type { SimulatedChain } from '../../src/chain/index.js';

/** A deterministic single-key wallet: its private key is SHA-256 of a label. */
export interface TestKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** P2WPKH output script of the key. */
  readonly p2wpkh: Uint8Array;
  /** P2PKH output script of the key. */
  readonly p2pkh: Uint8Array;
}

export function testKey(label: string): TestKey {
  const privateKey = sha256(new TextEncoder().encode(`chain test key ${label}`));
  const publicKey = secp256k1.getPublicKey(privateKey, true);
  return {
    privateKey,
    publicKey,
    p2wpkh: p2wpkh(publicKey).script,
    p2pkh: p2pkh(publicKey).script,
  };
}

export interface Coin extends Outpoint {
  readonly value: bigint;
}

export interface SpendOptions {
  version?: number;
  lockTime?: number;
  sequence?: number;
}

/** Signs a spend of P2WPKH coins of `key` to `outputs`. */
export function spendP2wpkh(
  key: TestKey,
  coins: readonly Coin[],
  outputs: readonly { script: Uint8Array; amount: bigint }[],
  options: SpendOptions = {},
): Uint8Array {
  const tx = new Transaction({
    version: options.version ?? 2,
    lockTime: options.lockTime ?? 0,
    allowUnknownOutputs: true,
  });
  for (const coin of coins) {
    tx.addInput({
      txid: coin.txid,
      index: coin.vout,
      witnessUtxo: { script: key.p2wpkh, amount: coin.value },
      sequence: options.sequence ?? 0xffffffff,
    });
  }
  for (const output of outputs) tx.addOutput({ script: output.script, amount: output.amount });
  tx.sign(key.privateKey);
  tx.finalize();
  return tx.extract();
}

/** Signs a spend of one P2PKH coin of `key`; legacy signing needs the whole previous tx. */
export function spendP2pkh(
  key: TestKey,
  coin: Coin,
  previousRawTx: Uint8Array,
  outputs: readonly { script: Uint8Array; amount: bigint }[],
): Uint8Array {
  const tx = new Transaction({ version: 2, allowUnknownOutputs: true });
  tx.addInput({ txid: coin.txid, index: coin.vout, nonWitnessUtxo: previousRawTx });
  for (const output of outputs) tx.addOutput({ script: output.script, amount: output.amount });
  tx.sign(key.privateKey);
  tx.finalize();
  return tx.extract();
}

/** `<n> OP_CHECKSEQUENCEVERIFY OP_DROP OP_1`: spendable by anyone once `n` blocks deep. */
export function csvRedeemScript(n: number): Uint8Array {
  return Script.encode([n, 'CHECKSEQUENCEVERIFY', 'DROP', 'OP_1']);
}

/** P2SH output script paying to `redeemScript`. */
export function p2shOf(redeemScript: Uint8Array): Uint8Array {
  return p2sh({ type: 'unknown', script: redeemScript }).script;
}

/** A raw transaction spending P2SH coins by pushing only their redeem script. */
export function spendP2shPush(
  inputs: readonly { coin: Coin; redeemScript: Uint8Array; sequence?: number }[],
  outputs: readonly { script: Uint8Array; amount: bigint }[],
  options: { version?: number; lockTime?: number } = {},
): Uint8Array {
  return RawTx.encode({
    version: options.version ?? 2,
    segwitFlag: false,
    inputs: inputs.map(({ coin, redeemScript, sequence }) => ({
      txid: hexToBytes(coin.txid),
      index: coin.vout,
      finalScriptSig: Script.encode([redeemScript]),
      sequence: sequence ?? 0xffffffff,
    })),
    outputs: outputs.map((o) => ({ amount: o.amount, script: o.script })),
    witnesses: undefined,
    lockTime: options.lockTime ?? 0,
  });
}

/** Everything a rejected submission must leave untouched. */
export function chainState(chain: SimulatedChain): unknown {
  return {
    height: chain.height,
    mempool: chain.mempoolTxids(),
    utxos: chain
      .listUnspent()
      .map((u) => `${u.txid}:${u.vout}:${u.value}:${u.blockHeight}`)
      .sort(),
    fees: chain.totalFeesPaid(),
  };
}

/** The code of the ChainError `action` throws, or a description of what went wrong instead. */
export function codeOf(action: () => unknown): string {
  try {
    action();
    return 'no error';
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
      return error.constructor.name === 'ChainError' ? error.code : `${error.constructor.name}`;
    }
    return `non-chain error: ${String(error)}`;
  }
}
