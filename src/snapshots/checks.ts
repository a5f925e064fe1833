import { bytesToHex, equalBytes, hexToBytes } from '../bytes.js';
import { PicopaymentsError } from '../errors.js';
import { assetId } from '../counterparty/assets.js';
import type { ChannelAsset, DepositRecord, Watches } from '../machines/context.js';
import type { OutpointRef } from '../machines/effects.js';
import { parseAmount } from '../messages/amount.js';
import { buildCommitScript } from '../scripts/commit-script.js';
import { buildDepositScript } from '../scripts/deposit-script.js';
import { hash160 } from '../scripts/hash.js';
import { assertCompressedPubkey } from '../scripts/keys.js';
import { verifyAssetCommit } from '../transactions/asset-commit.js';
import type { AssetTerms } from '../transactions/asset-terms.js';
import { verifyPayerCommit } from '../transactions/commit-transaction.js';
import { publicKeyOf } from '../transactions/keys.js';
import { type TxData, decodeTransaction, transactionId } from '../transactions/raw-transaction.js';
export { canonicalSpendEncoding } from '../transactions/canonical-encoding.js';
import { SnapshotError, type SnapshotErrorCode } from './errors.js';

/**
 * Building blocks of the semantic checks of both roles. Each takes the JSON Pointer of the
 * field it looks at and throws a {@link SnapshotError} naming it.
 *
 * @module
 */

/** JSON Pointer of the machine context inside the envelope. */
export const CONTEXT_PATH = '/machine/context';

/** Throws a {@link SnapshotError}. */
export function refuse(code: SnapshotErrorCode, message: string, path: string): never {
  throw new SnapshotError(code, message, path);
}

/** Runs a lower-layer validator, turning its typed error into `code` at `path`. */
export function guarded<T>(code: SnapshotErrorCode, path: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SnapshotError || !(error instanceof PicopaymentsError)) throw error;
    throw new SnapshotError(code, error.message, path);
  }
}

/** A public key on secp256k1. */
export function pubkeyAt(hex: string, path: string): Uint8Array {
  const key = hexToBytes(hex);
  guarded('SNAPSHOT_KEY_MISMATCH', path, () => assertCompressedPubkey(key));
  return key;
}

/** A private key and the public key stored beside it, which must be its own. */
export function keyPairAt(
  privateHex: string,
  publicHex: string,
  privatePath: string,
  publicPath: string,
): Uint8Array {
  const derived = guarded('SNAPSHOT_KEY_MISMATCH', privatePath, () =>
    publicKeyOf(hexToBytes(privateHex)),
  );
  const stored = pubkeyAt(publicHex, publicPath);
  if (!equalBytes(derived, stored)) {
    refuse('SNAPSHOT_KEY_MISMATCH', 'is not the public key of the private key', publicPath);
  }
  return stored;
}

/** The two parties' keys differ (a 2-of-2 with one key twice is signed by one party alone). */
export function distinctKeys(payer: Uint8Array, payee: Uint8Array, path: string): void {
  if (equalBytes(payer, payee))
    refuse('SNAPSHOT_KEY_MISMATCH', 'payer and payee keys are equal', path);
}

/** `secret` hashes (HASH160) to `hash`. */
export function secretMatches(secret: string, hash: string, path: string): void {
  if (bytesToHex(hash160(hexToBytes(secret))) !== hash) {
    refuse('SNAPSHOT_SECRET_MISMATCH', 'secret does not hash to its hash', path);
  }
}

/** The agreed terms a deposit and its commits are built from. */
export interface ChannelTerms {
  readonly payerPubkey: Uint8Array;
  readonly payeePubkey: Uint8Array;
  readonly spendSecretHash: string;
  readonly expireTime: number;
  readonly delayTime: number;
  readonly depositScript: string;
  /** Asset mode: the asset terms, the deposit's quantity and the BTC of every commit output. */
  readonly asset?: {
    readonly terms: AssetTerms;
    readonly quantity: bigint;
    readonly commitValue: bigint;
  };
}

/**
 * The asset part of a context's {@link ChannelTerms}: none for a BTC channel.
 *
 * @throws {@link SnapshotError} `SNAPSHOT_FIELD_INVALID` for an asset name with no id.
 */
export function assetTermsAt(context: {
  readonly network: AssetTerms['network'];
  readonly asset?: ChannelAsset;
}): Pick<ChannelTerms, 'asset'> {
  const asset = context.asset;
  if (!asset) return {};
  guarded('SNAPSHOT_FIELD_INVALID', `${CONTEXT_PATH}/asset/asset`, () => {
    if (assetId(asset.asset) === 0n) throw new Error('BTC is not an asset');
  });
  return {
    asset: {
      terms: { asset: asset.asset, network: context.network },
      quantity: parseAmount(asset.quantity),
      commitValue: parseAmount(asset.commitValue),
    },
  };
}

/** What commits of the channel may transfer at most: the deposit's value, or its asset units. */
export function channelCapacity(terms: ChannelTerms, deposit: DepositRecord): bigint {
  return terms.asset ? terms.asset.quantity : parseAmount(deposit.value);
}

/** The deposit script is exactly the one built from the keys, spend secret hash and expire time. */
export function depositScriptMatches(terms: ChannelTerms, path: string): void {
  const expected = guarded('SNAPSHOT_SCRIPT_MISMATCH', path, () =>
    buildDepositScript({
      payerPubkey: terms.payerPubkey,
      payeePubkey: terms.payeePubkey,
      spendSecretHash: hexToBytes(terms.spendSecretHash),
      expireTime: terms.expireTime,
    }),
  );
  if (bytesToHex(expected) !== terms.depositScript) {
    refuse('SNAPSHOT_SCRIPT_MISMATCH', 'is not the deposit script of the channel terms', path);
  }
}

