import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { bytesToHex } from '../../src/bytes.js';
import { type ChannelMessage, MAX_AMOUNT } from '../../src/messages/index.js';
import { buildCommitScript, buildDepositScript } from '../../src/scripts/index.js';

const ORDER = secp256k1.Point.Fn.ORDER;

/** A real compressed public key from a random scalar. */
export const pubkeyArb: fc.Arbitrary<Uint8Array> = fc
  .bigInt({ min: 1n, max: ORDER - 1n })
  .map((scalar) => {
    const secret = new Uint8Array(32);
    let rest = scalar;
    for (let i = 31; i >= 0; i--) {
      secret[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    return secp256k1.getPublicKey(secret, true);
  });

/** Two distinct public keys (payer, payee). */
const keyPairArb = fc
  .tuple(pubkeyArb, pubkeyArb)
  .filter(([a, b]) => bytesToHex(a) !== bytesToHex(b));

const bytesArb = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const hexArb = (length: number) => bytesArb(length).map(bytesToHex);
const timeArb = fc.integer({ min: 0, max: 65535 });
const rangeArb = fc
  .tuple(timeArb, timeArb)
  .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
const amountArb = fc.bigInt({ min: 0n, max: MAX_AMOUNT }).map((v) => v.toString());
const base = {
  protocol: fc.constant('picopayments/1' as const),
  channelId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
};

/** Valid `offer` messages. */
export const offerArb = fc.record({
  ...base,
  type: fc.constant('offer' as const),
  payeePubkey: pubkeyArb.map(bytesToHex),
  spendSecretHash: hexArb(20),
  expireTime: rangeArb,
  delayTime: rangeArb,
  minFeeRate: fc.oneof(
    fc.integer({ min: 0, max: 1_000_000 }),
    fc.double({ min: 0, max: 1_000_000, noNaN: true }),
  ),
  network: fc.constantFrom('mainnet' as const, 'testnet' as const, 'regtest' as const),
});

/** Valid `deposit` messages with real deposit scripts. */
export const depositArb = fc
  .record({
    channelId: base.channelId,
    keys: keyPairArb,
    spendSecretHash: bytesArb(20),
    expireTime: timeArb,
    delayTime: timeArb,
  })
  .map(({ channelId, keys: [payer, payee], spendSecretHash, expireTime, delayTime }) => ({
    protocol: 'picopayments/1' as const,
    type: 'deposit' as const,
    channelId,
    payerPubkey: bytesToHex(payer),
    depositScript: bytesToHex(
      buildDepositScript({ payerPubkey: payer, payeePubkey: payee, spendSecretHash, expireTime }),
    ),
    delayTime,
  }));

/** Valid `deposit-funded` messages. */
export const depositFundedArb = fc.record({
  ...base,
  type: fc.constant('deposit-funded' as const),
  outpoint: fc.record({ txid: hexArb(32), vout: fc.integer({ min: 0, max: 0xffffffff }) }),
  value: amountArb,
});

/** Valid `revoke-hash` messages. */
export const revokeHashArb = fc.record({
  ...base,
  type: fc.constant('revoke-hash' as const),
  revokeSecretHash: hexArb(20),
});

/** Valid `commit` messages with real commit scripts. */
export const commitArb = fc
  .record({
    channelId: base.channelId,
    amount: amountArb,
    keys: keyPairArb,
    spendSecretHash: bytesArb(20),
    revokeSecretHash: bytesArb(20),
    delayTime: timeArb,
    commitTx: fc.uint8Array({ minLength: 1, maxLength: 300 }).map(bytesToHex),
  })
  .map(({ channelId, amount, keys: [payer, payee], commitTx, ...script }) => ({
    protocol: 'picopayments/1' as const,
    type: 'commit' as const,
    channelId,
    amount,
    commitScript: bytesToHex(
      buildCommitScript({ payerPubkey: payer, payeePubkey: payee, ...script }),
    ),
    commitTx,
  }));

/** Valid `revoke-secrets` messages. */
export const revokeSecretsArb = fc.record({
  ...base,
  type: fc.constant('revoke-secrets' as const),
  secrets: fc.uniqueArray(hexArb(32), { minLength: 1, maxLength: 40 }),
});

/** Valid `close` messages. */
export const closeArb = fc.record({
  ...base,
  type: fc.constant('close' as const),
  reason: fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => s.length <= 200),
});

/** A valid message of any type. */
export const channelMessageArb: fc.Arbitrary<ChannelMessage> = fc.oneof(
  offerArb,
  depositArb,
  depositFundedArb,
  revokeHashArb,
  commitArb,
  revokeSecretsArb,
  closeArb,
);
