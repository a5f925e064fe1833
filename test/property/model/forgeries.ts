import { bytesToHex, hexToBytes } from '../../../src/bytes.js';
import { parseAmount } from '../../../src/messages/amount.js';
import { MESSAGE_PROTOCOL } from '../../../src/messages/schema.js';
import { buildCommitScript } from '../../../src/scripts/commit-script.js';
import { hash160 } from '../../../src/scripts/hash.js';
import {
  buildUnlockingScript,
  parseUnlockingScript,
} from '../../../src/scripts/unlocking-scripts.js';
import { commitCapacity, createCommit } from '../../../src/transactions/commit-transaction.js';
import { publicKeyOf } from '../../../src/transactions/keys.js';
import {
  PAYEE_SIGNATURE_PLACEHOLDER,
  signP2shInput,
} from '../../../src/transactions/p2sh-signing.js';
import {
  type TxData,
  decodeTransaction,
  encodeTransaction,
  withScriptSig,
} from '../../../src/transactions/raw-transaction.js';
import { testPrivateKey } from '../../support/channel-harness.js';
import { PAYER_DESTINATION, PAYER_KEY, type World } from './world.js';

/** What a dishonest payer sends instead of an honest commit (PROTOCOL.md §6 acceptance rules). */
export const FORGERIES = [
  'garbage',
  'schema',
  'wrong-channel',
  'underfunded',
  'decreasing',
  'wrong-key',
  'bad-signature',
  'unissued-hash',
  'wrong-delay',
  'over-claim',
  'beyond-capacity',
  'remainder-elsewhere',
  'unsigned',
] as const;
export type Forgery = (typeof FORGERIES)[number];

const OTHER_KEY = testPrivateKey(9);

function commitText(channelId: string, amount: bigint, commitScript: Uint8Array, tx: Uint8Array) {
  return JSON.stringify({
    protocol: MESSAGE_PROTOCOL,
    channelId,
    type: 'commit',
    amount: amount.toString(),
    commitScript: bytesToHex(commitScript),
    commitTx: bytesToHex(tx),
  });
}

/** Re-signs the commit input of `tx` as the payer with `key` (the payee slot keeps its placeholder). */
function resign(tx: TxData, depositScript: Uint8Array, key: Uint8Array): Uint8Array {
  const payerSignature = signP2shInput(tx, 0, depositScript, key);
  const scriptSig = buildUnlockingScript({
    kind: 'commit',
    payerSignature,
    payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
    depositScript,
  });
  return encodeTransaction(withScriptSig(tx, 0, scriptSig));
}

/**
 * Builds the message text of a forged commit against the payee's current state, or null when the
 * forgery makes no sense now (no confirmed deposit, nothing to decrease from).
 */
