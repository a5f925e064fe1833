import { decodeRawTransaction } from '../chain/raw-transaction.js';
import type { NetworkName } from '../scripts/networks.js';
import { arc4KeyOfTxid } from './arc4.js';
import type { CounterpartyBalances } from './balances.js';
import { CounterpartyError } from './errors.js';
import type { CounterpartyLedgerTransaction } from './ledger.js';
import { type DecodedCounterpartySend, decodeCounterpartyMessage } from './message.js';
import {
  CLASSIC_SEND_TYPE,
  ENHANCED_SEND_TYPE,
  prefixBytes,
  unpackMessageType,
} from './message-type.js';
import { MAX_QUANTITY } from './quantity.js';
import { counterpartySource } from './source.js';
import { type CounterpartyTransactionData, extractCounterpartyData } from './transaction.js';

/** Gives the output script of an outpoint, `null` when it is unknown. */
export type PrevOutScriptResolver = (outpoint: {
  readonly txid: string;
  readonly vout: number;
}) => Uint8Array | null;

/** Options of {@link applyCounterpartyTransaction}. */
export interface ApplyTransactionOptions {
  /** Height of the block holding the transaction. */
  readonly blockHeight: number;
  /** Network of addresses (default `mainnet`). */
  readonly network?: NetworkName;
  /** Prefix (default `CNTRPRTY`). */
  readonly prefix?: string;
}

/**
 * Parses one confirmed transaction by Counterparty's rules for sends and applies it to
 * `balances`. The source is the address of the output the first input spends. A classic send
 * moves at most the source's balance (and is invalid when the source never held the asset);
 * an enhanced send moves its quantity only when the source holds that much. Anything invalid
 * moves nothing.
 *
 * @returns the judgement, or `null` for a transaction Counterparty ignores (no data, a bad
 *   output, or a first input that cannot be a source).
 * @throws {@link CounterpartyError} `PREVOUT_UNKNOWN` when the resolver does not know the first
 *   input's previous output.
 */
export function applyCounterpartyTransaction(
  balances: CounterpartyBalances,
  rawTx: Uint8Array,
  resolvePrevOutScript: PrevOutScriptResolver,
  options: ApplyTransactionOptions,
): CounterpartyLedgerTransaction | null {
  const network = options.network ?? 'mainnet';
  const codec = { network, prefix: options.prefix };
  let data: CounterpartyTransactionData;
  try {
    data = extractCounterpartyData(rawTx, codec);
  } catch (error) {
    if (error instanceof CounterpartyError) return null;
    throw error;
  }
  const prevOutScript = resolvePrevOutScript(data.firstInput);
  if (!(prevOutScript instanceof Uint8Array)) {
    throw new CounterpartyError(
      'PREVOUT_UNKNOWN',
      `${data.firstInput.txid}:${data.firstInput.vout} is unknown`,
    );
  }
  let source: string;
  try {
    const key = arc4KeyOfTxid(data.firstInput.txid);
    source = counterpartySource(
      decodeRawTransaction(rawTx),
      prevOutScript,
      key,
      prefixBytes(options.prefix),
      network,
    );
  } catch (error) {
    if (error instanceof CounterpartyError) return null;
    throw error;
  }
  const base = { txid: data.txid, blockHeight: options.blockHeight, source };
  let message: DecodedCounterpartySend;
  try {
    message = decodeCounterpartyMessage(data.message, codec);
  } catch (error) {
    if (!(error instanceof CounterpartyError)) throw error;
    const type = sendTypeOf(data.message);
    return {
      ...base,
      type,
      destination: null,
      asset: null,
      quantity: null,
      status: type === 'unsupported' ? 'unsupported' : 'invalid: could not unpack',
    };
  }
  if (message.type === 'classic') return applyClassic(balances, data, message, base);
  return applyEnhanced(balances, message, base);
}

type Base = Pick<CounterpartyLedgerTransaction, 'txid' | 'blockHeight' | 'source'>;

function applyClassic(
  balances: CounterpartyBalances,
  data: CounterpartyTransactionData,
  message: DecodedCounterpartySend & { type: 'classic' },
  base: Base,
): CounterpartyLedgerTransaction {
  const result = {
    ...base,
    type: 'classic',
    destination: data.destination,
    asset: message.asset,
  } as const;
  const held = balances.row(base.source, message.asset);
  if (held === null) return { ...result, quantity: null, status: 'invalid: insufficient funds' };
  // Counterparty's oversend rule: a classic send moves at most what the source holds.
  let quantity = message.quantity < held ? message.quantity : held;
  if (quantity > MAX_QUANTITY) quantity = MAX_QUANTITY;
  if (data.destination === null) {
    return { ...result, quantity, status: 'invalid: destination is required' };
  }
  balances.debit(base.source, message.asset, quantity);
  balances.credit(data.destination, message.asset, quantity);
  return { ...result, quantity, status: 'valid' };
}

function applyEnhanced(
  balances: CounterpartyBalances,
  message: DecodedCounterpartySend & { type: 'enhanced' },
  base: Base,
): CounterpartyLedgerTransaction {
  const destination = message.destination.address;
  const result = { ...base, type: 'enhanced', destination, asset: message.asset } as const;
  if (message.quantity === 0n) {
    return { ...result, quantity: 0n, status: 'invalid: zero quantity' };
  }
  const held = balances.row(base.source, message.asset) ?? 0n;
  if (held === 0n || held < message.quantity) {
    return { ...result, quantity: message.quantity, status: 'invalid: insufficient funds' };
  }
  balances.debit(base.source, message.asset, message.quantity);
  balances.credit(destination, message.asset, message.quantity);
  return { ...result, quantity: message.quantity, status: 'valid' };
}

function sendTypeOf(message: Uint8Array): CounterpartyLedgerTransaction['type'] {
  try {
    const { typeId } = unpackMessageType(message);
    if (typeId === CLASSIC_SEND_TYPE) return 'classic';
    if (typeId === ENHANCED_SEND_TYPE) return 'enhanced';
  } catch {
    // No readable type id: nothing Counterparty would act on.
  }
  return 'unsupported';
}
