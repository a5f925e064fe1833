import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import { SimulatedChain } from '../../src/chain/index.js';
import {
  SimulatedCounterpartyLedger,
  classicSendOutputs,
  outputScriptAddress,
} from '../../src/counterparty/index.js';
import { buildDepositScript, hash160, p2shOutputScript } from '../../src/scripts/index.js';
import { buildUnlockingScript } from '../../src/scripts/unlocking-scripts.js';
import {
  FINAL_SEQUENCE,
  type RecoverySpend,
  type TxData,
  encodeTransaction,
  recoveryPath,
  signP2shInput,
  spendSequence,
  withScriptSig,
} from '../../src/transactions/index.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { fund, party } from './ledger-helpers.js';

const payer = party('channel payer');
const payee = party('channel payee');
const spendSecret = hexToBytes('11'.repeat(32));
const EXPIRE_TIME = 5;
const depositScript = buildDepositScript({
  payerPubkey: payer.publicKey,
  payeePubkey: payee.publicKey,
  spendSecretHash: hash160(spendSecret),
  expireTime: EXPIRE_TIME,
});
const depositOutput = p2shOutputScript(depositScript);
const depositAddress = outputScriptAddress(depositOutput, 'regtest')!;

/**
 * A deposit spend along a recovery path that also carries a classic send: the asset goes with
 * dust to the payer, the rest of the BTC back to the deposit address for the next step.
 */
function assetSpend(
  spend: RecoverySpend,
  coin: { txid: string; vout: number; value: bigint },
  quantity: bigint,
): Uint8Array {
  const path = recoveryPath(spend);
  const send = classicSendOutputs({
    asset: 'XCP',
    quantity,
    destinationScript: payer.p2pkh,
    firstInputTxid: coin.txid,
    network: 'regtest',
  });
  const unsigned: TxData = {
    version: 2,
    inputs: [
      {
        txid: hexToBytes(coin.txid),
        index: coin.vout,
        scriptSig: new Uint8Array(0),
        sequence: spend.kind === 'expire' ? spendSequence('expire', depositScript) : FINAL_SEQUENCE,
      },
    ],
    outputs: [...send, { value: coin.value - 546n - 3_000n, script: depositOutput }],
    lockTime: 0,
  };
  const signature = signP2shInput(unsigned, 0, path.redeemScript, payer.privateKey);
  return encodeTransaction(
    withScriptSig(unsigned, 0, buildUnlockingScript(path.unlocking(signature))),
  );
}

describe('channel deposit addresses as Counterparty sources', () => {
  it('moves assets out of a deposit along the change and expire paths', async () => {
    const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
    const ledger = new SimulatedCounterpartyLedger({
      chain,
      allocations: [{ address: depositAddress, asset: 'XCP', quantity: 1_000n }],
    });
    const coin = await fund(chain, depositOutput);
    const change = assetSpend({ kind: 'change', depositScript, spendSecret }, coin, 250n);
    const changeTxid = chain.submit(change);
    chain.mine();
    expect(await ledger.getTransaction(changeTxid)).toMatchObject({
      source: depositAddress,
      destination: payer.address,
      quantity: 250n,
      status: 'valid',
    });
    // The BTC left at the deposit address lets the next step spend from it again.
    const remainder = { txid: changeTxid, vout: 2, value: coin.value - 546n - 3_000n };
    chain.mine(EXPIRE_TIME - 1);
    const expire = assetSpend({ kind: 'expire', depositScript }, remainder, 750n);
    const expireTxid = chain.submit(expire);
    chain.mine();
    expect((await ledger.getTransaction(expireTxid))?.status).toBe('valid');
    expect(await ledger.getBalance(depositAddress, 'XCP')).toBe(0n);
    expect(await ledger.getBalance(payer.address, 'XCP')).toBe(1_000n);
  });
});
