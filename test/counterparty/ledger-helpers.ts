import { p2pk, p2sh, SigHash, Transaction } from '@scure/btc-signer';
import type { SimulatedChain } from '../../src/chain/index.js';
import {
  type CounterpartySend,
  classicSendOutputs,
  encodeCounterpartySend,
  opReturnScript,
  outputScriptAddress,
} from '../../src/counterparty/index.js';
import { type TestKey, testKey } from '../chain/helpers.js';

/** A key with its regtest P2PKH address, which holds the Counterparty balances in tests. */
export interface Party extends TestKey {
  readonly address: string;
}

export function party(label: string): Party {
  const key = testKey(`counterparty ${label}`);
  return { ...key, address: outputScriptAddress(key.p2pkh, 'regtest')! };
}

export interface FundedCoin {
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  readonly script: Uint8Array;
  readonly rawTx: Uint8Array;
}

/** A faucet coin paying `script`, with its transaction (legacy signing needs it). */
export async function fund(
  chain: SimulatedChain,
  script: Uint8Array,
  value = 100_000n,
): Promise<FundedCoin> {
  const outpoint = chain.fund(script, value);
  const record = await chain.getTransaction(outpoint.txid);
  return { ...outpoint, value, script, rawTx: record!.rawTx };
}

export interface Spend {
  readonly coin: FundedCoin;
  readonly key: TestKey;
  /** How the coin's script is spent (default: P2PKH). */
  readonly kind?: 'p2pkh' | 'p2wpkh' | 'p2sh-p2pk';
  readonly sighash?: number;
}

/**
 * Signs a transaction spending `spends` in order (the first is the Counterparty source) to
 * `outputs`, with the wallet's real signatures.
 */
export function signSpends(
  spends: readonly Spend[],
  outputs: readonly { script: Uint8Array; value: bigint }[],
): Uint8Array {
  const tx = new Transaction({
    version: 2,
    allowUnknownOutputs: true,
    allowLegacyWitnessUtxo: true,
  });
  for (const spend of spends) {
    const kind = spend.kind ?? 'p2pkh';
    const sighashType = spend.sighash ?? SigHash.ALL;
    const base = { txid: spend.coin.txid, index: spend.coin.vout, sighashType };
    if (kind === 'p2pkh') tx.addInput({ ...base, nonWitnessUtxo: spend.coin.rawTx });
    else if (kind === 'p2wpkh') {
      tx.addInput({
        ...base,
        witnessUtxo: { script: spend.coin.script, amount: spend.coin.value },
      });
    } else {
      tx.addInput({
        ...base,
        nonWitnessUtxo: spend.coin.rawTx,
        redeemScript: p2pk(spend.key.publicKey).script,
      });
    }
  }
  for (const output of outputs) tx.addOutput({ script: output.script, amount: output.value });
  spends.forEach((spend, index) => {
    tx.signIdx(spend.key.privateKey, index, [spend.sighash ?? SigHash.ALL]);
  });
  tx.finalize();
  return tx.extract();
}

/** P2SH output script of `<pubkey> OP_CHECKSIG`: a legacy P2SH spend signs in its scriptSig. */
export function p2shP2pkScript(key: TestKey): Uint8Array {
  return p2sh(p2pk(key.publicKey)).script;
}

/**
 * A send from `from` (its coin is the first input) with change back to it; a classic send
 * pays `to` with dust first, an enhanced send names `to` in the message.
 */
export function sendTransaction(
  send: { type: 'classic'; asset: string; quantity: bigint } | CounterpartySend,
  spend: Spend,
  to: Uint8Array,
  change: Uint8Array,
  fee = 2_000n,
): Uint8Array {
  const outputs =
    send.type === 'classic'
      ? classicSendOutputs({
          asset: send.asset,
          quantity: send.quantity,
          destinationScript: to,
          firstInputTxid: spend.coin.txid,
          network: 'regtest',
        })
      : [
          {
            value: 0n,
            script: opReturnScript(
              encodeCounterpartySend(send, { firstInputTxid: spend.coin.txid, network: 'regtest' }),
            ),
          },
        ];
  const spent = outputs.reduce((sum, output) => sum + output.value, 0n);
  return signSpends(
    [spend],
    [...outputs, { script: change, value: spend.coin.value - spent - fee }],
  );
}
