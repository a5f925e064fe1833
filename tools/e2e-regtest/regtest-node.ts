import { p2wpkh } from '@scure/btc-signer';
import { type CoreRpcAuth, CoreRpcClient } from '../../src/chain/bitcoin-core/rpc-client.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Outpoint } from '../../src/chain/chain.js';
import { networkParams } from '../../src/scripts/networks.js';
import { publicKeyOf } from '../../src/transactions/keys.js';

/** Bitcoin Core's "method not found". */
const METHOD_NOT_FOUND = -32601;
/** Blocks before a coinbase output may be spent. */
const COINBASE_MATURITY = 100;
/** Smallest coinbase that funds a scenario's deposit and its fees. */
const MIN_COINBASE = 2_000_000n;

/** The regtest P2WPKH address of a private key. */
export function regtestAddress(privateKey: Uint8Array): string {
  const address = p2wpkh(publicKeyOf(privateKey), networkParams('regtest')).address;
  if (address === undefined) throw new Error('no address for key');
  return address;
}

/**
 * The two things the scenarios need from a regtest node beyond the `Chain`: mining blocks and
 * coins for the payer. Coins come from the simulated node's `faucet` when it has one, and
 * otherwise from a coinbase mined to the payer and matured by 100 more blocks (no wallet).
 */
export class RegtestNode {
  readonly rpc: CoreRpcClient;
  readonly #burnAddress: string;

  constructor(
    readonly url: string,
    readonly auth: CoreRpcAuth,
    burnKey: Uint8Array,
  ) {
    this.rpc = new CoreRpcClient({ url, auth });
    this.#burnAddress = regtestAddress(burnKey);
  }

  /** Refuses anything but a regtest chain: the scenarios mine blocks at will. */
  async assertRegtest(): Promise<void> {
    const info = (await this.rpc.call('getblockchaininfo')) as { chain?: unknown };
    if (info?.chain !== 'regtest') {
      throw new Error(`the node's chain is ${String(info?.chain)}, not regtest`);
    }
  }

  /** Mines `count` blocks (holding the mempool) to an address nobody here spends from. */
  async mine(count = 1): Promise<void> {
    await this.rpc.call('generatetoaddress', [count, this.#burnAddress]);
  }

  /** Spendable coins for `privateKey`'s P2WPKH script. */
  async fund(
    privateKey: Uint8Array,
    amountBtc: number,
  ): Promise<{ outpoint: Outpoint; value: bigint }> {
    const address = regtestAddress(privateKey);
    try {
      const funded = (await this.rpc.call('faucet', [address, amountBtc])) as Outpoint;
      return {
        outpoint: { txid: funded.txid, vout: funded.vout },
        value: BigInt(Math.round(amountBtc * 1e8)),
      };
    } catch (error: unknown) {
      if (!(error instanceof ChainError) || error.rpcCode !== METHOD_NOT_FOUND) throw error;
    }
    const [hash] = (await this.rpc.call('generatetoaddress', [1, address])) as string[];
    const block = (await this.rpc.call('getblock', [hash, 2])) as {
      tx: { txid: string; vout: { value: number; scriptPubKey: { address?: string } }[] }[];
    };
    const coinbase = block.tx[0];
    const vout = coinbase?.vout.findIndex((o) => o.scriptPubKey.address === address) ?? -1;
    if (coinbase === undefined || vout < 0) throw new Error('the coinbase does not pay the payer');
    const value = BigInt(Math.round(coinbase.vout[vout]!.value * 1e8));
    // Regtest halves the subsidy every 150 blocks; each run mines about 500.
    if (value < MIN_COINBASE) {
      throw new Error(
        `the coinbase pays only ${value} sat at this height: start from a fresh regtest chain`,
      );
    }
    await this.mine(COINBASE_MATURITY);
    return { outpoint: { txid: coinbase.txid, vout }, value };
  }
}
