import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { CoreRpcClient } from '../../src/chain/bitcoin-core/rpc-client.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { buildDepositScript } from '../../src/scripts/deposit-script.js';
import {
  CoreRpcCoinScanner,
  WalletError,
  createWallet,
  newMnemonic,
  openWallet,
} from '../../src/wallet/index.js';

const kdf = { N: 1024, r: 8, p: 1 };
const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

let dir: string;
let node: Simnet;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-wallet-'));
  node = await startSimnet({ datadir: dir });
});
afterAll(async () => {
  await node.close();
  await rm(dir, { recursive: true, force: true });
});

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WalletError);
  expect((error as WalletError).code).toBe(code);
}

describe('wallet file', () => {
  it('round-trips, refuses a wrong passphrase, never overwrites, leaves no temp files', async () => {
    const path = join(dir, 'a.wallet');
    const w = await createWallet({
      path,
      passphrase: 'pw',
      kdf,
      mnemonic: MNEMONIC,
      network: 'regtest',
    });
    const first = await w.newAddress();
    expect(first.address).toMatch(/^bcrt1q/);
    // BIP84 test vector of the all-"abandon" mnemonic on testnet-type coin 1.
    expect(first.path).toBe("m/84'/1'/0'/0/0");
    const again = await openWallet({ path, passphrase: 'pw' });
    expect(again.state.nextReceive).toBe(1);
    expect(again.address(0)).toBe(first.address);
    await expectCode(openWallet({ path, passphrase: 'wrong' }), 'WALLET_WRONG_PASSPHRASE');
    await expectCode(
      createWallet({ path, passphrase: 'pw', kdf, mnemonic: MNEMONIC, network: 'regtest' }),
      'WALLET_EXISTS',
    );
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await readFile(path, 'utf8')).not.toContain('abandon');
  });

  it('rejects bad mnemonics, missing, truncated, tampered and hostile files', async () => {
    await expectCode(
      createWallet({
        path: join(dir, 'b'),
        passphrase: 'pw',
        kdf,
        mnemonic: 'abandon '.repeat(12),
        network: 'regtest',
      }),
      'WALLET_BAD_MNEMONIC',
    );
    await expectCode(openWallet({ path: join(dir, 'none'), passphrase: 'pw' }), 'WALLET_NOT_FOUND');
    const path = join(dir, 'c.wallet');
    await createWallet({
      path,
      passphrase: 'pw',
      kdf,
      mnemonic: newMnemonic(),
      network: 'regtest',
    });
    const text = await readFile(path, 'utf8');
    const bad = join(dir, 'bad.wallet');
    for (const variant of [
      text.slice(0, text.length / 2),
      '{}',
      'null',
      JSON.stringify({ ...JSON.parse(text), body: Buffer.from('x'.repeat(80)).toString('base64') }),
      JSON.stringify({
        ...JSON.parse(text),
        header:
          '{"format":"picopayments-store-encryption","version":1,"kdf":{"name":"scrypt","salt":"00","N":1073741824,"r":8,"p":1}}',
      }),
      'x'.repeat(2_000_000),
    ]) {
      await writeFile(bad, variant);
      await expectCode(openWallet({ path: bad, passphrase: 'pw' }), 'WALLET_CORRUPT');
    }
  });
});

describe('wallet on the simnet', () => {
  it('finds its coins, hands out fresh channel keys, funds a deposit with change', async () => {
    const auth = { cookieFile: node.cookieFile };
    const chain = new BitcoinCoreChain({ url: node.url, auth });
    const scanner = new CoreRpcCoinScanner(new CoreRpcClient({ url: node.url, auth }));
    const path = join(dir, 'd.wallet');
    const w = await createWallet({
      path,
      passphrase: 'pw',
      kdf,
      mnemonic: newMnemonic(),
      network: 'regtest',
      chain,
    });
    const { address } = await w.newAddress();
    const rpc = new CoreRpcClient({ url: node.url, auth });
    await rpc.call('faucet', [address, 0.5]);
    await rpc.call('faucet', [w.address(3), 0.25]);
    await w.refresh(scanner, chain);
    expect(w.balance()).toBe(75_000_000n);
    const k1 = await w.nextChannelKey();
    const k2 = await w.nextChannelKey();
    expect(k1.path).not.toBe(k2.path);
    expect(Buffer.compare(k1.privateKey, k2.privateKey)).not.toBe(0);
    const script = buildDepositScript({
      payerPubkey: publicKeyOf(k1.privateKey),
      payeePubkey: publicKeyOf(k2.privateKey),
      spendSecretHash: new Uint8Array(20),
      expireTime: 10,
    });
    const deposit = await w.fundDeposit(script, 60_000_000n, 1);
    expect(await chain.getTransaction(deposit.txid)).not.toBeNull();
    await rpc.call('generatetoaddress', [1, address]);
    const reopened = await openWallet({ path, passphrase: 'pw', chain });
    await reopened.refresh(scanner, chain);
    expect(reopened.balance()).toBeLessThan(15_000_000n);
    expect(reopened.balance()).toBeGreaterThan(14_900_000n);
    expect(reopened.state.nextChannel).toBe(2);
    await expectCode(reopened.fundDeposit(script, 20_000_000n, 1), 'WALLET_INSUFFICIENT_FUNDS');
    // It keeps no Counterparty balances: an asset deposit is refused, and nothing is spent.
    const before = reopened.balance();
    await expectCode(
      reopened.fundDeposit(script, 10_000n, 1, { asset: 'XCP', quantity: 5n }),
      'WALLET_ASSET_UNSUPPORTED',
    );
    expect(reopened.balance()).toBe(before);
  });
});
