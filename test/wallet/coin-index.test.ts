import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { CoreRpcClient } from '../../src/chain/bitcoin-core/rpc-client.js';
import { ChainError } from '../../src/chain/errors.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import {
  type CoinScanner,
  CoreRpcCoinScanner,
  DENSE_BLOCKS,
  EsploraCoinScanner,
  type HdWallet,
  createWallet,
  forkHeight,
  keepsMark,
  newMnemonic,
  openWallet,
  thinMarks,
} from '../../src/wallet/index.js';

const kdf = { N: 1024, r: 8, p: 1 };
let dir: string;
let node: Simnet;
let rpc: CoreRpcClient;
const chains: BitcoinCoreChain[] = [];
/** A chain backend that has not followed the chain before (one remembers what it saw). */
function freshChain(): BitcoinCoreChain {
  const c = new BitcoinCoreChain({ url: node.url, auth: { cookieFile: node.cookieFile } });
  chains.push(c);
  return c;
}
let scanners: { name: string; scanner: CoinScanner }[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-coin-index-'));
  node = await startSimnet({ datadir: dir });
  const auth = { cookieFile: node.cookieFile };
  rpc = new CoreRpcClient({ url: node.url, auth });
  scanners = [
    { name: 'core', scanner: new CoreRpcCoinScanner(rpc) },
    { name: 'esplora', scanner: new EsploraCoinScanner({ baseUrl: node.esploraUrl }) },
  ];
});
afterAll(async () => {
  for (const c of chains) c.close();
  await node.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function wallet(): Promise<HdWallet> {
  return createWallet({
    path: join(dir, `w${n++}`),
    passphrase: 'pw',
    kdf,
    mnemonic: newMnemonic(),
    network: 'regtest',
    chain: freshChain(),
  });
}

const mineTo = 'bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk';
const mine = (blocks: number) => rpc.call('generatetoaddress', [blocks, mineTo]);

describe('block marks', () => {
  it('keeps every recent mark and about DENSE_BLOCKS per doubling; stable as the tip grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 1, max: 5000 }),
        (top, grow) => {
          // A mark dropped at one tip is never kept at a later one (thinning never needs it back).
          for (const h of [top - 1, top - 40, top - 700, Math.floor(top / 2), 0])
            if (h >= 0 && !keepsMark(h, top)) expect(keepsMark(h, top + grow)).toBe(false);
          for (let h = Math.max(0, top - DENSE_BLOCKS + 1); h <= top; h++)
            expect(keepsMark(h, top)).toBe(true);
        },
      ),
    );
    const marks = Array.from({ length: 5000 }, (_, height) => ({ height, hash: '00'.repeat(32) }));
    const kept = thinMarks(marks);
    expect(kept.length).toBeLessThan(DENSE_BLOCKS * 10);
    expect(kept[0]!.height).toBe(0);
    expect(kept.at(-1)!.height).toBe(4999);
  });

  it('finds the highest mark the chain still has', async () => {
    const marks = [0, 5, 9].map((height) => ({ height, hash: String(height).padStart(64, '0') }));
    const chainHash = (changedFrom: number) => async (h: number) =>
      h >= changedFrom ? 'f'.repeat(64) : String(h).padStart(64, '0');
    expect(await forkHeight(marks, chainHash(100))).toBe(9);
    expect(await forkHeight(marks, chainHash(7))).toBe(5);
    expect(await forkHeight(marks, chainHash(0))).toBe(-1);
  });
});

describe.each(['core', 'esplora'])('coin index over %s', (name) => {
  const scanner = () => scanners.find((s) => s.name === name)!.scanner;

  it('rolls back a reorganisation deeper than six blocks and finds the coin of the new branch', async () => {
    const w = await wallet();
    const first = await w.newAddress();
    const second = await w.newAddress();
    // The simnet's faucet confirms its payment in a block of its own.
    await rpc.call('faucet', [first.address, 0.01]);
    await mine(12);
    await w.refresh(scanner(), freshChain());
    expect(w.balance()).toBe(1_000_000n);
    const scanned = w.state.scannedHeight;

    // A reorganisation 13 blocks deep: the faucet payment's block is gone (its transaction is
    // dropped), and the new branch pays the second address 12 blocks below the old tip.
    node.chain.reorg(13);
    await rpc.call('faucet', [second.address, 0.02]);
    await mine(15);
    const reopened = await openWallet({
      path: join(dir, `w${n - 1}`),
      passphrase: 'pw',
      chain: freshChain(),
    });
    const { rolledBack } = await reopened.refresh(scanner(), freshChain());
    expect(rolledBack).toBeGreaterThanOrEqual(13);
    expect(reopened.state.scannedHeight).toBe(scanned + 3);
    expect(reopened.balance()).toBe(2_000_000n);
    expect(reopened.state.coins).toHaveLength(1);
    expect(reopened.state.coins[0]!.block).toBe(await scanner().blockHash(scanned - 12));
  });

  it('picks up new blocks without rescanning old ones, and refuses nothing on a steady chain', async () => {
    const w = await wallet();
    const { address } = await w.newAddress();
    await w.refresh(scanner(), freshChain());
    const before = w.state.blocks!.length;
    await rpc.call('faucet', [address, 0.003]);
    await mine(2);
    const seen: number[] = [];
    const { rolledBack } = await w.refresh(scanner(), freshChain(), (h) => seen.push(h));
    expect(rolledBack).toBe(0);
    expect(seen).toHaveLength(3);
    expect(w.balance()).toBe(300_000n);
    expect(w.state.blocks!.length).toBe(before + 3);
  });
});

describe('esplora scanner against a hostile server', () => {
  it('refuses malformed answers with NODE_BAD_RESPONSE and an unreachable one with NODE_UNREACHABLE', async () => {
    const { createServer } = await import('node:http');
    const answers: Record<string, string> = {
      '/blocks/tip/height': 'tall',
      '/block-height/1': 'nothex',
      '/block-height/2': 'a'.repeat(64),
      [`/block/${'a'.repeat(64)}`]: JSON.stringify({ id: 'b'.repeat(64), previousblockhash: null }),
    };
    const server = createServer((req, res) => {
      const body = answers[req.url ?? ''];
      res.writeHead(body === undefined ? 404 : 200).end(body ?? '');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    const hostile = new EsploraCoinScanner({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { retries: 0, delayMs: 1 },
    });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'none',
        (e: unknown) => (e instanceof ChainError ? e.code : String(e)),
      );
    expect(await code(hostile.height())).toBe('NODE_BAD_RESPONSE');
    expect(await code(hostile.blockHash(1))).toBe('NODE_BAD_RESPONSE');
    expect(await hostile.blockHash(3)).toBeNull();
    expect(await code(hostile.block(2, new Set()))).toBe('NODE_BAD_RESPONSE');
    await new Promise((ok) => server.close(ok));
    expect(await code(hostile.height())).toBe('NODE_UNREACHABLE');
  });
});