export function forgeCommit(w: World, kind: Forgery, delta: number): string | null {
  const payee = w.payee;
  if (!payee || payee.done) return null;
  const ctx = payee.context;
  if (!ctx.deposit || ctx.deposit.confirmedHeight === null || ctx.delayTime === null) return null;
  if (kind === 'garbage') return `{"protocol":"${MESSAGE_PROTOCOL}","type":"commit",${delta}`;
  if (kind === 'schema')
    return JSON.stringify({
      protocol: MESSAGE_PROTOCOL,
      channelId: ctx.channelId,
      type: 'commit',
      amount: -delta,
    });
  const depositScript = hexToBytes(ctx.depositScript!);
  const deposit = {
    outpoint: { txid: ctx.deposit.txid, vout: ctx.deposit.vout },
    value: parseAmount(ctx.deposit.value),
  };
  const issued = ctx.requestedRevokes.at(-1)?.hash;
  const unissued = bytesToHex(hash160(Uint8Array.of(delta & 0xff, 0x5a)));
  const scriptFor = (revokeHash: string, delayTime = ctx.delayTime!) =>
    buildCommitScript({
      payerPubkey: publicKeyOf(PAYER_KEY),
      payeePubkey: hexToBytes(ctx.payeePubkey),
      spendSecretHash: hexToBytes(ctx.spendSecretHash),
      revokeSecretHash: hexToBytes(revokeHash),
      delayTime,
    });
  const revokeHash = kind === 'unissued-hash' || !issued ? unissued : issued;
  const commitScript = scriptFor(
    revokeHash,
    kind === 'wrong-delay' ? ctx.delayTime + 1 : ctx.delayTime,
  );
  const feeRate = w.params.payerFeeRate;
  const capacity = commitCapacity(deposit, depositScript, commitScript, feeRate);
  const transferred = ctx.activeCommits.reduce((m, c) => {
    const a = parseAmount(c.amount);
    return a > m ? a : m;
  }, 0n);
  let amount = transferred + 600n + BigInt(delta);
  if (kind === 'decreasing') amount = transferred - BigInt(delta % 3) * 100n;
  if (amount > capacity.maxAmount) amount = capacity.maxAmount;
  if (amount < capacity.minAmount) return null;
  if (kind !== 'decreasing' && amount <= transferred) return null;
  const make = (q: bigint, rate = feeRate, script = commitScript) =>
    createCommit({
      deposit,
      depositScript,
      commitScript: script,
      amount: q,
      feeRate: rate,
      payerPrivateKey: PAYER_KEY,
    });
  const channelId = ctx.channelId;
  switch (kind) {
    case 'wrong-channel':
      return commitText('another-channel', amount, commitScript, make(amount).rawTx);
    case 'underfunded': {
      const rate = Math.max(0, w.params.payeeMinFeeRate / 2 - 0.25);
      const commit = make(amount, rate);
      // Near capacity the remainder would be dust: it goes to the fee, which then meets the
      // floor after all, so the commit is honest and this forgery does not apply.
      if (commit.remainder === 0n) return null;
      return commitText(channelId, amount, commitScript, commit.rawTx);
    }
    case 'decreasing':
    case 'unissued-hash':
    case 'wrong-delay':
      return commitText(channelId, amount, commitScript, make(amount).rawTx);
    case 'wrong-key': {
      const tx = decodeTransaction(make(amount).rawTx);
      return commitText(channelId, amount, commitScript, resign(tx, depositScript, OTHER_KEY));
    }
    case 'bad-signature': {
      // A valid signature, but of another transaction (the next amount up).
      if (amount + 1n > capacity.maxAmount) amount -= 1n;
      const tx = decodeTransaction(make(amount).rawTx);
      const other = decodeTransaction(make(amount + 1n).rawTx);
      const foreign = parseUnlockingScript(other.inputs[0]!.scriptSig);
      if (foreign.kind !== 'commit') return null;
      const scriptSig = buildUnlockingScript({
        kind: 'commit',
        payerSignature: foreign.payerSignature,
        payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
        depositScript,
      });
      return commitText(
        channelId,
        amount,
        commitScript,
        encodeTransaction(withScriptSig(tx, 0, scriptSig)),
      );
    }
    case 'over-claim':
      return commitText(channelId, amount + 1n, commitScript, make(amount).rawTx);
    case 'beyond-capacity': {
      const tx = decodeTransaction(make(amount).rawTx);
      const outputs = tx.outputs.map((o, i) => (i === 0 ? { ...o, value: deposit.value } : o));
      return commitText(
        channelId,
        deposit.value,
        commitScript,
        resign({ ...tx, outputs }, depositScript, PAYER_KEY),
      );
    }
    case 'remainder-elsewhere': {
      const tx = decodeTransaction(make(amount).rawTx);
      if (tx.outputs.length < 2) return null;
      const outputs = tx.outputs.map((o, i) => (i === 1 ? { ...o, script: PAYER_DESTINATION } : o));
      return commitText(
        channelId,
        amount,
        commitScript,
        resign({ ...tx, outputs }, depositScript, PAYER_KEY),
      );
    }
    case 'unsigned': {
      const tx = decodeTransaction(make(amount).rawTx);
      return commitText(
        channelId,
        amount,
        commitScript,
        encodeTransaction(withScriptSig(tx, 0, new Uint8Array())),
      );
    }
  }
}