/** The commit script is exactly the one built from the terms and its revoke secret hash. */
export function commitScriptMatches(
  terms: ChannelTerms,
  commitScript: string,
  revokeSecretHash: string,
  path: string,
): void {
  const expected = guarded('SNAPSHOT_SCRIPT_MISMATCH', path, () =>
    buildCommitScript({
      payerPubkey: terms.payerPubkey,
      payeePubkey: terms.payeePubkey,
      spendSecretHash: hexToBytes(terms.spendSecretHash),
      revokeSecretHash: hexToBytes(revokeSecretHash),
      delayTime: terms.delayTime,
    }),
  );
  if (bytesToHex(expected) !== commitScript) {
    refuse('SNAPSHOT_SCRIPT_MISMATCH', 'is not the commit script of the channel terms', path);
  }
}

/**
 * The commit transaction passes the payee's full check (`verifyPayerCommit`): it parses,
 * spends the deposit outpoint through the 2-of-2 branch, pays `amount` to P2SH(commit script)
 * with at most a remainder back to the deposit script, meets `minFeeRate` and carries a valid
 * payer signature. Returns the decoded transaction.
 */
export function commitTransactionValid(
  terms: ChannelTerms,
  deposit: DepositRecord,
  commit: { readonly rawTx: string; readonly commitScript: string; readonly amount: string },
  revokeSecretHash: string,
  minFeeRate: number,
  path: string,
): TxData {
  guarded('SNAPSHOT_COMMIT_INVALID', path, () => {
    const expect = {
      deposit: {
        outpoint: { txid: deposit.txid, vout: deposit.vout },
        value: parseAmount(deposit.value),
      },
      depositScript: hexToBytes(terms.depositScript),
      delayTime: terms.delayTime,
      issuedRevokeHashes: [hexToBytes(revokeSecretHash)],
      minFeeRate,
    };
    const args = [
      hexToBytes(commit.rawTx),
      hexToBytes(commit.commitScript),
      parseAmount(commit.amount),
    ] as const;
    const asset = terms.asset;
    return asset
      ? verifyAssetCommit(...args, {
          ...expect,
          terms: asset.terms,
          depositQuantity: asset.quantity,
          minCommitValue: asset.commitValue,
        })
      : verifyPayerCommit(...args, expect);
  });
  return decodeTransaction(hexToBytes(commit.rawTx));
}

/** A stored transaction parses and has the stored txid. */
export function transactionWithId(
  record: { readonly txid: string; readonly rawTx: string },
  code: SnapshotErrorCode,
  path: string,
): TxData {
  const tx = guarded(code, `${path}/rawTx`, () => decodeTransaction(hexToBytes(record.rawTx)));
  if (transactionId(tx) !== record.txid) {
    refuse(code, 'is not the id of rawTx', `${path}/txid`);
  }
  return tx;
}

/** True when `tx` has an input spending `outpoint`. */
export function spends(tx: TxData, outpoint: OutpointRef | null): boolean {
  return (
    outpoint !== null &&
    tx.inputs.some(
      (input) => bytesToHex(input.txid) === outpoint.txid && input.index === outpoint.vout,
    )
  );
}

/** Amounts as satoshis; every amount has passed the schema's pattern. */
export function satoshis(amount: string, path: string): bigint {
  return guarded('SNAPSHOT_AMOUNT_INCONSISTENT', path, () => parseAmount(amount));
}

/** The outpoints a watch label may name, or null when that label has nothing to watch now. */
export type WatchTargets = { readonly [label: string]: OutpointRef | null };

function sameOutpoint(a: OutpointRef, b: OutpointRef | null): boolean {
  return b !== null && a.txid === b.txid && a.vout === b.vout;
}

/**
 * The watches are exactly those the records call for: each names the output or transaction
 * its label stands for, once, and none is missing (a party that stopped watching its deposit
 * or a published commit could not react to a revoked commit or a payout).
 */
export function watchesMatch(
  watches: Watches,
  outpoints: WatchTargets,
  depositTxid: string | null,
  path: string,
): void {
  const seen = new Set<string>();
  watches.outpoints.forEach((watch, i) => {
    const target = Object.hasOwn(outpoints, watch.label) ? outpoints[watch.label]! : null;
    if (!sameOutpoint(watch.outpoint, target) || seen.has(watch.label)) {
      refuse('SNAPSHOT_FIELD_INVALID', `not the ${watch.label} output`, `${path}/outpoints/${i}`);
    }
    seen.add(watch.label);
  });
  for (const [label, target] of Object.entries(outpoints)) {
    if (target !== null && !seen.has(label)) {
      refuse('SNAPSHOT_FIELD_INVALID', `the ${label} output is not watched`, `${path}/outpoints`);
    }
  }
  watches.txids.forEach((watch, i) => {
    if (watch.label !== 'deposit' || watch.txid !== depositTxid || i > 0) {
      refuse('SNAPSHOT_FIELD_INVALID', `not the ${watch.label} transaction`, `${path}/txids/${i}`);
    }
  });
  if (depositTxid !== null && watches.txids.length === 0) {
    refuse('SNAPSHOT_FIELD_INVALID', 'the deposit transaction is not watched', `${path}/txids`);
  }
}

/** Fields that are set together: all null, or none. */
export function setTogether(values: { readonly [field: string]: unknown }, path: string): boolean {
  const entries = Object.entries(values);
  const set = entries.filter(([, v]) => v !== null);
  if (set.length !== 0 && set.length !== entries.length) {
    const missing = entries.find(([, v]) => v === null)![0];
    refuse('SNAPSHOT_FIELD_INVALID', `is null while ${set[0]![0]} is set`, `${path}/${missing}`);
  }
  return set.length > 0;
}
