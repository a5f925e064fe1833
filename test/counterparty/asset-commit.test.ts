import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import {
  type AssetTerms,
  assetSendOutputs,
  buildAssetDepositTransaction,
  buildAssetPayoutTransaction,
  createAssetCommit,
  encodeCounterpartySend,
  minAssetSpendValue,
  opReturnScript,
} from '../../src/counterparty/index.js';
import { buildUnlockingScript, p2shOutputScript } from '../../src/scripts/index.js';
import {
  FINAL_SEQUENCE,
  PAYEE_SIGNATURE_PLACEHOLDER,
  TransactionError,
  type TxData,
  type TxOutput,
  decodeTransaction,
  encodeTransaction,
  signP2shInput,
  withScriptSig,
} from '../../src/transactions/index.js';
import { propertyConfig } from '../support/property-config.js';
import { AssetChannel, TERMS, secret } from './asset-channel-fixture.js';

const c = new AssetChannel();
await c.open();
const revokes = [secret(1), secret(2)];
const honest = c.signCommit(250n, revokes[0]!);
const commitOut = p2shOutputScript(honest.commitScript);
const depositOut = p2shOutputScript(c.depositScript);
const { commitValue } = c.budget;

/** A commit with any outputs, signed by the real payer key: only its layout is wrong. */
function payerSigned(outputs: TxOutput[], input = c.deposit.outpoint): Uint8Array {
  const unsigned: TxData = {
    version: 2,
    inputs: [
      {
        txid: hexToBytes(input.txid),
        index: input.vout,
        scriptSig: new Uint8Array(0),
        sequence: FINAL_SEQUENCE,
      },
    ],
    outputs,
    lockTime: 0,
  };
  const payerSignature = signP2shInput(unsigned, 0, c.depositScript, c.payer.privateKey);
  const scriptSig = buildUnlockingScript({
    kind: 'commit',
    payerSignature,
    payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
    depositScript: c.depositScript,
  });
  return encodeTransaction(withScriptSig(unsigned, 0, scriptSig));
}

const send = (quantity: bigint, terms: AssetTerms = TERMS, value = commitValue) =>
  assetSendOutputs(terms, quantity, commitOut, value, c.deposit.outpoint.txid);
const remainder = (value = honest.remainder): TxOutput => ({ value, script: depositOut });

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TransactionError) return error.code;
    throw error;
  }
  return 'accepted';
}

const verify = (rawTx: Uint8Array, amount = 250n) =>
  codeOf(() => c.verify(rawTx, honest.commitScript, amount, revokes));

