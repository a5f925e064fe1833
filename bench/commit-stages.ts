/**
 * The stages of payee commit acceptance timed one by one, to show where the time goes between
 * one raw verification and the full `checkCommit` guard.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '../src/bytes.js';
import { deriveRevokeSecret } from '../src/machines/revoke-secrets.js';
import { commitBelongsToDeposit, parseCommitScript } from '../src/scripts/commit-script.js';
import { parseDepositScript } from '../src/scripts/deposit-script.js';
import { p2shOutputScript } from '../src/scripts/p2sh.js';
import { buildUnlockingScript, parseUnlockingScript } from '../src/scripts/unlocking-scripts.js';
import { MAX_SIZE_SIGNATURE } from '../src/transactions/p2sh-signing.js';
import {
  decodeTransaction,
  virtualSizeOf,
  withScriptSig,
} from '../src/transactions/raw-transaction.js';
import { assertSignatureEncoding, legacySighash } from '../src/transactions/signatures.js';
import type { CommitFixture } from './fixtures.js';
import type { Benchmark } from './harness.js';

function loop(name: string, body: () => void): Benchmark<void> {
  return {
    name,
    run: (n) => {
      for (let i = 0; i < n; i++) body();
    },
  };
}

/** One benchmark per stage of `checkCommit`, in the order the guard runs them. */
export function commitStageBenchmarks(fixture: CommitFixture): Benchmark<void>[] {
  const message = fixture.commits[0]!;
  const context = fixture.payeeContext;
  const rawTx = hexToBytes(message.commitTx);
  const commitScript = hexToBytes(message.commitScript);
  const depositScript = hexToBytes(context.depositScript!);
  const tx = decodeTransaction(rawTx);
  const spend = parseUnlockingScript(tx.inputs[0]!.scriptSig);
  if (spend.kind !== 'commit') throw new Error('fixture commit is not a commit spend');
  const sighash = legacySighash(tx, 0, depositScript);
  const payerPubkey = parseDepositScript(depositScript).payerPubkey;
  const der = spend.payerSignature.subarray(0, spend.payerSignature.length - 1);
  const options = { prehash: false, lowS: true, format: 'der' } as const;
  return [
    loop('hex to bytes (tx, scripts, issued hashes)', () => {
      hexToBytes(message.commitTx);
      hexToBytes(message.commitScript);
      hexToBytes(context.depositScript!);
      for (const r of context.requestedRevokes) hexToBytes(r.hash);
    }),
    loop('decode transaction', () => decodeTransaction(rawTx)),
    loop('parse deposit script', () => parseDepositScript(depositScript)),
    loop('parse scriptSig (unlocking script)', () => parseUnlockingScript(tx.inputs[0]!.scriptSig)),
    loop('parse commit script + belongs to deposit', () => {
      parseCommitScript(commitScript);
      commitBelongsToDeposit(commitScript, depositScript);
    }),
    loop('P2SH output scripts (3x HASH160)', () => {
      p2shOutputScript(depositScript);
      p2shOutputScript(commitScript);
      p2shOutputScript(depositScript);
    }),
    loop('completed size (build scriptSig, encode twice)', () =>
      virtualSizeOf(
        withScriptSig(
          tx,
          0,
          buildUnlockingScript({ ...spend, payeeSignature: MAX_SIZE_SIGNATURE }),
        ),
      ),
    ),
    loop('legacy sighash', () => legacySighash(tx, 0, depositScript)),
    loop('DER / low-S / SIGHASH_ALL checks', () =>
      assertSignatureEncoding(spend.payerSignature, 'payer signature'),
    ),
    loop('secp256k1.verify of the payer signature', () => {
      secp256k1.verify(der, sighash, payerPubkey, options);
    }),
    loop('machine: next revoke hash (HMAC + HASH160)', () =>
      deriveRevokeSecret(context.revokeSeed, context.revokeCounter),
    ),
  ];
}
