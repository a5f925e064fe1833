import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import type { Effect } from '../../src/machines/effects.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import type { RuntimeEnvironment } from '../../src/runtime/channel-runtime.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { bitcoreScriptVerifier } from '../../test/support/bitcore-verifier.js';

/** Parameters of one demo channel. */
export interface ChannelParams {
  readonly channelId: string;
  /** Coins the payer's wallet starts with, satoshis. */
  readonly funding: bigint;
  readonly depositAmount: bigint;
  readonly expireTime: number;
  readonly delayTime: number;
  readonly clearance: number;
  /** Fee rate of every transaction, sat/vB. */
  readonly feeRate: number;
  /** Seeds of the two deterministic private keys. */
  readonly payerKeySeed: number;
  readonly payeeKeySeed: number;
}

/** Who caused an effect, for the step log. */
export type Party = 'payer' | 'payee';

/** Receives every effect a party carried out (the scenarios log broadcasts from it). */
export type EffectListener = (party: Party, effect: Effect) => void;

/** Fixed demo keys keep the parties apart; spend and revoke secrets still come from the CSPRNG. */
function demoPrivateKey(seed: number): Uint8Array {
  const key = new Uint8Array(32).fill(seed);
  key[0] = 0x42;
  return key;
}

/**
 * One channel's world: its own simulated chain (every input checked by bitcore-lib's
 * interpreter), an in-memory link, a memory store per party, and the two channel ends.
 */
export class ChannelWorld {
  readonly chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
  readonly link = new MemoryLink();
  readonly payerStore = new MemoryStore({ keepVersions: true });
  readonly payeeStore = new MemoryStore({ keepVersions: true });
  readonly wallet: SingleKeyWallet;
  /** Where the payer's wallet change and its recoveries go (the same P2WPKH script). */
  readonly payerScript: Uint8Array;
  /** Where the payee's payout goes. */
  readonly payeeScript: Uint8Array;
  readonly payerKey: Uint8Array;
  readonly payeeKey: Uint8Array;
  payer!: PayerChannel;
  payee!: PayeeChannel;

  private constructor(
    readonly params: ChannelParams,
    private readonly listener: EffectListener,
  ) {
    this.payerKey = demoPrivateKey(params.payerKeySeed);
    this.payeeKey = demoPrivateKey(params.payeeKeySeed);
    this.wallet = new SingleKeyWallet(this.chain, this.payerKey);
    this.payerScript = this.wallet.outputScript;
    this.payeeScript = p2wpkhOutputScript(publicKeyOf(this.payeeKey));
  }

  /** Funds the payer's wallet and creates both channel ends (the payee's offer is queued). */
  static async create(params: ChannelParams, listener: EffectListener): Promise<ChannelWorld> {
    const world = new ChannelWorld(params, listener);
    world.wallet.addCoin(world.chain.fund(world.payerScript, params.funding), params.funding);
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
        height: world.chain.height,
      },
      { ...world.env('payer'), wallet: world.wallet },
    );
    world.attachPayer(world.payer);
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
          height: world.chain.height,
        },
        world.env('payee'),
      ),
    );
    return world;
  }

  /** The runtime environment of one party. */
  env(party: Party): RuntimeEnvironment {
    return {
      chain: this.chain,
      transport: this.link.endpoint(party),
      store: party === 'payer' ? this.payerStore : this.payeeStore,
      storeKey: this.params.channelId,
      onEffect: (effect) => this.listener(party, effect),
    };
  }

  /** Makes `payee` the payee end of the link (a restarted payee replaces the old one). */
  attachPayee(payee: PayeeChannel): void {
    this.payee = payee;
    this.link.attach('payee', (text) => payee.receive(text).then(() => undefined));
  }

  private attachPayer(payer: PayerChannel): void {
    this.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
  }

  /** Delivers messages and lets both parties catch up with the chain, until quiet. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await this.payer.sync();
      await this.payee.sync();
      if ((await this.link.deliver()) === 0) return;
    }
  }

  /** Mines `count` blocks one at a time, letting both parties react after each. */
  async mine(count = 1): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.chain.mine(1);
      await this.settle();
    }
  }

  /** Mines until `done` holds, at most `limit` blocks; returns how many were mined. */
  async mineUntil(done: () => boolean, limit: number): Promise<number> {
    let mined = 0;
    while (!done() && mined < limit) {
      await this.mine(1);
      mined++;
    }
    return mined;
  }
}
