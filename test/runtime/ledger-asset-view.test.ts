import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import { EsploraAddressIndex } from '../../src/chain/esplora/esplora-address-index.js';
import { ChainError } from '../../src/chain/errors.js';
import { CounterpartyCoreLedger } from '../../src/counterparty/core-rest-ledger.js';
import type { PayeeContext } from '../../src/machines/context.js';
import {
  type AssetView,
  LedgerAssetView,
  SimulatedAssetView,
} from '../../src/runtime/asset-view.js';
import { p2shOutputScript } from '../../src/scripts/p2sh.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import { ledgerResponder, serve } from '../counterparty/core-api-emulator.js';
import { TEST_ASSET, assetBalances } from '../support/asset-balances.js';
import {
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';

/**
 * The networked asset view: balances from Counterparty Core's v2 API (here its emulator over
 * the simulated ledger) and outputs and spends from Esplora's address endpoints (here the
 * simnet's), over real HTTP on loopback. A whole asset channel runs on it, and it reads every
 * channel address exactly as the embedded view does.
 */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The view over HTTP, serving the chain and ledger the channel test made. */
async function networkView(
  ...[chain, ledger]: Parameters<
    NonNullable<Parameters<typeof openTestChannel>[0]>['assetView'] & {}
  >
): Promise<{ view: AssetView; simnet: Simnet }> {
  const simnet = await startSimnet({ chain });
  const core = await serve(ledgerResponder(ledger, () => chain.height));
  closers.push(() => simnet.close(), core.close);
  const view = new LedgerAssetView(
    new CounterpartyCoreLedger({ baseUrl: core.url }),
    new EsploraAddressIndex({ baseUrl: simnet.esploraUrl }),
  );
  return { view, simnet };
}

describe('LedgerAssetView over Counterparty Core and Esplora', () => {
  it('carries an asset channel from deposit to payout and change', async () => {
    const t = await openTestChannel({
      asset: { asset: TEST_ASSET, allocation: 5_000n },
      depositAmount: 1_000n,
      assetView: async (chain, ledger) => (await networkView(chain, ledger)).view,
    });
    await settle(t);
    await mine(t, 1);
    expect(t.payee.status().state).toBe('open');
    for (const amount of [150n, 250n]) {
      await t.payer.pay(amount);
      await settle(t);
    }
    await t.payee.revokeUntil(150n);
    await settle(t);
    const transferred = t.payee.status().transferred;
    expect(transferred).toBe(150n);
    expect(t.payer.status().transferred).toBe(transferred);
    await t.payee.close();
    await settle(t);
    await mine(t, 12);
    expect(t.payee.status().outcome).toBe('paid-out');
    expect(await assetBalances(t)).toEqual({ payer: 5_000n - transferred, payee: transferred });
  }, 60_000);

  it('reads every channel address as the embedded view does', async () => {
    let embedded: AssetView | null = null;
    let network: AssetView | null = null;
    const t = await openTestChannel({
      asset: { asset: TEST_ASSET },
      depositAmount: 1_000n,
      assetView: async (chain, ledger) => {
        embedded = new SimulatedAssetView(chain, ledger);
        network = (await networkView(chain, ledger)).view;
        return embedded;
      },
    });
    await settle(t);
    await mine(t, 1);
    for (const amount of [100n, 200n, 300n]) {
      await t.payer.pay(amount);
      await settle(t);
    }
    await t.payee.revokeUntil(100n);
    await settle(t);
    await t.payee.close();
    await settle(t);
    await mine(t, 3);
    const payee = t.payee.runtime.context as PayeeContext;
    const scripts = [
      p2shOutputScript(hexToBytes(payee.depositScript!)),
      ...payee.activeCommits.map((c) => p2shOutputScript(hexToBytes(c.commitScript))),
      destinationOf(testPrivateKey(1)),
      destinationOf(testPrivateKey(2)),
    ];
    const byOutpoint = <T extends { txid: string; vout: number }>(list: T[]) =>
      [...list].sort((a, b) => `${a.txid}:${a.vout}`.localeCompare(`${b.txid}:${b.vout}`));
    for (const script of scripts) {
      const height = t.chain.height;
      const [a, b] = [embedded!, network!];
      expect(await b.balance(script, TEST_ASSET)).toBe(await a.balance(script, TEST_ASSET));
      const [readA, readB] = [
        await a.depositAddress(script, TEST_ASSET, height),
        await b.depositAddress(script, TEST_ASSET, height),
      ];
      expect(readB?.balance).toBe(readA?.balance);
      expect(byOutpoint([...(readB?.outputs ?? [])])).toEqual(
        byOutpoint([...(readA?.outputs ?? [])]),
      );
      expect(byOutpoint(await b.addressHistory(script))).toEqual(
        byOutpoint(await a.addressHistory(script)),
      );
      // A ledger behind the block is not read: the runtime asks again later.
      expect(await b.depositAddress(script, TEST_ASSET, height + 1)).toBeNull();
    }
  }, 60_000);

  it('refuses malformed answers of the address index with a typed error', async () => {
    const answers: Record<string, string> = {
      '/address/x1/utxo': '{"not":"a list"}',
      '/address/x2/utxo': '[{"txid":"zz","vout":0,"status":{"confirmed":false}}]',
      '/address/x3/utxo': `[{"txid":"${'a'.repeat(64)}","vout":-1,"status":{"confirmed":false}}]`,
      '/address/x4/utxo': `[{"txid":"${'a'.repeat(64)}","vout":0,"status":{"confirmed":true}}]`,
      '/address/x5/txs': 'not json',
      '/address/x6/txs': `[{"txid":"${'b'.repeat(64)}","status":{"confirmed":false}}]`,
    };
    const server = await serve(async (path) =>
      path in answers ? { status: 200, body: answers[path]! } : { status: 404, body: 'no' },
    );
    closers.push(server.close);
    const index = new EsploraAddressIndex({
      baseUrl: server.url,
      retry: { retries: 0, delayMs: 1 },
    });
    for (const address of ['x1', 'x2', 'x3', 'x4'])
      await expect(index.unspent(address)).rejects.toThrow(ChainError);
    for (const address of ['x5', 'x6', 'x7'])
      await expect(index.history(address)).rejects.toThrow(ChainError);
  });
});
