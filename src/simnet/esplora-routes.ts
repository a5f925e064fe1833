import { bytesToHex } from '../bytes.js';
import { ChainError } from '../chain/errors.js';
import { decodeRawTransaction } from '../chain/raw-transaction.js';
import type { SimulatedChain } from '../chain/simulated-chain.js';
import { CORE_METHODS, type NodeState } from './core-methods.js';
import { isCoinbase, sizesOf } from './core-json.js';
import { RpcFailure } from './rpc-failure.js';
import {
  ESPLORA_CHAIN_PAGE,
  ESPLORA_MEMPOOL_PAGE,
  addressTransactions,
  addressUnspent,
} from './esplora-address-routes.js';
import { describeScript } from './script-info.js';

/** An HTTP answer of the Esplora dialect. */
export interface EsploraResponse {
  readonly status: number;
  readonly contentType: 'text/plain' | 'application/json';
  readonly body: string;
}

const ESPLORA_TYPES: Record<string, string> = {
  pubkeyhash: 'p2pkh',
  scripthash: 'p2sh',
  witness_v0_keyhash: 'v0_p2wpkh',
  witness_v0_scripthash: 'v0_p2wsh',
  witness_v1_taproot: 'v1_p2tr',
  nulldata: 'op_return',
  pubkey: 'p2pk',
  multisig: 'multisig',
};

const text = (body: string, status = 200): EsploraResponse => ({
  status,
  contentType: 'text/plain',
  body,
});
const json = (value: unknown): EsploraResponse => ({
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify(value),
});
const TX_NOT_FOUND = text('Transaction not found', 404);
const BLOCK_NOT_FOUND = text('Block not found', 404);

function outputJson(script: Uint8Array, value: bigint): Record<string, unknown> {
  const described = describeScript(script);
  const out: Record<string, unknown> = {
    scriptpubkey: bytesToHex(script),
    scriptpubkey_type: ESPLORA_TYPES[described.type] ?? 'unknown',
  };
  if (described.address !== undefined) out.scriptpubkey_address = described.address;
  out.value = Number(value);
  return out;
}

function statusJson(chain: SimulatedChain, txid: string): Record<string, unknown> {
  const height = chain.blockHeightOf(txid);
  if (height === null) return { confirmed: false };
  const block = chain.blockDetail(height)!;
  return { confirmed: true, block_height: height, block_hash: block.hash, block_time: block.time };
}

function txJson(chain: SimulatedChain, txid: string, raw: Uint8Array): Record<string, unknown> {
  const tx = decodeRawTransaction(raw);
  const coinbase = isCoinbase(raw);
  const sizes = sizesOf(raw);
  return {
    txid,
    version: tx.version,
    locktime: tx.lockTime,
    vin: tx.inputs.map((input, index) => {
      const parentTxid = bytesToHex(input.txid);
      const parent = coinbase ? null : chain.rawTransaction(parentTxid);
      const prevOut =
        parent === null ? undefined : decodeRawTransaction(parent).outputs[input.index];
      return {
        txid: parentTxid,
        vout: input.index,
        prevout: prevOut === undefined ? null : outputJson(prevOut.script, prevOut.amount),
        scriptsig: bytesToHex(input.finalScriptSig ?? new Uint8Array()),
        witness: (tx.witnesses?.[index] ?? []).map((item) => bytesToHex(item)),
        is_coinbase: coinbase,
        sequence: input.sequence,
      };
    }),
    vout: tx.outputs.map((output) => outputJson(output.script, output.amount)),
    size: sizes.size,
    weight: sizes.weight,
    fee: coinbase ? 0 : Number(chain.feeOf(txid) ?? 0n),
    status: statusJson(chain, txid),
  };
}

const HASH = '([0-9a-fA-F]{64})';
const ADDRESS = '([0-9A-Za-z]{14,90})';
const ADDRESS_TXS = new RegExp(`^/address/${ADDRESS}/txs$`);
const ADDRESS_CHAIN_TXS = new RegExp(`^/address/${ADDRESS}/txs/chain/${HASH}$`);
const ADDRESS_UTXO = new RegExp(`^/address/${ADDRESS}/utxo$`);
type Route = readonly [
  string,
  RegExp,
  (state: NodeState, m: RegExpExecArray, body: string) => Promise<EsploraResponse>,
];

