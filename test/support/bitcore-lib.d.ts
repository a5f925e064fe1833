/**
 * Minimal ambient types for the parts of bitcore-lib the tests use as an independent script
 * interpreter. bitcore-lib ships no types; only what `bitcore-verifier.ts` touches is declared.
 */
declare module 'bitcore-lib' {
  /** A parsed script. */
  interface BitcoreScript {
    toBuffer(): Buffer;
  }

  /** A transaction input as bitcore parses it. */
  interface BitcoreInput {
    readonly sequenceNumber: number;
    readonly script: BitcoreScript;
    /** `null` or `undefined` on inputs of legacy transactions. */
    getWitnesses(): Buffer[] | null | undefined;
  }

  /** A parsed transaction. */
  interface BitcoreTransaction {
    readonly version: number;
    readonly nLockTime: number;
    readonly inputs: BitcoreInput[];
  }

  /** bitcore's port of Bitcoin Core's script interpreter. */
  interface BitcoreInterpreter {
    /** Reason of the last failure, e.g. `SCRIPT_ERR_UNSATISFIED_LOCKTIME`. */
    errstr: string;
    /** Main stack after the last evaluation. */
    stack: Buffer[];
    verify(
      scriptSig: BitcoreScript,
      scriptPubkey: BitcoreScript,
      tx: BitcoreTransaction,
      nin: number,
      flags: number,
      witness: Buffer[],
      satoshis: number,
    ): boolean;
  }

  interface BitcoreInterpreterClass {
    new (): BitcoreInterpreter;
    readonly SCRIPT_VERIFY_P2SH: number;
    readonly SCRIPT_VERIFY_STRICTENC: number;
    readonly SCRIPT_VERIFY_DERSIG: number;
    readonly SCRIPT_VERIFY_LOW_S: number;
    readonly SCRIPT_VERIFY_NULLDUMMY: number;
    readonly SCRIPT_VERIFY_MINIMALDATA: number;
    readonly SCRIPT_VERIFY_CLEANSTACK: number;
    readonly SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY: number;
    readonly SCRIPT_VERIFY_CHECKSEQUENCEVERIFY: number;
    readonly SCRIPT_VERIFY_WITNESS: number;
  }

  interface BitcoreScriptClass {
    fromBuffer(buffer: Buffer): BitcoreScript;
    readonly Interpreter: BitcoreInterpreterClass;
  }

  interface BitcoreTransactionClass {
    new (serialized: Buffer): BitcoreTransaction;
  }

  interface BitcoreLib {
    readonly Script: BitcoreScriptClass;
    readonly Transaction: BitcoreTransactionClass;
  }

  const bitcore: BitcoreLib;
  export default bitcore;
}
