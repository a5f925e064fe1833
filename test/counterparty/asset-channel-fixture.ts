import { SimulatedChain } from '../../src/chain/index.js';
import {
  type AssetChannelBudget,
  type AssetTerms,
  SimulatedCounterpartyLedger,
  assetChannelBudget,
  buildAssetDepositTransaction,
  createAssetCommit,
  outputScriptAddress,
  verifyAssetCommit,
} from '../../src/counterparty/index.js';
import {
  buildCommitScript,
  buildDepositScript,
  hash160,
  p2shOutputScript,
} from '../../src/scripts/index.js';
import type { DepositOutput } from '../../src/transactions/index.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { type Party, fund, party } from './ledger-helpers.js';

/** The asset of the channel tests. */
export const TERMS: AssetTerms = { asset: 'PICOTOKEN', network: 'regtest' };

/** Parameters of an asset channel under test. */
export interface AssetChannelOptions {
  /** Asset units the payer holds before the channel. */
  readonly allocation?: bigint;
  /** Asset units deposited. */
  readonly quantity?: bigint;
  readonly expireTime?: number;
  readonly delayTime?: number;
  readonly payerFeeRate?: number;
  readonly payeeFeeRate?: number;
  /** Extra BTC beyond the budget's minimum carried by the deposit. */
  readonly extraBtc?: bigint;
  readonly spendSecret?: Uint8Array;
}

/**
 * One asset channel on a simulated chain (every script judged by bitcore) with the simulated
 * Counterparty ledger: the payer holds the asset on its P2PKH address, both parties' recoveries
 * pay their P2PKH addresses.
 */
export class AssetChannel {
  readonly chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
  readonly ledger: SimulatedCounterpartyLedger;
  readonly payer: Party;
  readonly payee: Party;
  readonly spendSecret: Uint8Array;
  readonly depositScript: Uint8Array;
  readonly depositAddress: string;
  readonly budget: AssetChannelBudget;
  readonly quantity: bigint;
  readonly expireTime: number;
  readonly delayTime: number;
  readonly payerFeeRate: number;
  readonly payeeFeeRate: number;
  deposit: DepositOutput = { outpoint: { txid: '', vout: 0 }, value: 0n };
  /** BTC the payer's wallet spent on the deposit output and its fee. */
  depositFee = 0n;

  constructor(readonly options: AssetChannelOptions = {}) {
    this.payer = party('asset channel payer');
    this.payee = party('asset channel payee');
    this.spendSecret = options.spendSecret ?? new Uint8Array(32).fill(0x5e);
    this.quantity = options.quantity ?? 600n;
    this.expireTime = options.expireTime ?? 20;
    this.delayTime = options.delayTime ?? 4;
    this.payerFeeRate = options.payerFeeRate ?? 2;
    this.payeeFeeRate = options.payeeFeeRate ?? 2;
    this.depositScript = buildDepositScript({
      payerPubkey: this.payer.publicKey,
      payeePubkey: this.payee.publicKey,
      spendSecretHash: hash160(this.spendSecret),
      expireTime: this.expireTime,
    });
    this.depositAddress = outputScriptAddress(p2shOutputScript(this.depositScript), 'regtest')!;
    this.ledger = new SimulatedCounterpartyLedger({
      chain: this.chain,
      allocations: [
        { address: this.payer.address, asset: TERMS.asset, quantity: options.allocation ?? 1_000n },
      ],
    });
    this.budget = assetChannelBudget({
      depositScript: this.depositScript,
      delayTime: this.delayTime,
      payerDestination: this.payer.p2pkh,
      payerFeeRate: this.payerFeeRate,
      payee: { destination: this.payee.p2pkh, feeRate: this.payeeFeeRate },
      terms: TERMS,
    });
  }

  /** Funds the payer's asset address with BTC and confirms the deposit of the asset. */
  async open(): Promise<string> {
    const coin = await fund(this.chain, this.payer.p2pkh, 200_000n);
    const btcValue = this.budget.depositValue + (this.options.extraBtc ?? 0n);
    const deposit = buildAssetDepositTransaction({
      coins: [
        {
          outpoint: { txid: coin.txid, vout: coin.vout },
          value: coin.value,
          script: coin.script,
          previousTx: coin.rawTx,
        },
      ],
      depositScript: this.depositScript,
      quantity: this.quantity,
      btcValue,
      terms: TERMS,
      changeScript: this.payer.p2pkh,
      feeRate: this.payerFeeRate,
      privateKey: this.payer.privateKey,
    });
    this.chain.submit(deposit.rawTx);
    this.chain.mine();
    this.deposit = { outpoint: deposit.depositOutpoint, value: btcValue };
    this.depositFee = deposit.fee;
    return deposit.txid;
  }

  /** The commit script of the revoke secret. */
  commitScript(revokeSecret: Uint8Array): Uint8Array {
    return buildCommitScript({
      payerPubkey: this.payer.publicKey,
      payeePubkey: this.payee.publicKey,
      spendSecretHash: hash160(this.spendSecret),
      revokeSecretHash: hash160(revokeSecret),
      delayTime: this.delayTime,
    });
  }

  /** The payer's half-signed commit for a cumulative amount. */
  signCommit(amount: bigint, revokeSecret: Uint8Array) {
    const commitScript = this.commitScript(revokeSecret);
    const commit = createAssetCommit({
      deposit: this.deposit,
      depositScript: this.depositScript,
      commitScript,
      amount,
      commitValue: this.budget.commitValue,
      feeRate: this.payerFeeRate,
      payerPrivateKey: this.payer.privateKey,
      terms: TERMS,
    });
    return { ...commit, commitScript };
  }

  /** The payee's full check of a commit against the revoke hashes it issued. */
  verify(rawTx: Uint8Array, commitScript: Uint8Array, amount: bigint, issued: Uint8Array[]) {
    return verifyAssetCommit(rawTx, commitScript, amount, {
      deposit: this.deposit,
      depositScript: this.depositScript,
      delayTime: this.delayTime,
      issuedRevokeHashes: issued.map((secret) => hash160(secret)),
      minFeeRate: 1,
      terms: TERMS,
      depositQuantity: this.quantity,
      minCommitValue: this.budget.commitValue,
    });
  }

  /** The address of a commit script's P2SH output. */
  commitAddress(commitScript: Uint8Array): string {
    return outputScriptAddress(p2shOutputScript(commitScript), 'regtest')!;
  }

  /** The asset balance of an address. */
  balance(address: string): Promise<bigint> {
    return this.ledger.getBalance(address, TERMS.asset);
  }

  /** How the ledger judged a transaction (`valid` or the reason it moved nothing). */
  async status(txid: string): Promise<string | undefined> {
    return (await this.ledger.getTransaction(txid))?.status;
  }
}

/** A deterministic 32-byte secret. */
export function secret(n: number): Uint8Array {
  return new Uint8Array(32).fill(n & 0xff);
}