const ROUTES: readonly Route[] = [
  ['GET', /^\/blocks\/tip\/height$/, async ({ chain }) => text(String(chain.height))],
  ['GET', /^\/blocks\/tip\/hash$/, async ({ chain }) => text(chain.tipHash)],
  [
    'GET',
    /^\/block-height\/(\d{1,10})$/,
    async ({ chain }, m) => {
      const block = chain.blockDetail(Number(m[1]));
      return block === null ? BLOCK_NOT_FOUND : text(block.hash);
    },
  ],
  [
    'GET',
    new RegExp(`^/block/${HASH}/header$`),
    async ({ chain }, m) => {
      const block = chain.blockByHash(m[1]!);
      return block === null ? BLOCK_NOT_FOUND : text(bytesToHex(block.header));
    },
  ],
  [
    'GET',
    new RegExp(`^/block/${HASH}/status$`),
    async ({ chain }, m) => {
      const block = chain.blockByHash(m[1]!);
      if (block === null || !block.inMainChain) return json({ in_best_chain: false });
      const next = chain.blockDetail(block.height + 1);
      return json({ in_best_chain: true, height: block.height, next_best: next?.hash ?? null });
    },
  ],
  [
    'GET',
    new RegExp(`^/block/${HASH}/txids$`),
    async ({ chain }, m) => {
      const block = chain.blockByHash(m[1]!);
      return block === null ? BLOCK_NOT_FOUND : json(block.txids);
    },
  ],
  [
    'GET',
    new RegExp(`^/block/${HASH}$`),
    async ({ chain }, m) => {
      const block = chain.blockByHash(m[1]!);
      if (block === null) return BLOCK_NOT_FOUND;
      const view = new DataView(block.header.buffer, block.header.byteOffset, 80);
      return json({
        id: block.hash,
        height: block.height,
        version: view.getInt32(0, true),
        timestamp: block.time,
        tx_count: block.transactions.length,
        merkle_root: bytesToHex(block.header.slice(36, 68).reverse()),
        previousblockhash: block.height > chain.startHeight ? block.previousHash : null,
        nonce: view.getUint32(76, true),
        bits: view.getUint32(72, true),
      });
    },
  ],
  [
    'GET',
    new RegExp(`^/tx/${HASH}/hex$`),
    async ({ chain }, m) => {
      const raw = chain.rawTransaction(m[1]!);
      return raw === null ? TX_NOT_FOUND : text(bytesToHex(raw));
    },
  ],
  [
    'GET',
    new RegExp(`^/tx/${HASH}/status$`),
    async ({ chain }, m) => {
      const txid = m[1]!.toLowerCase();
      return chain.rawTransaction(txid) === null ? TX_NOT_FOUND : json(statusJson(chain, txid));
    },
  ],
  [
    'GET',
    new RegExp(`^/tx/${HASH}/outspend/(\\d{1,10})$`),
    async ({ chain }, m) => {
      const txid = m[1]!.toLowerCase();
      const raw = chain.rawTransaction(txid);
      const vout = Number(m[2]);
      if (raw === null || vout >= decodeRawTransaction(raw).outputs.length) {
        // Esplora answers an unknown output as unspent.
        return json({ spent: false });
      }
      const spender = await chain.getSpender({ txid, vout });
      if (spender === null) return json({ spent: false });
      const vin = decodeRawTransaction(spender.rawTx).inputs.findIndex(
        (input) => bytesToHex(input.txid) === txid && input.index === vout,
      );
      return json({
        spent: true,
        txid: spender.txid,
        vin,
        status: statusJson(chain, spender.txid),
      });
    },
  ],
  [
    'GET',
    new RegExp(`^/tx/${HASH}$`),
    async ({ chain }, m) => {
      const txid = m[1]!.toLowerCase();
      const raw = chain.rawTransaction(txid);
      return raw === null ? TX_NOT_FOUND : json(txJson(chain, txid, raw));
    },
  ],
  [
    'GET',
    ADDRESS_TXS,
    async ({ chain }, m) => {
      const { mempool, confirmed } = addressTransactions(chain, m[1]!);
      const page = [
        ...mempool.slice(0, ESPLORA_MEMPOOL_PAGE),
        ...confirmed.slice(0, ESPLORA_CHAIN_PAGE),
      ];
      return json(page.map((txid) => txJson(chain, txid, chain.rawTransaction(txid)!)));
    },
  ],
  [
    'GET',
    ADDRESS_CHAIN_TXS,
    async ({ chain }, m) => {
      const { confirmed } = addressTransactions(chain, m[1]!);
      const after = confirmed.indexOf(m[2]!.toLowerCase());
      const page = after < 0 ? [] : confirmed.slice(after + 1, after + 1 + ESPLORA_CHAIN_PAGE);
      return json(page.map((txid) => txJson(chain, txid, chain.rawTransaction(txid)!)));
    },
  ],
  [
    'GET',
    ADDRESS_UTXO,
    async ({ chain }, m) =>
      json(
        addressUnspent(chain, m[1]!).map((utxo) => ({
          txid: utxo.txid,
          vout: utxo.vout,
          status: utxo.blockHeight === null ? { confirmed: false } : statusJson(chain, utxo.txid),
          value: Number(utxo.value),
        })),
      ),
  ],
  ['GET', /^\/mempool\/txids$/, async ({ chain }) => json(chain.mempoolTxids())],
  [
    'GET',
    /^\/fee-estimates$/,
    async (state) => {
      if (state.feeRate === null) return json({});
      const rate = Math.max(state.feeRate, state.chain.minRelayFeeRate);
      const targets = [1, 2, 3, 4, 5, 6, 10, 20, 144, 504, 1008];
      return json(Object.fromEntries(targets.map((t) => [String(t), rate])));
    },
  ],
  [
    'POST',
    /^\/tx$/,
    async (state, _m, body) => {
      try {
        const txid = await CORE_METHODS.sendrawtransaction!(state, [body.trim()]);
        return text(String(txid));
      } catch (error: unknown) {
        if (error instanceof RpcFailure) {
          const detail = JSON.stringify({ code: error.rpcCode, message: error.message });
          return text(`sendrawtransaction RPC error: ${detail}`, 400);
        }
        if (error instanceof ChainError) return text(error.message, 400);
        throw error;
      }
    },
  ],
];

/** Answers one request of the Esplora REST dialect (`path` without the prefix). */
export async function esploraRoute(
  state: NodeState,
  method: string,
  path: string,
  body: string,
): Promise<EsploraResponse> {
  for (const [routeMethod, pattern, handler] of ROUTES) {
    const match = pattern.exec(path);
    if (match === null) continue;
    if (routeMethod !== method) return text('Method not allowed', 405);
    return handler(state, match, body);
  }
  return text('Not found', 404);
}
