import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '../../src/bytes.js';
import type {
  ChannelMessage,
  CloseMessage,
  CommitMessage,
  DepositFundedMessage,
  DepositMessage,
  OfferMessage,
  RevokeHashMessage,
  RevokeSecretsMessage,
} from '../../src/messages/index.js';
import { buildCommitScript, buildDepositScript, hash160 } from '../../src/scripts/index.js';

/** A deterministic key pair from a small scalar. */
export function keyFrom(seed: number): Uint8Array {
  const secret = new Uint8Array(32);
  secret[31] = seed;
  return secp256k1.getPublicKey(secret, true);
}

export const payerKey = keyFrom(1);
export const payeeKey = keyFrom(2);
export const otherKey = keyFrom(3);
export const spendSecretHash = hash160(new Uint8Array(32).fill(7));
export const revokeSecretHash = hash160(new Uint8Array(32).fill(9));

export const depositScriptBytes = buildDepositScript({
  payerPubkey: payerKey,
  payeePubkey: payeeKey,
  spendSecretHash,
  expireTime: 144,
});

export const commitScriptBytes = buildCommitScript({
  payerPubkey: payerKey,
  payeePubkey: payeeKey,
  spendSecretHash,
  revokeSecretHash,
  delayTime: 6,
});

const base = { protocol: 'picopayments/1', channelId: 'chan_01-A' } as const;

export const offer: OfferMessage = {
  ...base,
  type: 'offer',
  payeePubkey: bytesToHex(payeeKey),
  spendSecretHash: bytesToHex(spendSecretHash),
  expireTime: { min: 10, max: 65535 },
  delayTime: { min: 0, max: 144 },
  minFeeRate: 2.5,
  network: 'regtest',
};

export const deposit: DepositMessage = {
  ...base,
  type: 'deposit',
  payerPubkey: bytesToHex(payerKey),
  depositScript: bytesToHex(depositScriptBytes),
  delayTime: 6,
};

export const depositFunded: DepositFundedMessage = {
  ...base,
  type: 'deposit-funded',
  outpoint: { txid: 'ab'.repeat(32), vout: 4294967295 },
  value: '2100000000000000',
};

export const revokeHash: RevokeHashMessage = {
  ...base,
  type: 'revoke-hash',
  revokeSecretHash: bytesToHex(revokeSecretHash),
};

export const commit: CommitMessage = {
  ...base,
  type: 'commit',
  amount: '0',
  commitScript: bytesToHex(commitScriptBytes),
  commitTx: `02000000${'00'.repeat(60)}`,
};

export const revokeSecrets: RevokeSecretsMessage = {
  ...base,
  type: 'revoke-secrets',
  secrets: ['11'.repeat(32), '22'.repeat(32)],
};

export const close: CloseMessage = { ...base, type: 'close', reason: 'deposit expires soon' };

/** One valid message of every type. */
export const validMessages: readonly ChannelMessage[] = [
  offer,
  deposit,
  depositFunded,
  revokeHash,
  commit,
  revokeSecrets,
  close,
];