describe('verifyAssetCommit refuses every commit that does not send what it claims', () => {
  it('accepts the honest commit', () => {
    expect(verify(honest.rawTx)).toBe('accepted');
  });

  it.each([
    ['another asset', () => [...send(250n, { ...TERMS, asset: 'XCP' }), remainder()]],
    ['less than claimed', () => [...send(25n), remainder()]],
    ['more than claimed', () => [...send(2_500n), remainder()]],
    [
      'an enhanced send',
      () => [
        { value: commitValue, script: commitOut },
        {
          value: 0n,
          script: opReturnScript(
            encodeCounterpartySend(
              {
                type: 'enhanced',
                asset: TERMS.asset,
                quantity: 250n,
                destination: c.commitAddress(honest.commitScript),
              },
              { firstInputTxid: c.deposit.outpoint.txid, network: 'regtest' },
            ),
          ),
        },
        remainder(),
      ],
    ],
    ['the OP_RETURN first', () => [send(250n)[1]!, send(250n)[0]!, remainder()]],
    ['no remainder', () => send(250n)],
    ['an extra output', () => [...send(250n), remainder(), { value: 600n, script: c.payer.p2pkh }]],
    ['a dust remainder', () => [...send(250n), remainder(100n)]],
    ['a commit output short of BTC', () => [...send(250n, TERMS, commitValue - 1n), remainder()]],
    [
      'the remainder to the payer',
      () => [...send(250n), { value: honest.remainder, script: c.payer.p2pkh }],
    ],
    [
      'data keyed by another txid',
      () => [
        ...assetSendOutputs(TERMS, 250n, commitOut, commitValue, '11'.repeat(32)),
        remainder(),
      ],
    ],
  ])('with %s', (_name, outputs) => {
    expect(verify(payerSigned(outputs()))).toBe('TX_WRONG_OUTPUTS');
  });

  it('refuses amounts outside 1..deposit and unissued revoke hashes', () => {
    const tooMuch = payerSigned([...send(c.quantity + 1n), remainder()]);
    expect(verify(tooMuch, c.quantity + 1n)).toBe('TX_AMOUNT_OUT_OF_RANGE');
    expect(verify(payerSigned([...send(1n), remainder()]), 0n)).toBe('TX_AMOUNT_OUT_OF_RANGE');
    expect(codeOf(() => c.verify(honest.rawTx, honest.commitScript, 250n, [secret(9)]))).toBe(
      'TX_BAD_SCRIPT',
    );
  });

  it('refuses a foreign input, a bad signature, a low fee and truncated bytes', () => {
    const other = { txid: 'ab'.repeat(32), vout: 0 };
    expect(verify(payerSigned([...send(250n), remainder()], other))).toBe('TX_WRONG_INPUT');
    const tx = decodeTransaction(honest.rawTx);
    const tampered = encodeTransaction({
      ...tx,
      outputs: [tx.outputs[0]!, tx.outputs[1]!, { ...tx.outputs[2]!, value: 1_000n }],
    });
    expect(verify(tampered)).toBe('TX_BAD_SIGNATURE');
    expect(verify(payerSigned([...send(250n), remainder(c.deposit.value - commitValue)]))).toBe(
      'TX_FEE_TOO_LOW',
    );
    expect(verify(honest.rawTx.subarray(0, 60))).toBe('TX_MALFORMED');
    expect(verify(new Uint8Array(0))).toBe('TX_MALFORMED');
  });

  it('property: a mutated byte is refused unless it only touched the payee slot', () => {
    const original = decodeTransaction(honest.rawTx);
    fc.assert(
      fc.property(
        fc.nat({ max: honest.rawTx.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, xor) => {
          const mutated = honest.rawTx.slice();
          mutated[at]! ^= xor;
          let accepted = false;
          try {
            c.verify(mutated, honest.commitScript, 250n, revokes);
            accepted = true;
          } catch (error) {
            expect(error).toBeInstanceOf(TransactionError);
          }
          if (accepted) {
            const tx = decodeTransaction(mutated);
            expect(tx.outputs).toEqual(original.outputs);
            expect(bytesToHex(tx.inputs[0]!.txid)).toBe(bytesToHex(original.inputs[0]!.txid));
          }
        },
      ),
      propertyConfig('asset commit byte mutations', 300),
    );
  });
});

describe('asset builders refuse bad input with typed errors', () => {
  const commitParams = {
    deposit: c.deposit,
    depositScript: c.depositScript,
    commitScript: honest.commitScript,
    amount: 10n,
    commitValue,
    feeRate: 2,
    payerPrivateKey: c.payer.privateKey,
    terms: TERMS,
  };

  it('createAssetCommit', () => {
    const run = (patch: object) => codeOf(() => createAssetCommit({ ...commitParams, ...patch }));
    expect(run({})).toBe('accepted');
    expect(run({ amount: 0n })).toBe('TX_AMOUNT_OUT_OF_RANGE');
    expect(run({ amount: 2n ** 63n })).toBe('TX_INVALID_PARAMS');
    expect(run({ terms: { ...TERMS, asset: 'BTC' } })).toBe('TX_INVALID_PARAMS');
    expect(run({ terms: { ...TERMS, asset: 'bad name' } })).toBe('TX_INVALID_PARAMS');
    expect(run({ commitValue: 10n })).toBe('TX_AMOUNT_OUT_OF_RANGE');
    expect(run({ commitValue: c.deposit.value })).toBe('TX_INSUFFICIENT_FUNDS');
    expect(run({ payerPrivateKey: c.payee.privateKey })).toBe('TX_WRONG_KEY');
    expect(run({ commitScript: c.depositScript })).toBe('TX_BAD_SCRIPT');
    expect(run({ depositScript: new Uint8Array([1, 2, 3]) })).toBe('TX_BAD_SCRIPT');
    expect(run({ feeRate: Number.NaN })).toBe('TX_INVALID_PARAMS');
    expect(run({ deposit: { ...c.deposit, outpoint: { txid: 'zz', vout: 0 } } })).toBe(
      'TX_INVALID_PARAMS',
    );
  });

  it('the asset spends', () => {
    const payout = {
      outpoint: { txid: '00'.repeat(32), vout: 0 },
      value: commitValue,
      destinationScript: c.payee.p2pkh,
      feeRate: c.payeeFeeRate,
      privateKey: c.payee.privateKey,
      commitScript: honest.commitScript,
      spendSecret: c.spendSecret,
      quantity: 250n,
      terms: TERMS,
    };
    const run = (patch: object) =>
      codeOf(() => buildAssetPayoutTransaction({ ...payout, ...patch }));
    expect(run({})).toBe('accepted');
    // The least value is exact: one satoshi less cannot pay the fee and a non-dust output.
    const least = minAssetSpendValue(
      { kind: 'payout', commitScript: honest.commitScript, spendSecret: c.spendSecret },
      c.payee.p2pkh,
      c.payeeFeeRate,
      TERMS,
    );
    expect(least).toBeLessThanOrEqual(commitValue);
    expect(run({ value: least })).toBe('accepted');
    expect(run({ value: least - 1n })).toBe('TX_INSUFFICIENT_FUNDS');
    expect(run({ value: 500n })).toBe('TX_INSUFFICIENT_FUNDS');
    expect(run({ quantity: 0n })).toBe('TX_INVALID_PARAMS');
    expect(run({ spendSecret: secret(3) })).toBe('TX_WRONG_SECRET');
    expect(run({ privateKey: c.payer.privateKey })).toBe('TX_WRONG_KEY');
    expect(run({ destinationScript: new Uint8Array([0x51]) })).toBe('TX_INVALID_PARAMS');
    expect(run({ outpoint: { txid: '00', vout: 0 } })).toBe('TX_INVALID_PARAMS');
  });

  it('buildAssetDepositTransaction', async () => {
    const coin = c.chain.listUnspent(c.payer.p2pkh)[0]!;
    const base = {
      coins: [{ outpoint: coin, value: coin.value, script: c.payer.p2pkh }],
      depositScript: c.depositScript,
      quantity: 10n,
      btcValue: 20_000n,
      terms: TERMS,
      changeScript: c.payer.p2pkh,
      feeRate: 2,
      privateKey: c.payer.privateKey,
    };
    const run = (patch: object) =>
      codeOf(() => buildAssetDepositTransaction({ ...base, ...patch }));
    expect(run({})).toBe('accepted');
    expect(run({ coins: [] })).toBe('TX_INSUFFICIENT_FUNDS');
    expect(run({ btcValue: coin.value })).toBe('TX_INSUFFICIENT_FUNDS');
    expect(run({ btcValue: 100n })).toBe('TX_AMOUNT_OUT_OF_RANGE');
    expect(run({ privateKey: c.payee.privateKey })).toBe('TX_WRONG_KEY');
    expect(run({ quantity: -1n })).toBe('TX_INVALID_PARAMS');
    expect(run({ depositScript: new Uint8Array(3) })).toBe('TX_BAD_SCRIPT');
    expect(
      run({ coins: [{ outpoint: coin, value: coin.value, script: new Uint8Array([0x51]) }] }),
    ).toBe('TX_INVALID_PARAMS');
  });
});
