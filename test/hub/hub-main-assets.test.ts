import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { EsploraAddressIndex } from '../../src/chain/esplora/esplora-address-index.js';
import { outputScriptAddress } from '../../src/counterparty/addresses.js';
import { CounterpartyCoreLedger } from '../../src/counterparty/core-rest-ledger.js';
import { SimulatedCounterpartyLedger } from '../../src/counterparty/simulated-ledger.js';
import { HubClient } from '../../src/hub-client/index.js';
import { LedgerAssetView } from '../../src/runtime/asset-view.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { ledgerResponder, serve } from '../counterparty/core-api-emulator.js';
import { testPrivateKey } from '../support/channel-harness.js';

/**
 * The `picopayments-hub` program serving a Counterparty asset: its config file names the
 * asset's terms, Counterparty Core's API (here its emulator over the simulated ledger) and
 * Esplora's (the simnet's); a client connects in the asset over HTTP and both channels open on
 * the ledger's readings.
 */

const root = resolve(import.meta.dirname, '../..');
const ASSET = 'PICOTOKEN';
const HUB_KEY = testPrivateKey(7);
const CLIENT_KEY = testPrivateKey(8);
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const addressOf = (key: Uint8Array) =>
  outputScriptAddress(p2wpkhOutputScript(publicKeyOf(key)), 'regtest')!;

function startHub(args: string[]): { child: ChildProcess; listening: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/hub-main.ts'), ...args],
    {
      cwd: root,
      env: { ...process.env, PICOPAYMENTS_HUB_SEED: Buffer.from(HUB_KEY).toString('hex') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  cleanup.push(() => {
    child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  const listening = new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"listening"')) ok((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => fail(new Error(`the hub exited ${code}: ${stderr}`)));
  });
  return { child, listening };
}

describe('picopayments-hub program: asset terms', () => {
  it('serves a client connecting in a Counterparty asset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-assets-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const simnet: Simnet = await startSimnet();
    cleanup.push(() => simnet.close());
    const ledger = new SimulatedCounterpartyLedger({
      chain: simnet.chain,
      allocations: [
        { address: addressOf(HUB_KEY), asset: ASSET, quantity: 50_000n },
        { address: addressOf(CLIENT_KEY), asset: ASSET, quantity: 5_000n },
      ],
    });
    const core = await serve(ledgerResponder(ledger, () => simnet.chain.height));
    cleanup.push(core.close);
    const config = join(dir, 'hub.json');
    writeFileSync(
      config,
      JSON.stringify({
        counterpartyUrl: core.url,
        esploraUrl: simnet.esploraUrl,
        terms: { [ASSET]: { depositMin: '100', depositMax: '10000', paymentFee: '1' } },
      }),
    );
    const hub = startHub([
      '--chain-rpc',
      simnet.url,
      '--chain-cookie',
      simnet.cookieFile,
      '--db',
      join(dir, 'hub.sqlite'),
      '--port',
      '0',
      '--faucet-sats',
      '5000000',
      '--chain-job-ms',
      '100',
      '--config',
      config,
    ]);
    const url = await hub.listening;
    const chain = new BitcoinCoreChain({
      url: simnet.url,
      auth: { cookieFile: simnet.cookieFile },
      pollIntervalMs: 20,
    });
    cleanup.push(() => chain.close());
    const wallet = new SingleKeyWallet(chain, CLIENT_KEY);
    wallet.addCoin(simnet.chain.fund(wallet.outputScript, 500_000n), 500_000n);
    const client = await HubClient.open({
      url,
      chain,
      store: new MemoryStore(),
      wallet,
      assets: new LedgerAssetView(
        new CounterpartyCoreLedger({ baseUrl: core.url }),
        new EsploraAddressIndex({ baseUrl: simnet.esploraUrl }),
      ),
      keys: { nextChannelKey: async () => ({ privateKey: testPrivateKey(9), path: 'm/0' }) },
      payoutScript: async () => wallet.outputScript,
    });
    cleanup.push(() => client.stop());
    const status = await client.status();
    expect(Object.keys(status.terms).sort()).toEqual(['BTC', ASSET]);
    expect(status.terms[ASSET]!.depositMax).toBe(10_000n);
    const { handle } = await client.connect({
      asset: ASSET,
      quantity: 1_000n,
      expireBlocks: 60,
      delayBlocks: 4,
    });
    let state = '';
    for (let i = 0; i < 40 && !/^open\/open$/.test(state); i++) {
      simnet.chain.mine(1);
      await new Promise((r) => setTimeout(r, 150));
      await client.sync(handle).catch(() => undefined);
      await client.channels.idle();
      state = (await client.connections())[0]!.state;
    }
    expect(state).toBe('open/open');
    // Both deposits moved the asset: the client's 1,000 and the hub's matching 1,000.
    expect(await ledger.getBalance(addressOf(CLIENT_KEY), ASSET)).toBe(4_000n);
    expect(await ledger.getBalance(addressOf(HUB_KEY), ASSET)).toBe(49_000n);
  }, 90_000);
});
