import { bytesToHex } from '../bytes.js';
import { ChainError } from '../chain/errors.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  decodeRawTransaction,
  MAX_TRANSACTION_BYTES,
  txidOfDecoded,
} from '../chain/raw-transaction.js';
import type { SimulatedChain } from '../chain/simulated-chain.js';
import { btcToSats, satsToBtc } from './amounts.js';
import {
  blockJson,
  chainWork,
  headerJson,
  isCoinbase,
  medianTime,
  REGTEST_DIFFICULTY,
  serializeBlock,
  sizesOf,
  transactionJson,
} from './core-json.js';
import { boolParam, hashParam, hexParam, intParam, typeError, verbosityParam } from './params.js';
import { coreRejection } from './reject-reasons.js';
import { RPC_CODES, RpcFailure } from './rpc-failure.js';
import { describeScript, scriptOfAddress } from './script-info.js';

/** What the RPC methods act on. */
export interface NodeState {
  readonly chain: SimulatedChain;
  /** Serve confirmed transactions without a block hash (Core's `-txindex=1`). */
  readonly txindex: boolean;
  /** Answer of `estimatesmartfee` in sat/vB; `null`: "insufficient data", as a fresh regtest node. */
  feeRate: number | null;
  /** Height at which each mempool transaction was accepted (for `getmempoolentry`). */
  readonly acceptedAt: Map<string, number>;
}

/** One RPC method: positional parameters in, JSON result out, or an {@link RpcFailure}. */
export type RpcMethod = (state: NodeState, params: readonly unknown[]) => Promise<unknown>;

/** Parameter names of each method, for calls with named (object) parameters. */
export const PARAMETER_NAMES: Readonly<Record<string, readonly string[]>> = {
  getblockchaininfo: [],
  getblockcount: [],
  getbestblockhash: [],
  getblockhash: ['height'],
  getblockheader: ['blockhash', 'verbose'],
  getblock: ['blockhash', 'verbosity'],
  getrawtransaction: ['txid', 'verbose', 'blockhash'],
  getrawmempool: ['verbose', 'mempool_sequence'],
  gettxout: ['txid', 'n', 'include_mempool'],
  gettxspendingprevout: ['outputs'],
  testmempoolaccept: ['rawtxs', 'maxfeerate'],
  sendrawtransaction: ['hexstring', 'maxfeerate'],
  estimatesmartfee: ['conf_target', 'estimate_mode'],
  getmempoolentry: ['txid'],
  generatetoaddress: ['nblocks', 'address', 'maxtries'],
  invalidateblock: ['blockhash'],
  faucet: ['address', 'amount'],
  getnetworkinfo: [],
  getmempoolinfo: [],
};

const DECODE_FAILED = 'TX decode failed. Make sure the tx has at least one input.';
/** Default `maxfeerate` of sendrawtransaction and testmempoolaccept: 0.10 BTC/kvB. */
const DEFAULT_MAX_FEE_RATE = 10_000_000n;

function decodeTxParam(value: unknown): Uint8Array {
  const raw = hexParam(value);
  if (raw === null) throw new RpcFailure(RPC_CODES.DESERIALIZATION_ERROR, DECODE_FAILED);
  try {
    decodeRawTransaction(raw);
  } catch (error: unknown) {
    if (error instanceof ChainError && !error.message.includes('oversized')) {
      throw new RpcFailure(RPC_CODES.DESERIALIZATION_ERROR, DECODE_FAILED);
    }
    if (!(error instanceof ChainError)) throw error;
  }
  return raw;
}

/** maxfeerate in BTC/kvB as sat per 1000 vB; 0 disables the check. */
function maxFeeRateParam(value: unknown): bigint {
  if (value === undefined || value === null) return DEFAULT_MAX_FEE_RATE;
  const sats = btcToSats(value);
  if (sats === null) throw new RpcFailure(RPC_CODES.TYPE_ERROR, 'Invalid amount');
  return sats;
}

