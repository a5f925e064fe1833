import { bytesToHex } from '../bytes.js';
import type { ChainError } from '../chain/errors.js';
import { decodeRawTransaction, txidOfDecoded } from '../chain/raw-transaction.js';
import type { SimulatedChain } from '../chain/simulated-chain.js';
import { RPC_CODES } from './rpc-failure.js';

/** How Bitcoin Core would refuse a transaction the simulated chain refused. */
export interface CoreRejection {
  /** `reject-reason` of `testmempoolaccept`. */
  readonly reason: string;
  /** Error code of `sendrawtransaction`. */
  readonly rpcCode: number;
  /** Error message of `sendrawtransaction`. */
  readonly rpcMessage: string;
  /** True when `sendrawtransaction` succeeds anyway (the transaction is already in the mempool). */
  readonly alreadyInMempool: boolean;
}

const MISSING = 'bad-txns-inputs-missingorspent';

/**
 * Translates a refusal of the simulated chain into Core's words. Core says `missing-inputs`
 * for an input that is unknown, spent by a confirmed transaction, or when the transaction
 * itself confirmed with all its outputs spent; it says `txn-mempool-conflict` only for a
 * mempool spender. The chain is asked which case applies.
 */
export async function coreRejection(
  chain: SimulatedChain,
  rawTx: Uint8Array,
  error: ChainError,
): Promise<CoreRejection> {
  const rejected = (reason: string, detail?: string): CoreRejection => ({
    reason,
    rpcCode: RPC_CODES.VERIFY_REJECTED,
    rpcMessage: detail === undefined ? reason : `${reason}, ${detail}`,
    alreadyInMempool: false,
  });
  const missing: CoreRejection = {
    reason: 'missing-inputs',
    rpcCode: RPC_CODES.VERIFY_ERROR,
    rpcMessage: MISSING,
    alreadyInMempool: false,
  };
  const message = error.message.slice(error.code.length + 2);
  switch (error.code) {
    case 'TX_ALREADY_KNOWN': {
      const tx = decodeRawTransaction(rawTx);
      const txid = txidOfDecoded(tx);
      if (chain.confirmations(txid) === 0) {
        return { ...rejected('txn-already-in-mempool'), alreadyInMempool: true };
      }
      let unspentOutput = false;
      for (let vout = 0; vout < tx.outputs.length; vout++) {
        if ((await chain.getOutput({ txid, vout })) !== null) unspentOutput = true;
      }
      if (!unspentOutput) return missing;
      return {
        reason: 'txn-already-known',
        rpcCode: RPC_CODES.VERIFY_ALREADY_IN_CHAIN,
        rpcMessage: 'Transaction outputs already in utxo set',
        alreadyInMempool: false,
      };
    }
    case 'TX_MISSING_INPUTS':
      return missing;
    case 'TX_CONFLICT': {
      // A replacement by fee that pays too little, in Core's words.
      if (message.startsWith('insufficient fee')) {
        return rejected('insufficient fee', message.slice('insufficient fee, '.length));
      }
      const tx = decodeRawTransaction(rawTx);
      const mempool = new Set(chain.mempoolTxids());
      for (const input of tx.inputs) {
        const spends = chain.transactionsSpending({
          txid: bytesToHex(input.txid),
          vout: input.index,
        });
        if (spends.some((s) => s.status === 'mempool' && mempool.has(s.txid))) {
          return rejected('txn-mempool-conflict');
        }
      }
      return missing;
    }
    case 'TX_OUTPUTS_EXCEED_INPUTS':
      return rejected('bad-txns-in-belowout', message);
    case 'TX_FEE_TOO_LOW': {
      const figures = /fee (\d+) < (\d+)/.exec(message);
      return rejected(
        'min relay fee not met',
        figures === null ? message : `${figures[1]} < ${figures[2]}`,
      );
    }
    case 'TX_DUST_OUTPUT':
      return rejected('dust');
    case 'TX_NON_FINAL':
      return message.includes('nLockTime') ? rejected('non-final') : rejected('non-BIP68-final');
    case 'TX_UNSUPPORTED_LOCK':
      return rejected('non-BIP68-final');
    case 'TX_SCRIPT_INVALID':
      return rejected(`mandatory-script-verify-flag-failed (${message})`);
    case 'TX_MALFORMED':
      if (message.includes('coinbase')) return rejected('coinbase');
      if (message.includes('spent twice')) return rejected('bad-txns-inputs-duplicate');
      if (message.includes('21 million')) return rejected('bad-txns-vout-toolarge');
      return rejected('bad-txns-malformed', message);
    default:
      return rejected('rejected', message);
  }
}
