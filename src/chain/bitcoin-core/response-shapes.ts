import { ChainError } from '../errors.js';

/**
 * Checkers of Bitcoin Core's result shapes. A node that answers outside them is treated as
 * hostile or broken: `NODE_BAD_RESPONSE`, and nothing of its answer is used.
 */

function bad(what: string, detail: string): ChainError {
  return new ChainError('NODE_BAD_RESPONSE', `${what}: ${detail}`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(what, 'expected an object');
  }
  return value as Record<string, unknown>;
}

/** A 64-digit hex hash, lower-cased. */
export function asHash(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) {
    throw bad(what, 'expected a 64-digit hex hash');
  }
  return value.toLowerCase();
}

/** A non-negative safe integer. */
export function asCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw bad(what, 'expected a non-negative integer');
  }
  return value;
}

/** An even-length hex string, lower-cased. */
export function asHex(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw bad(what, 'expected hex');
  }
  return value.toLowerCase();
}

/** An amount in BTC (JSON number) as satoshis. */
export function asSats(value: unknown, what: string): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 21e6) {
    throw bad(what, 'expected an amount in BTC');
  }
  return BigInt(Math.round(value * 1e8));
}

/** What a header says about a block's place in the chain. */
export interface CoreHeader {
  readonly hash: string;
  readonly height: number;
  /** `null` for the genesis block. */
  readonly previousHash: string | null;
  /** -1 for a block off the active chain. */
  readonly confirmations: number;
}

/** `getblockheader` verbose. */
export function parseHeader(value: unknown): CoreHeader {
  const header = record(value, 'getblockheader');
  const confirmations = header.confirmations;
  if (
    typeof confirmations !== 'number' ||
    !Number.isSafeInteger(confirmations) ||
    confirmations < -1
  ) {
    throw bad('getblockheader', 'bad confirmations');
  }
  return {
    hash: asHash(header.hash, 'getblockheader.hash'),
    height: asCount(header.height, 'getblockheader.height'),
    previousHash:
      header.previousblockhash === undefined
        ? null
        : asHash(header.previousblockhash, 'getblockheader.previousblockhash'),
    confirmations,
  };
}

/** One transaction of a verbosity-2 block: what the follower matches on. */
export interface CoreBlockTransaction {
  readonly txid: string;
  readonly hex: string;
  /** Spent outpoints; empty for the coinbase. */
  readonly inputs: readonly { readonly txid: string; readonly vout: number }[];
}

/** A block at verbosity 2. */
export interface CoreBlock extends CoreHeader {
  readonly transactions: readonly CoreBlockTransaction[];
}

/** `getblock` at verbosity 2. */
export function parseBlock(value: unknown): CoreBlock {
  const header = parseHeader(value);
  const list = record(value, 'getblock').tx;
  if (!Array.isArray(list)) throw bad('getblock', 'tx is not an array');
  const transactions = list.map((entry, index): CoreBlockTransaction => {
    const what = `getblock.tx[${index}]`;
    const tx = record(entry, what);
    if (!Array.isArray(tx.vin)) throw bad(what, 'vin is not an array');
    const inputs = tx.vin.flatMap((input, i) => {
      const vin = record(input, `${what}.vin[${i}]`);
      if (vin.coinbase !== undefined) return [];
      return [
        {
          txid: asHash(vin.txid, `${what}.vin[${i}].txid`),
          vout: asCount(vin.vout, `${what}.vin[${i}].vout`),
        },
      ];
    });
    return { txid: asHash(tx.txid, `${what}.txid`), hex: asHex(tx.hex, `${what}.hex`), inputs };
  });
  return { ...header, transactions };
}

/** One verdict of `testmempoolaccept`. */
export type CoreAcceptance =
  | { readonly allowed: true; readonly txid: string }
  | { readonly allowed: false; readonly txid: string; readonly reason: string };