function blockOrFail(state: NodeState, value: unknown) {
  const block = state.chain.blockByHash(hashParam(value, 'blockhash'));
  if (block === null) throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Block not found');
  return block;
}

function mempoolEntryJson(state: NodeState, txid: string): Record<string, unknown> {
  const { chain } = state;
  const mempool = chain.mempoolTxids();
  const inMempool = new Set(mempool);
  const raws = new Map<string, Uint8Array>();
  const parentsOf = (id: string): string[] => {
    const raw = rawOf(chain, id, raws);
    return [...new Set(decodeRawTransaction(raw).inputs.map((i) => bytesToHex(i.txid)))].filter(
      (p) => inMempool.has(p),
    );
  };
  const childrenOf = (id: string): string[] => mempool.filter((m) => parentsOf(m).includes(id));
  const closure = (start: string, step: (id: string) => string[]): Set<string> => {
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length > 0) {
      for (const next of step(stack.pop()!)) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return seen;
  };
  const ancestors = closure(txid, parentsOf);
  const descendants = closure(txid, childrenOf);
  const sum = (ids: Set<string>, f: (id: string) => number | bigint) =>
    [...ids].reduce<bigint>((n, id) => n + BigInt(f(id)), 0n);
  const fee = (id: string) => chain.feeOf(id) ?? 0n;
  const vsize = (id: string) => sizesOf(rawOf(chain, id, raws)).vsize;
  const raw = rawOf(chain, txid, raws);
  const sizes = sizesOf(raw);
  const tip = chain.blockDetail(chain.height);
  return {
    vsize: sizes.vsize,
    weight: sizes.weight,
    time: tip?.time ?? 0,
    height: state.acceptedAt.get(txid) ?? chain.height,
    descendantcount: descendants.size,
    descendantsize: Number(sum(descendants, vsize)),
    ancestorcount: ancestors.size,
    ancestorsize: Number(sum(ancestors, vsize)),
    wtxid: transactionJson(raw).hash,
    fees: {
      base: satsToBtc(fee(txid)),
      modified: satsToBtc(fee(txid)),
      ancestor: satsToBtc(sum(ancestors, fee)),
      descendant: satsToBtc(sum(descendants, fee)),
    },
    depends: parentsOf(txid),
    spentby: childrenOf(txid),
    'bip125-replaceable': false,
    unbroadcast: false,
  };
}

function rawOf(chain: SimulatedChain, txid: string, cache: Map<string, Uint8Array>): Uint8Array {
  const cached = cache.get(txid);
  if (cached !== undefined) return cached;
  const raw = chain.rawTransaction(txid);
  if (raw === null) throw new RpcFailure(RPC_CODES.MISC_ERROR, `unknown transaction ${txid}`);
  cache.set(txid, raw);
  return raw;
}

function mempoolOnly(state: NodeState, txid: string): boolean {
  return state.chain.confirmations(txid) === 0;
}

/**
 * Core's `testmempoolaccept` verdict for one transaction; `broadcast` also submits it. Both go
 * through the same checks so their answers agree.
 */
async function verdict(
  state: NodeState,
  raw: Uint8Array,
  maxFeeRate: bigint,
): Promise<
  | { allowed: true; txid: string; fee: bigint; vsize: number }
  | {
      allowed: false;
      txid: string;
      reason: string;
      rpcCode: number;
      rpcMessage: string;
      inMempool: boolean;
    }
