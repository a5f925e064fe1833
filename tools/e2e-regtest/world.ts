import { bytesToHex } from '../../src/bytes.js';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import type { RuntimeEnvironment } from '../../src/runtime/channel-runtime.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { decodeTransaction } from '../../src/transactions/raw-transaction.js';
import type { RegtestNode } from './regtest-node.js';

/** Parameters of one scenario's channel. */
export interface E2eChannelParams {
  readonly channelId: string;
  readonly depositAmount: bigint;
  readonly expireTime: number;
  readonly delayTime: number;
  readonly clearance: number;
  readonly feeRate: number;
  readonly payerKeySeed: number;
  readonly payeeKeySeed: number;
}

/** A transaction one of the parties broadcast. */
export interface Broadcast {
  readonly party: 'payer' | 'payee';
  readonly label: string;
  readonly txid: string;
}

function keyOf(seed: number): Uint8Array {
  const key = new Uint8Array(32).fill(seed);
  key[0] = 0x5e;
  return key;
}

/**
 * One channel over a regtest node: each party has its own {@link BitcoinCoreChain} (its own
 * follower and index, as two separate programs would), an in-memory link between them.
 */
export class E2eWorld {
  readonly link = new MemoryLink();
  readonly payerStore = new MemoryStore({ keepVersions: true });
  readonly payeeStore = new MemoryStore({ keepVersions: true });
  readonly payerChain: BitcoinCoreChain;
  readonly payeeChain: BitcoinCoreChain;
  readonly payerKey: Uint8Array;
  readonly payeeKey: Uint8Array;
  readonly payerScript: Uint8Array;
  readonly payeeScript: Uint8Array;
  readonly broadcasts: Broadcast[] = [];
  wallet!: SingleKeyWallet;
  payer!: PayerChannel;
  payee!: PayeeChannel;
  /** While false the payee neither receives nor follows the chain (it has vanished). */
  payeeOnline = true;

  private constructor(
    readonly node: RegtestNode,
    readonly params: E2eChannelParams,
  ) {
    const options = { url: node.url, auth: node.auth, lookbackBlocks: 12 };
    this.payerChain = new BitcoinCoreChain(options);
    this.payeeChain = new BitcoinCoreChain(options);
    this.payerKey = keyOf(params.payerKeySeed);
    this.payeeKey = keyOf(params.payeeKeySeed);
    this.payerScript = p2wpkhOutputScript(publicKeyOf(this.payerKey));
    this.payeeScript = p2wpkhOutputScript(publicKeyOf(this.payeeKey));
  }

  /** Funds the payer, creates both ends and lets the payee's offer reach the payer. */
  static async create(node: RegtestNode, params: E2eChannelParams): Promise<E2eWorld> {
    const world = new E2eWorld(node, params);
    world.wallet = new SingleKeyWallet(world.payerChain, world.payerKey);
    const coin = await node.fund(world.payerKey, 0.05);
    world.wallet.addCoin(coin.outpoint, coin.value);
    const height = await world.payerChain.getHeight();
    world.payer = await PayerChannel.create(
      {
        channelId: params.channelId,
        network: 'regtest',
        depositAmount: params.depositAmount,
        feeRate: params.feeRate,
        expireTime: params.expireTime,
        delayTime: params.delayTime,
        privateKey: world.payerKey,
        destinationScript: p2wpkhOutputScript(publicKeyOf(world.payerKey)),
        height,
      },
      { ...world.env('payer'), wallet: world.wallet },
    );
    world.link.attach('payer', (text) => world.payer.receive(text).then(() => undefined));
    world.attachPayee(
      await PayeeChannel.open(
        {
          channelId: params.channelId,
          network: 'regtest',
          expireTimeRange: { min: params.clearance + 1, max: 1000 },
          delayTimeRange: { min: 1, max: 144 },
          minFeeRate: 1,
          feeRate: params.feeRate,
          clearance: params.clearance,
          privateKey: world.payeeKey,
          destinationScript: p2wpkhOutputScript(publicKeyOf(world.payeeKey)),
          height,
        },
        world.env('payee'),
      ),
    );
    return world;
  }

  /** A party's runtime environment; broadcasts are recorded once each. */
  env(party: 'payer' | 'payee'): RuntimeEnvironment {
    return {
      chain: party === 'payer' ? this.payerChain : this.payeeChain,
      transport: this.link.endpoint(party),
      store: party === 'payer' ? this.payerStore : this.payeeStore,
      storeKey: this.params.channelId,
      onEffect: (effect) => {
        if (effect.type !== 'broadcast') return;
        if (this.broadcasts.some((b) => b.txid === effect.txid)) return;
        this.broadcasts.push({ party, label: effect.label, txid: effect.txid });
      },
    };
  }

  /** Makes `payee` the payee end (a restarted payee replaces the old one). */
  attachPayee(payee: PayeeChannel): void {
    this.payee = payee;
    this.link.attach('payee', (text) =>
      this.payeeOnline ? payee.receive(text).then(() => undefined) : Promise.resolve(),
    );
  }

  /** Delivers messages and lets the parties catch up with the chain, until quiet. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await this.payer.sync();
      if (this.payeeOnline) await this.payee.sync();
      if ((await this.link.deliver()) === 0) return;
    }
  }

  /** Mines one block at a time, settling after each, until `done` or `limit` blocks. */
  async mineUntil(done: () => boolean, limit: number): Promise<number> {
    let mined = 0;
    while (!done() && mined < limit) {
      await this.node.mine(1);
      await this.settle();
      mined++;
    }
    return mined;
  }

  /** Satoshis that confirmed transactions labelled `label` pay to `script`. */
  async paidTo(label: string, script: Uint8Array): Promise<{ confirmed: number; value: bigint }> {
    let confirmed = 0;
    let value = 0n;
    for (const broadcast of this.broadcasts.filter((b) => b.label === label)) {
      const tx = await this.payerChain.getTransaction(broadcast.txid);
      if (tx === null || tx.blockHeight === null) continue;
      confirmed++;
      for (const output of decodeTransaction(tx.rawTx).outputs) {
        if (bytesToHex(output.script) === bytesToHex(script)) value += output.value;
      }
    }
    return { confirmed, value };
  }

  /** Stops the followers' timers. */
  close(): void {
    this.payerChain.close();
    this.payeeChain.close();
  }
}
