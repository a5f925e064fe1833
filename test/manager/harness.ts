import type { Chain } from '../../src/chain/chain.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import type { PayeeChannelConfig, PayerChannelConfig } from '../../src/machines/initial-context.js';
import { ChannelManager, type ChannelManagerOptions } from '../../src/manager/channel-manager.js';
import type { ManagerEvent } from '../../src/manager/events.js';
import { MemoryStore, type Store } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { testPrivateKey } from '../support/channel-harness.js';

export const PAYER_KEY = testPrivateKey(1);
export const PAYEE_KEY = testPrivateKey(2);
export const PAYER_SCRIPT = p2wpkhOutputScript(publicKeyOf(PAYER_KEY));
export const PAYEE_SCRIPT = p2wpkhOutputScript(publicKeyOf(PAYEE_KEY));

/** A payee's channel terms at `height`. */
export function payeeConfig(channelId: string, height: number): PayeeChannelConfig {
  return {
    channelId,
    network: 'regtest',
    expireTimeRange: { min: 10, max: 1000 },
    delayTimeRange: { min: 1, max: 144 },
    minFeeRate: 1,
    feeRate: 2,
    clearance: 6,
    privateKey: PAYEE_KEY,
    destinationScript: PAYEE_SCRIPT,
    height,
  };
}

/** A payer's channel terms at `height`. */
export function payerConfig(
  channelId: string,
  height: number,
  depositAmount = 100_000n,
): PayerChannelConfig {
  return {
    channelId,
    network: 'regtest',
    depositAmount,
    feeRate: 2,
    expireTime: 40,
    delayTime: 5,
    privateKey: PAYER_KEY,
    destinationScript: PAYER_SCRIPT,
    height,
  };
}

/** Two managers (a payer's and a payee's) over one chain, joined by one in-memory link. */
export class TwoSides {
  readonly link = new MemoryLink();
  readonly events: ManagerEvent[] = [];
  payerSide!: ChannelManager;
  payeeSide!: ChannelManager;

  constructor(
    readonly chain: SimulatedChain,
    readonly payerStore: Store,
    readonly payeeStore: Store,
    readonly wallet: SingleKeyWallet,
  ) {}

  /** A fresh world: a funded payer wallet, two memory stores, both managers started. */
  static async create(
    extra: Partial<ChannelManagerOptions> = {},
    chain = new SimulatedChain(),
  ): Promise<TwoSides> {
    const wallet = new SingleKeyWallet(chain, PAYER_KEY);
    wallet.addCoin(chain.fund(wallet.outputScript, 50_000_000n), 50_000_000n);
    const sides = new TwoSides(
      chain,
      new MemoryStore({ keepVersions: true }),
      new MemoryStore({ keepVersions: true }),
      wallet,
    );
    await sides.restart(extra);
    return sides;
  }

  /** Starts both managers (again) from the stores, as after a process restart. */
  async restart(
    extra: Partial<ChannelManagerOptions> = {},
    chain: Chain = this.chain,
  ): Promise<void> {
    const record = (event: ManagerEvent) => this.events.push(event);
    this.payerSide = await ChannelManager.start(
      {
        chain,
        store: this.payerStore,
        transport: () => this.link.endpoint('payer'),
        wallet: this.wallet,
        ...extra,
      },
      record,
    );
    this.payeeSide = await ChannelManager.start(
      { chain, store: this.payeeStore, transport: () => this.link.endpoint('payee'), ...extra },
      record,
    );
    this.link.attach('payer', (text) => this.payerSide.receive(text).then(() => undefined));
    this.link.attach('payee', (text) => this.payeeSide.receive(text).then(() => undefined));
  }

  /** Lets both followers finish and delivers messages until quiet. */
  async settle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await this.payerSide.idle();
      await this.payeeSide.idle();
      if ((await this.link.deliver()) === 0) return;
    }
    throw new Error('messages kept flowing');
  }

  /** Mines blocks one at a time, settling after each. */
  async mine(count = 1): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.chain.mine(1);
      await this.settle();
    }
  }

  /** Opens a channel on both sides and confirms its deposit. */
  async openChannel(channelId: string, depositAmount = 100_000n): Promise<void> {
    await this.payerSide.createPayer(payerConfig(channelId, this.chain.height, depositAmount));
    await this.payeeSide.openPayee(payeeConfig(channelId, this.chain.height));
    await this.settle();
    await this.mine(1);
  }

  /** The events of one type for one channel. */
  eventsOf<T extends ManagerEvent['type']>(type: T, channelId?: string) {
    return this.events.filter(
      (e): e is Extract<ManagerEvent, { type: T }> =>
        e.type === type && (channelId === undefined || e.channelId === channelId),
    );
  }
}