/** `testmempoolaccept` for a single transaction. */
export function parseAcceptance(value: unknown): CoreAcceptance {
  if (!Array.isArray(value) || value.length !== 1) {
    throw bad('testmempoolaccept', 'expected one verdict');
  }
  const verdict = record(value[0], 'testmempoolaccept[0]');
  const txid = asHash(verdict.txid, 'testmempoolaccept.txid');
  if (verdict.allowed === true) return { allowed: true, txid };
  if (verdict.allowed !== false) throw bad('testmempoolaccept', 'allowed is not a boolean');
  const reason = verdict['reject-reason'];
  if (typeof reason !== 'string' || reason.length > 1000) {
    throw bad('testmempoolaccept', 'reject-reason is not a string');
  }
  return { allowed: false, txid, reason };
}

/** `gettxout`: `null` when spent or unknown. */
export function parseTxOut(
  value: unknown,
): { value: bigint; script: string; confirmations: number; bestBlock: string } | null {
  if (value === null) return null;
  const out = record(value, 'gettxout');
  const script = record(out.scriptPubKey, 'gettxout.scriptPubKey');
  return {
    value: asSats(out.value, 'gettxout.value'),
    script: asHex(script.hex, 'gettxout.scriptPubKey.hex'),
    confirmations: asCount(out.confirmations, 'gettxout.confirmations'),
    bestBlock: asHash(out.bestblock, 'gettxout.bestblock'),
  };
}

/** `gettxspendingprevout` for `count` outpoints: the mempool spender of each, or `null`. */
export function parseSpending(value: unknown, count: number): (string | null)[] {
  if (!Array.isArray(value) || value.length !== count) {
    throw bad('gettxspendingprevout', `expected ${count} entries`);
  }
  return value.map((entry, i) => {
    const item = record(entry, `gettxspendingprevout[${i}]`);
    return item.spendingtxid === undefined ? null : asHash(item.spendingtxid, 'spendingtxid');
  });
}

/** `estimatesmartfee`: BTC/kvB, or `null` when the node has no estimate. */
export function parseFeeEstimate(value: unknown): number | null {
  const estimate = record(value, 'estimatesmartfee');
  if (estimate.feerate === undefined) return null;
  const rate = estimate.feerate;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > 1) {
    throw bad('estimatesmartfee', 'feerate is not a plausible BTC/kvB rate');
  }
  return rate;
}

/** A BTC/kvB fee rate field of `getnetworkinfo` or `getmempoolinfo`, in sat/vB. */
function feeRateField(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw bad(what, 'is not a plausible BTC/kvB rate');
  }
  // BTC per 1000 vB to sat per vB.
  return Math.round(value * 1e8) / 1000;
}

/** `getnetworkinfo`: the node's `-minrelaytxfee` (`relayfee`), sat/vB. */
export function parseNetworkRelayFee(value: unknown): number {
  return feeRateField(record(value, 'getnetworkinfo').relayfee, 'getnetworkinfo.relayfee');
}

/** `getmempoolinfo`: the mempool's current minimum fee (`mempoolminfee`), sat/vB. */
export function parseMempoolMinFee(value: unknown): number {
  return feeRateField(
    record(value, 'getmempoolinfo').mempoolminfee,
    'getmempoolinfo.mempoolminfee',
  );
}

/** `getrawtransaction` verbose: the hex and, once confirmed, the block hash. */
export function parseVerboseTransaction(value: unknown): { hex: string; blockHash: string | null } {
  const tx = record(value, 'getrawtransaction');
  return {
    hex: asHex(tx.hex, 'getrawtransaction.hex'),
    blockHash:
      tx.blockhash === undefined ? null : asHash(tx.blockhash, 'getrawtransaction.blockhash'),
  };
}

/** An array of txids (`getrawmempool`). */
export function parseTxids(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) throw bad(what, 'expected an array');
  return value.map((txid, i) => asHash(txid, `${what}[${i}]`));
}
