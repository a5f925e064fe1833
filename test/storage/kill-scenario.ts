/**
 * What the kill -9 test's parent and its child share: the channel's parameters, how to open the
 * store under test from a plain description, and how to rebuild the chain the channel lives on.
 */
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import type { ScriptVerifier } from '../../src/chain/chain.js';
import { transferredAmount } from '../../src/machines/bookkeeping.js';
import type { PayeeContext, PayerContext } from '../../src/machines/context.js';
import { payerTransferred } from '../../src/guards/payer-guards.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { PostgresStore } from '../../src/storage/postgres-store.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import type { EncryptionOptions } from '../../src/storage/snapshot-cipher.js';
import { snapshotContext } from '../support/snapshot-context.js';

/** Where the store under test lives; passed to the child as JSON. */
export type StoreSpec =
  | {
      readonly backend: 'sqlite';
      readonly path: string;
      readonly passphrase?: string;
      /** Control only: the store acknowledges saves before writing them (must be caught). */
      readonly flawed?: boolean;
    }
  | {
      readonly backend: 'postgres';
      readonly url: string;
      readonly schema: string;
      readonly passphrase?: string;
    };

/** Everything the child needs; passed as JSON in `KILL_WORKER_SPEC`. */
export interface WorkerSpec {
  readonly store: StoreSpec;
  /** The deposit transaction, to rebuild the chain as it was when the channel opened. */
  readonly depositTx: string;
}

export const CHANNEL_ID = 'kill-test-channel';
export const PAYER_KEY = 'payer/kill-test-channel';
export const PAYEE_KEY = 'payee/kill-test-channel';
export const FUNDING = 10_000_000n;
export const DEPOSIT = 2_000_000n;
export const PAYMENT = 1_000n;

/** Deterministic test key from a small number (as the channel harness makes them). */
export function privateKey(n: number): Uint8Array {
  const key = new Uint8Array(32);
  key[31] = n;
  key[0] = 0x11;
  return key;
}

const KDF = { N: 2 ** 12, r: 8, p: 1 } as const;

function encryption(passphrase: string | undefined): EncryptionOptions | undefined {
  return passphrase ? { passphrase, kdf: KDF } : undefined;
}

/**
 * A deliberately broken store for the campaign's control run: `save` resolves at once and writes
 * 40 ms later, so a kill in between loses an acknowledged payment. The campaign must notice.
 */
class AcknowledgesEarly {
  constructor(private readonly inner: SqliteStore) {}
  load(key: string) {
    return this.inner.load(key);
  }
  async save(key: string, snapshot: string) {
    setTimeout(() => void this.inner.save(key, snapshot).catch(() => undefined), 40);
  }
  close() {
    return this.inner.close();
  }
}

/** Opens the store a spec describes. */
export async function openStore(
  spec: StoreSpec,
): Promise<SqliteStore | PostgresStore | AcknowledgesEarly> {
  if (spec.backend === 'sqlite') {
    const store = await SqliteStore.open(spec.path, {
      encryption: encryption(spec.passphrase),
      busyTimeoutMs: 5000,
    });
    return spec.flawed ? new AcknowledgesEarly(store) : store;
  }
  return PostgresStore.open({
    connectionString: spec.url,
    schema: spec.schema,
    encryption: encryption(spec.passphrase),
  });
}

/** A funded chain and wallet, as both sides build them before the deposit. */
export function fundedChain(verifyScript?: ScriptVerifier) {
  const chain = new SimulatedChain(verifyScript ? { verifyScript } : {});
  const wallet = new SingleKeyWallet(chain, privateKey(1));
  wallet.addCoin(chain.fund(wallet.outputScript, FUNDING), FUNDING);
  return { chain, wallet };
}

/** The chain exactly as it stood once the channel opened: funding, deposit, one block. */
export async function rebuiltChain(depositTx: string) {
  const { chain, wallet } = fundedChain();
  await chain.broadcast(hexToBytes(depositTx));
  chain.mine(1);
  return { chain, wallet };
}

/** Raw deposit transaction of an opened payer, from the chain. */
export async function depositTxOf(chain: SimulatedChain, payer: PayerContext): Promise<string> {
  const tx = await chain.getTransaction(payer.deposit!.txid);
  return bytesToHex(tx!.rawTx);
}

/** What a stored pair of snapshots says was paid. */
export function amountsOf(payerSnapshot: string, payeeSnapshot: string) {
  const payer = snapshotContext<PayerContext>(payerSnapshot);
  const payee = snapshotContext<PayeeContext>(payeeSnapshot);
  return {
    payer: payerTransferred(payer),
    payee: transferredAmount(payee.activeCommits),
    payerContext: payer,
    payeeContext: payee,
  };
}
