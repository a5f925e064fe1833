import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import {
  type AssetTerms,
  assetSendOutputs,
  buildAssetChangeTransaction,
  buildAssetExpireTransaction,
  buildAssetPayoutTransaction,
  buildAssetRevokeTransaction,
  decodeCounterpartyTransaction,
} from '../../src/counterparty/index.js';
import { p2shOutputScript } from '../../src/scripts/index.js';
import { type TxData, decodeTransaction, privateKeyFromWif } from '../../src/transactions/index.js';
import { vectors } from '../support/vectors.js';

/** The reference channels carry this numeric asset on testnet. */
const TERMS: AssetTerms = { asset: 'A14456548018133352000', network: 'testnet' };
const tx = (hex: string) => decodeTransaction(hexToBytes(hex));
const txidOf = (data: TxData, input = 0) => bytesToHex(data.inputs[input]!.txid);

/**
 * Interoperability with the reference implementation's asset channels: its transactions have
 * the layouts of this library's asset mode, so our payee accepts its payer's commits and our
 * recoveries send what its recoveries send.
 */
describe('asset mode against the reference vectors', () => {
  const commits = [
    ['sign.created_commit', vectors.sign.created_commit!.expected!],
    ['sign.finalize_commit', vectors.sign.finalize_commit!.expected!],
    ...Object.entries(vectors.transactions).filter(
      ([, raw]) => tx(raw).outputs.length === 3 && tx(raw).outputs[2]!.script[0] === 0xa9,
    ),
  ] as const;

  it.each(commits)('the reference commit %s has the layout of ours', (_name, raw) => {
    const data = tx(raw);
    const read = decodeCounterpartyTransaction(hexToBytes(raw), { network: 'testnet' });
    expect(read.message.type).toBe('classic');
    const [commitOut, data1, remainder] = data.outputs;
    // Our encoding of the same send, keyed by the same deposit txid, is byte for byte its data.
    const ours = assetSendOutputs(
      TERMS,
      read.message.quantity,
      commitOut!.script,
      commitOut!.value,
      txidOf(data),
    );
    expect(ours.map((o) => bytesToHex(o.script))).toEqual(
      [commitOut!, data1!].map((o) => bytesToHex(o.script)),
    );
    // The remainder goes back to the deposit script the input spends (the last push).
    const redeem = Object.values(vectors.scripts).find((script) =>
      bytesToHex(data.inputs[0]!.scriptSig).endsWith(script),
    );
    if (redeem !== undefined) {
      expect(bytesToHex(remainder!.script)).toBe(bytesToHex(p2shOutputScript(hexToBytes(redeem))));
    }
    expect(remainder!.script[0]).toBe(0xa9);
  });

  const recoveries = ['revoke_recover', 'payout_recover', 'change_recover', 'expire_recover'];
  it.each(recoveries)('our %s sends what the reference sends, to the same output', (name) => {
    const vector = vectors.sign[name]!;
    const reference = tx(vector.expected!);
    const read = decodeCounterpartyTransaction(hexToBytes(vector.expected!), {
      network: 'testnet',
    });
    const common = {
      outpoint: { txid: txidOf(reference), vout: reference.inputs[0]!.index },
      // The reference pays a fixed 10 000 satoshi fee.
      value: reference.outputs[0]!.value + 10_000n,
      destinationScript: reference.outputs[0]!.script,
      feeRate: 1,
      privateKey: privateKeyFromWif((vector.input.payer_wif ?? vector.input.payee_wif)!),
      quantity: read.message.quantity,
      terms: TERMS,
    };
    const ours = tx(
      bytesToHex(
        (name === 'revoke_recover'
          ? buildAssetRevokeTransaction({
              ...common,
              commitScript: hexToBytes(vector.input.commit_script_hex!),
              revokeSecret: hexToBytes(vector.input.revoke_secret!),
            })
          : name === 'payout_recover'
            ? buildAssetPayoutTransaction({
                ...common,
                commitScript: hexToBytes(vector.input.commit_script_hex!),
                spendSecret: hexToBytes(vector.input.spend_secret!),
              })
            : name === 'change_recover'
              ? buildAssetChangeTransaction({
                  ...common,
                  depositScript: hexToBytes(vector.input.deposit_script_hex!),
                  spendSecret: hexToBytes(vector.input.spend_secret!),
                })
              : buildAssetExpireTransaction({
                  ...common,
                  depositScript: hexToBytes(vector.input.deposit_script_hex!),
                })
        ).rawTx,
      ),
    );
    expect(ours.outputs.map((o) => bytesToHex(o.script))).toEqual(
      reference.outputs.map((o) => bytesToHex(o.script)),
    );
    expect(ours.inputs[0]!.txid).toEqual(reference.inputs[0]!.txid);
  });
});
