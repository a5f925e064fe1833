import { bytesToHex, concatBytes, equalBytes } from '../bytes.js';
import type { NetworkName } from '../scripts/networks.js';
import { ChainError } from '../chain/errors.js';
import {
  type DecodedTransaction,
  decodeRawTransaction,
  txidOfDecoded,
} from '../chain/raw-transaction.js';
import { outputScriptAddress, standardOutput } from './addresses.js';
import { arc4, arc4KeyOfTxid } from './arc4.js';
import { CounterpartyError } from './errors.js';
import {
  type CounterpartyCodecOptions,
  type DecodedCounterpartySend,
  decodeCounterpartyMessage,
  stripPrefix,
} from './message.js';
import { prefixBytes } from './message-type.js';
import { isOpReturn, opReturnData } from './op-return.js';

/** An output Counterparty counts as a destination. */
export interface CounterpartyDestination {
  readonly vout: number;
  readonly address: string;
  readonly value: bigint;
}

/** The Counterparty reading of a transaction, before its message is decoded. */
export interface CounterpartyTransactionData {
  /** Txid, display order. */
  readonly txid: string;
  /** The first input's previous output: its address is the message's source. */
  readonly firstInput: { readonly txid: string; readonly vout: number };
  /** The outputs before the first data output, in order. */
  readonly destinations: readonly CounterpartyDestination[];
  /** Counterparty's destination: the destination addresses joined by `-`, `null` when none. */
  readonly destination: string | null;
  /** BTC paid to the destinations, in satoshis. */
  readonly btcAmount: bigint;
  /** The message (prefix removed) from the data outputs, concatenated. */
  readonly message: Uint8Array;
}

/** A decoded Counterparty send transaction. */
export interface DecodedCounterpartyTransaction
  extends Omit<CounterpartyTransactionData, 'message'> {
  readonly message: DecodedCounterpartySend;
}

const NULL_TXID = '00'.repeat(32);
const COINBASE_INDEX = 0xffffffff;

/**
 * Reads a transaction's outputs as Counterparty does: destinations are the outputs before the
 * first data output; data outputs are OP_RETURNs whose ARC4-decrypted push starts with the
 * prefix; reading stops at the first destination after the data. An unrecognised output met
 * before that point voids the transaction, as it does in Counterparty.
 *
 * @throws {@link CounterpartyError} `TX_MALFORMED`, `NOT_COUNTERPARTY`, `OP_RETURN_MALFORMED`,
 *   `DATA_TOO_LONG`, `PREFIX_MISMATCH`, `UNSUPPORTED_ENCODING` or `UNRECOGNISED_OUTPUT`.
 */
export function extractCounterpartyData(
  rawTx: Uint8Array,
  options: CounterpartyCodecOptions = {},
): CounterpartyTransactionData {
  const tx = decode(rawTx);
  const network = options.network ?? 'mainnet';
  const prefix = prefixBytes(options.prefix);
  const first = tx.inputs[0]!;
  const firstInput = { txid: bytesToHex(first.txid), vout: first.index };
  if (firstInput.txid === NULL_TXID && firstInput.vout === COINBASE_INDEX) {
    throw new CounterpartyError('NOT_COUNTERPARTY', 'coinbase transaction');
  }
  const key = arc4KeyOfTxid(firstInput.txid);
  const destinations: CounterpartyDestination[] = [];
  const chunks: Uint8Array[] = [];
  for (let vout = 0; vout < tx.outputs.length; vout++) {
    const output = tx.outputs[vout]!;
    const read = readOutput(output.script, key, prefix, network, vout, options.prefix);
    if (read.kind === 'destination') {
      if (chunks.length > 0) break;
      destinations.push({ vout, address: read.address, value: output.amount });
    } else {
      chunks.push(read.message);
    }
  }
  if (chunks.length === 0) {
    throw new CounterpartyError('NOT_COUNTERPARTY', 'no Counterparty data output');
  }
  return {
    txid: txidOfDecoded(tx),
    firstInput,
    destinations,
    destination: destinations.length === 0 ? null : destinations.map((d) => d.address).join('-'),
    btcAmount: destinations.reduce((sum, d) => sum + d.value, 0n),
    message: concatBytes(...chunks),
  };
}

/**
 * Decodes a raw Counterparty send transaction: {@link extractCounterpartyData}, then the
 * message.
 *
 * @throws {@link CounterpartyError} any code of {@link extractCounterpartyData} or of
 *   {@link decodeCounterpartyMessage}.
 */
export function decodeCounterpartyTransaction(
  rawTx: Uint8Array,
  options: CounterpartyCodecOptions = {},
): DecodedCounterpartyTransaction {
  const data = extractCounterpartyData(rawTx, options);
  return { ...data, message: decodeCounterpartyMessage(data.message, options) };
}

type ReadOutput =
  | { readonly kind: 'destination'; readonly address: string }
  | { readonly kind: 'data'; readonly message: Uint8Array };

function readOutput(
  script: Uint8Array,
  key: Uint8Array,
  prefix: Uint8Array,
  network: NetworkName,
  vout: number,
  prefixOption: string | undefined,
): ReadOutput {
  if (isOpReturn(script)) {
    const data = opReturnData(script);
    // A bare prefix marks a taproot reveal whose data sits in the witness envelope.
    if (equalBytes(data, prefix)) {
      throw new CounterpartyError('UNSUPPORTED_ENCODING', `output ${vout}: taproot envelope`);
    }
    return { kind: 'data', message: stripPrefix(arc4(key, data), prefixOption) };
  }
  const standard = standardOutput(script);
  if (standard !== null) {
    if (standard.kind === 'p2pkh') {
      // Counterparty also hides data in P2PKH hashes: a length byte, then the prefix.
      const chunk = arc4(key, standard.hash);
      if (equalBytes(chunk.subarray(1, 1 + prefix.length), prefix)) {
        throw new CounterpartyError('UNSUPPORTED_ENCODING', `output ${vout}: data in P2PKH`);
      }
    }
    return { kind: 'destination', address: outputScriptAddress(script, network)! };
  }
  if (script[script.length - 1] === 0xae) {
    throw new CounterpartyError('UNSUPPORTED_ENCODING', `output ${vout}: bare multisig`);
  }
  throw new CounterpartyError('UNRECOGNISED_OUTPUT', `output ${vout}: unrecognised script`);
}

function decode(rawTx: Uint8Array): DecodedTransaction {
  try {
    return decodeRawTransaction(rawTx);
  } catch (error) {
    if (error instanceof ChainError) {
      throw new CounterpartyError('TX_MALFORMED', error.message);
    }
    throw error;
  }
}
