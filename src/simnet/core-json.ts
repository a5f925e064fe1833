import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '../bytes.js';
import {
  decodeRawTransaction,
  strippedSerialization,
  txidOfDecoded,
} from '../chain/raw-transaction.js';
import type { SimulatedBlockDetail, SimulatedChain } from '../chain/simulated-chain.js';
import { satsToBtc } from './amounts.js';
import { describeScript } from './script-info.js';

const NULL_TXID = '00'.repeat(32);
const COINBASE_INDEX = 0xffffffff;

/** Regtest's difficulty at the minimum target, as Core prints it. */
export const REGTEST_DIFFICULTY = 4.656542373906925e-10;

/** True when the transaction's only input is the null outpoint (faucet transactions). */
export function isCoinbase(rawTx: Uint8Array): boolean {
  const tx = decodeRawTransaction(rawTx);
  const input = tx.inputs[0];
  return (
    tx.inputs.length === 1 &&
    input !== undefined &&
    input.index === COINBASE_INDEX &&
    bytesToHex(input.txid) === NULL_TXID
  );
}

/** Sizes as Core reports them. */
export function sizesOf(rawTx: Uint8Array): { size: number; vsize: number; weight: number } {
  const stripped = strippedSerialization(decodeRawTransaction(rawTx)).length;
  const weight = stripped * 3 + rawTx.length;
  return { size: rawTx.length, vsize: Math.ceil(weight / 4), weight };
}

/**
 * A transaction as `getrawtransaction` verbose and `getblock` verbosity 2 describe it: txid,
 * wtxid, sizes, inputs with script and witness, outputs with value in BTC and script.
 */
export function transactionJson(rawTx: Uint8Array): Record<string, unknown> {
  const tx = decodeRawTransaction(rawTx);
  const coinbase = isCoinbase(rawTx);
  return {
    txid: txidOfDecoded(tx),
    hash: bytesToHex(sha256(sha256(rawTx)).reverse()),
    version: tx.version,
    ...sizesOf(rawTx),
    locktime: tx.lockTime,
    vin: tx.inputs.map((input, index) => {
      const witness = tx.witnesses?.[index] ?? [];
      const scriptSig = input.finalScriptSig ?? new Uint8Array();
      const entry: Record<string, unknown> = coinbase
        ? { coinbase: bytesToHex(scriptSig) }
        : {
            txid: bytesToHex(input.txid),
            vout: input.index,
            scriptSig: { hex: bytesToHex(scriptSig) },
          };
      if (witness.length > 0) entry.txinwitness = witness.map((item) => bytesToHex(item));
      entry.sequence = input.sequence;
      return entry;
    }),
    vout: tx.outputs.map((output, n) => ({
      value: satsToBtc(output.amount),
      n,
      scriptPubKey: describeScript(output.script),
    })),
    hex: bytesToHex(rawTx),
  };
}

/** Hex of Bitcoin's variable-length integer. */
function compactSize(value: number): Uint8Array {
  if (value < 0xfd) return new Uint8Array([value]);
  if (value <= 0xffff) return new Uint8Array([0xfd, value & 0xff, value >>> 8]);
  const bytes = new Uint8Array(5);
  bytes[0] = 0xfe;
  new DataView(bytes.buffer).setUint32(1, value, true);
  return bytes;
}

/** The serialized block: header, transaction count, transactions (what verbosity 0 returns). */
export function serializeBlock(block: SimulatedBlockDetail): Uint8Array {
  const parts = [block.header, compactSize(block.transactions.length)];
  for (const tx of block.transactions) parts.push(tx.rawTx);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Chain work in Core's 64-digit hex: two units per block at regtest's minimum difficulty. */
export function chainWork(height: number): string {
  return (BigInt(height + 1) * 2n).toString(16).padStart(64, '0');
}

/** The object `getblockheader` (verbose) returns for a block. */
export function headerJson(
  chain: SimulatedChain,
  block: SimulatedBlockDetail,
): Record<string, unknown> {
  const view = new DataView(block.header.buffer, block.header.byteOffset, 80);
  const next = block.inMainChain ? chain.blockDetail(block.height + 1) : null;
  const json: Record<string, unknown> = {
    hash: block.hash,
    confirmations: block.inMainChain ? chain.height - block.height + 1 : -1,
    height: block.height,
    version: view.getInt32(0, true),
    versionHex: (view.getInt32(0, true) >>> 0).toString(16).padStart(8, '0'),
    merkleroot: bytesToHex(block.header.slice(36, 68).reverse()),
    time: block.time,
    mediantime: medianTime(chain, block),
    nonce: view.getUint32(76, true),
    bits: view.getUint32(72, true).toString(16).padStart(8, '0'),
    difficulty: REGTEST_DIFFICULTY,
    chainwork: chainWork(block.height),
    nTx: block.transactions.length,
  };
  if (block.height > chain.startHeight) json.previousblockhash = block.previousHash;
  if (next !== null) json.nextblockhash = next.hash;
  return json;
}

/** Median of the last eleven block times up to `block` (times grow with height here). */
export function medianTime(chain: SimulatedChain, block: SimulatedBlockDetail): number {
  const first = Math.max(chain.startHeight, block.height - 10);
  const count = block.height - first + 1;
  return block.time - 600 * (count - 1) + 600 * Math.floor(count / 2);
}

/** The object `getblock` verbosity 1 (txids) or 2 (decoded transactions) returns. */
export function blockJson(
  chain: SimulatedChain,
  block: SimulatedBlockDetail,
  verbosity: 1 | 2,
): Record<string, unknown> {
  const raw = serializeBlock(block);
  const strippedSize =
    raw.length -
    block.transactions.reduce(
      (n, tx) => n + tx.rawTx.length - strippedSerialization(decodeRawTransaction(tx.rawTx)).length,
      0,
    );
  return {
    ...headerJson(chain, block),
    strippedsize: strippedSize,
    size: raw.length,
    weight: strippedSize * 3 + raw.length,
    tx:
      verbosity === 1
        ? block.transactions.map((tx) => tx.txid)
        : block.transactions.map((tx) => {
            const json = transactionJson(tx.rawTx);
            const fee = chain.feeOf(tx.txid);
            // Core gives the fee when it has the block's undo data; coinbases have none.
            if (fee !== null && !isCoinbase(tx.rawTx)) json.fee = satsToBtc(fee);
            return json;
          }),
  };
}