> {
  if (raw.length > MAX_TRANSACTION_BYTES) {
    const reason = 'tx-size';
    const txid = bytesToHex(sha256(sha256(raw)).reverse());
    return {
      allowed: false,
      txid,
      reason,
      rpcCode: RPC_CODES.VERIFY_REJECTED,
      rpcMessage: reason,
      inMempool: false,
    };
  }
  const txid = txidOfDecoded(decodeRawTransaction(raw));
  try {
    const checked = state.chain.check(raw);
    if (maxFeeRate > 0n && checked.fee * 1000n > maxFeeRate * BigInt(checked.vsize)) {
      return {
        allowed: false,
        txid,
        reason: 'max-fee-exceeded',
        rpcCode: RPC_CODES.VERIFY_ERROR,
        rpcMessage: 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)',
        inMempool: false,
      };
    }
    return { allowed: true, ...checked };
  } catch (error: unknown) {
    if (!(error instanceof ChainError)) throw error;
    const rejection = await coreRejection(state.chain, raw, error);
    return {
      allowed: false,
      txid,
      reason: rejection.reason,
      rpcCode: rejection.rpcCode,
      rpcMessage: rejection.rpcMessage,
      inMempool: rejection.alreadyInMempool,
    };
  }
}

/** Bitcoin Core's RPC methods that the simulated node serves, by name. */
export const CORE_METHODS: Readonly<Record<string, RpcMethod>> = {
  async getblockchaininfo({ chain }) {
    const tip = chain.blockDetail(chain.height)!;
    return {
      chain: 'regtest',
      blocks: chain.height,
      headers: chain.height,
      bestblockhash: chain.tipHash,
      difficulty: REGTEST_DIFFICULTY,
      time: tip.time,
      mediantime: medianTime(chain, tip),
      verificationprogress: 1,
      initialblockdownload: false,
      chainwork: chainWork(chain.height),
      size_on_disk: 0,
      pruned: false,
      warnings: [],
    };
  },

  async getblockcount({ chain }) {
    return chain.height;
  },

  async getbestblockhash({ chain }) {
    return chain.tipHash;
  },

  async getblockhash({ chain }, [height]) {
    const block = chain.blockDetail(intParam(height));
    if (block === null)
      throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, 'Block height out of range');
    return block.hash;
  },

  async getblockheader(state, [hash, verbose]) {
    const block = blockOrFail(state, hash);
    if (!boolParam(verbose, true)) return bytesToHex(block.header);
    return headerJson(state.chain, block);
  },

  async getblock(state, [hash, verbosity]) {
    const block = blockOrFail(state, hash);
    const level = verbosityParam(verbosity, 1);
    if (level <= 0) return bytesToHex(serializeBlock(block));
    return blockJson(state.chain, block, level === 1 ? 1 : 2);
  },

  async getrawtransaction(state, [txidParam, verbose, blockhash]) {
    const { chain } = state;
    const txid = hashParam(txidParam, 'parameter 1');
    const level = verbosityParam(verbose, 0);
    if (blockhash !== undefined && blockhash !== null) {
      const block = state.chain.blockByHash(hashParam(blockhash, 'parameter 3'));
      if (block === null) {
        throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Block hash not found');
      }
      const tx = block.transactions.find((t) => t.txid === txid);
      if (tx === undefined) {
        throw new RpcFailure(
          RPC_CODES.INVALID_ADDRESS_OR_KEY,
          'No such transaction found in the provided block. Use gettransaction for wallet transactions.',
        );
      }
      if (level === 0) return bytesToHex(tx.rawTx);
      return {
        in_active_chain: block.inMainChain,
        ...transactionJson(tx.rawTx),
        blockhash: block.hash,
        confirmations: block.inMainChain ? chain.height - block.height + 1 : 0,
        time: block.time,
        blocktime: block.time,
      };
    }
    const known = chain.confirmations(txid);
    if (known === null || (known > 0 && !state.txindex)) {
      throw new RpcFailure(
        RPC_CODES.INVALID_ADDRESS_OR_KEY,
        state.txindex
          ? 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.'
          : 'No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries. Use gettransaction for wallet transactions.',
      );
    }
    const raw = chain.rawTransaction(txid)!;
    if (level === 0) return bytesToHex(raw);
    const json = transactionJson(raw);
    const height = chain.blockHeightOf(txid);
    if (height === null) return json;
    const block = chain.blockDetail(height)!;
    return {
      ...json,
      blockhash: block.hash,
      confirmations: chain.height - height + 1,
      time: block.time,
      blocktime: block.time,
    };
  },

  async getrawmempool(state, [verbose]) {
    const txids = state.chain.mempoolTxids();
    if (!boolParam(verbose, false)) return txids;
    return Object.fromEntries(txids.map((txid) => [txid, mempoolEntryJson(state, txid)]));
  },

  async getmempoolentry(state, [txidParam]) {
    const txid = hashParam(txidParam, 'parameter 1');
    if (!mempoolOnly(state, txid)) {
      throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
    }
    return mempoolEntryJson(state, txid);
  },

  async gettxout(state, [txidParam, n, includeMempool]) {
    const { chain } = state;
    const txid = hashParam(txidParam, 'txid');
    const vout = intParam(n);
    const withMempool = boolParam(includeMempool, true);
    if (vout < 0) return null;
    const output = await chain.getOutput({ txid, vout });
    if (output === null) return null;
    if (withMempool) {
      const spender = await chain.getSpender({ txid, vout });
      if (spender !== null) return null;
    } else if (output.blockHeight === null) {
      return null;
    }
    const raw = chain.rawTransaction(txid)!;
    return {
      bestblock: chain.tipHash,
      confirmations: output.blockHeight === null ? 0 : chain.height - output.blockHeight + 1,
      value: satsToBtc(output.value),
      scriptPubKey: describeScript(output.script),
      coinbase: isCoinbase(raw),
    };
  },

  async gettxspendingprevout(state, [outputs]) {
    if (!Array.isArray(outputs)) throw typeError(outputs, 'array');
    if (outputs.length === 0) {
      throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, 'Invalid parameter, outputs are missing');
    }
    const result: Record<string, unknown>[] = [];
    for (const entry of outputs) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw typeError(entry, 'object');
      }
      const { txid: txidValue, vout: voutValue } = entry as Record<string, unknown>;
      const txid = hashParam(txidValue, 'txid');
      if (voutValue === undefined) {
        throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, 'Invalid parameter, missing vout key');
      }
      const vout = intParam(voutValue);
      if (vout < 0) {
        throw new RpcFailure(
          RPC_CODES.INVALID_PARAMETER,
          'Invalid parameter, vout cannot be negative',
        );
      }
      const spender = await state.chain.getSpender({ txid, vout });
      const item: Record<string, unknown> = { txid, vout };
      if (spender !== null && spender.blockHeight === null) item.spendingtxid = spender.txid;
      result.push(item);
    }
    return result;
  },

  async testmempoolaccept(state, [rawtxs, maxfeerate]) {
    if (!Array.isArray(rawtxs)) throw typeError(rawtxs, 'array');
    if (rawtxs.length < 1 || rawtxs.length > 25) {
      throw new RpcFailure(
        RPC_CODES.INVALID_PARAMETER,
        'Array must contain between 1 and 25 transactions.',
      );
    }
    const maxFeeRate = maxFeeRateParam(maxfeerate);
    const raws = rawtxs.map(decodeTxParam);
    // Packages are not simulated: each transaction is judged alone.
    const results: Record<string, unknown>[] = [];
    for (const raw of raws) {
      const result = await verdict(state, raw, maxFeeRate);
      const wtxid = transactionJson(raw).hash;
      if (result.allowed) {
        results.push({
          txid: result.txid,
          wtxid,
          allowed: true,
          vsize: result.vsize,
          fees: {
            base: satsToBtc(result.fee),
            'effective-feerate': satsToBtc((result.fee * 1000n) / BigInt(result.vsize)),
            'effective-includes': [wtxid],
          },
        });
      } else {
        results.push({ txid: result.txid, wtxid, allowed: false, 'reject-reason': result.reason });
      }
    }
    return results;
  },

  async sendrawtransaction(state, [hexstring, maxfeerate]) {
    const raw = decodeTxParam(hexstring);
    const result = await verdict(state, raw, maxFeeRateParam(maxfeerate));
    if (!result.allowed) {
      // Core answers a resubmission of a mempool transaction with its txid.
      if (result.inMempool) return result.txid;
      throw new RpcFailure(result.rpcCode, result.rpcMessage);
    }
    const txid = state.chain.submit(raw);
    state.acceptedAt.set(txid, state.chain.height);
    return txid;
  },

  async estimatesmartfee(state, [confTarget, mode]) {
    const target = intParam(confTarget);
    if (target < 1 || target > 1008) {
      throw new RpcFailure(
        RPC_CODES.INVALID_PARAMETER,
        'Invalid conf_target, must be between 1 and 1008',
      );
    }
    if (mode !== undefined && mode !== null) {
      if (typeof mode !== 'string') throw typeError(mode, 'string');
      if (!['unset', 'economical', 'conservative'].includes(mode.toLowerCase())) {
        throw new RpcFailure(
          RPC_CODES.INVALID_PARAMETER,
          'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"',
        );
      }
    }
    if (state.feeRate === null) {
      return { errors: ['Insufficient data or no feerate found'], blocks: 0 };
    }
    const rate = Math.max(state.feeRate, state.chain.minRelayFeeRate);
    // sat/vB to BTC/kvB, rounded to whole satoshis per kvB as Core's CFeeRate is.
    return { feerate: Math.round(rate * 1000) / 1e8, blocks: Math.max(2, target) };
  },

  async generatetoaddress(state, [nblocks, address]) {
    const count = intParam(nblocks);
    if (scriptOfAddress(address) === null) {
      throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Error: Invalid address');
    }
    if (count < 0 || count > 10_000) {
      throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, 'Invalid parameter, nblocks out of range');
    }
    const first = state.chain.height + 1;
    state.chain.mine(count);
    const hashes: string[] = [];
    for (let h = first; h <= state.chain.height; h++) hashes.push(state.chain.blockDetail(h)!.hash);
    return hashes;
  },

  async invalidateblock(state, [hash]) {
    const block = blockOrFail(state, hash);
    if (!block.inMainChain) return null;
    try {
      state.chain.reorg(state.chain.height - block.height + 1);
    } catch (error: unknown) {
      if (!(error instanceof ChainError)) throw error;
      throw new RpcFailure(RPC_CODES.MISC_ERROR, error.message);
    }
    return null;
  },

  async faucet(state, [address, amount]) {
    const script = scriptOfAddress(address);
    if (script === null)
      throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Error: Invalid address');
    const sats = btcToSats(amount);
    if (sats === null || sats <= 0n) throw new RpcFailure(RPC_CODES.TYPE_ERROR, 'Invalid amount');
    const outpoint = state.chain.fund(script, sats);
    return { ...outpoint, blockhash: state.chain.tipHash, height: state.chain.height };
  },

  async getnetworkinfo(state) {
    const relay = satsPerKvbToBtc(state.chain.minRelayFeeRate);
    return {
      version: 280000,
      subversion: '/picopayments-simnet/',
      protocolversion: 70016,
      networkactive: true,
      connections: 0,
      relayfee: relay,
      incrementalfee: relay,
      warnings: '',
    };
  },

  async getmempoolinfo(state) {
    const txids = state.chain.mempoolTxids();
    const relay = satsPerKvbToBtc(state.chain.minRelayFeeRate);
    return {
      loaded: true,
      size: txids.length,
      mempoolminfee: relay,
      minrelaytxfee: relay,
      fullrbf: state.chain.replaceByFee,
    };
  },
};

/** sat/vB to BTC/kvB, rounded to whole satoshis per kvB as Core's CFeeRate is. */
function satsPerKvbToBtc(rate: number): number {
  return Math.round(rate * 1000) / 1e8;
}
