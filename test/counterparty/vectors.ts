import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Location of the Counterparty vectors: beside the reference fixtures when
 * `PICOPAYMENTS_VECTORS` points at them, else in shared/ beside the checkout.
 */
export const COUNTERPARTY_VECTORS_PATH =
  process.env.PICOPAYMENTS_COUNTERPARTY_VECTORS ??
  (process.env.PICOPAYMENTS_VECTORS
    ? join(dirname(process.env.PICOPAYMENTS_VECTORS), 'counterparty.json')
    : fileURLToPath(new URL('../../../shared/vectors/counterparty.json', import.meta.url)));

/** The Counterparty vectors (hex is lowercase, numbers are decimal strings). */
export interface CounterpartyVectors {
  arc4: { key: string; plaintextUtf8: string; ciphertext: string }[];
  opReturnTransactions: {
    firstInputTxid: string;
    opReturnScript: string;
    plaintext: string;
    meaning: { prefix: string; type: number; asset: string; assetId: string; quantity: string };
  }[];
  classicSendPayloads: {
    asset: string;
    assetId: string;
    quantity: string;
    typeIdAndPayload: string;
  }[];
  enhancedSendPayloads: {
    asset: string;
    assetId: string;
    quantity: string;
    shortAddress: string;
    memoHex: string;
    typeIdAndPayloadShort: string;
    typeIdAndPayloadLong: string;
  }[];
  assetIds: { name: string; id: string }[];
}

/** Loads the vectors once. */
export const counterpartyVectors: CounterpartyVectors = JSON.parse(
  readFileSync(COUNTERPARTY_VECTORS_PATH, 'utf8'),
);
