import { equalBytes, hexToBytes } from '../bytes.js';
import { PicopaymentsError } from '../errors.js';
import { assertCompressedPubkey } from '../scripts/keys.js';
import { parseCommitScript } from '../scripts/commit-script.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { assetId } from '../counterparty/assets.js';
import { parseAmount } from './amount.js';
import { MessageError } from './errors.js';
import type { ChannelMessage } from './schema.js';

// Runs a byte-level check, turning its typed error into a MESSAGE_INVALID_FIELD at `path`.
function field<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof MessageError) throw error;
    const reason = error instanceof PicopaymentsError ? error.message : 'invalid value';
    throw new MessageError('MESSAGE_INVALID_FIELD', reason, path);
  }
}

function pubkey(text: string, path: string): Uint8Array {
  return field(path, () => {
    const key = hexToBytes(text);
    assertCompressedPubkey(key);
    return key;
  });
}

function range(value: { min: number; max: number }, path: string): void {
  if (value.min > value.max) {
    throw new MessageError('MESSAGE_INVALID_FIELD', `min ${value.min} > max ${value.max}`, path);
  }
}

function distinctKeys(payer: Uint8Array, payee: Uint8Array, path: string): void {
  // A script whose two keys coincide lets one party sign both halves of the 2-of-2.
  if (equalBytes(payer, payee)) {
    throw new MessageError('MESSAGE_INVALID_FIELD', 'payer and payee keys are equal', path);
  }
}

/** Asset terms: a name Counterparty gives an id (not BTC), positive amounts in range. */
function assetTerms(
  asset: { readonly asset: string; readonly commitValue: string; readonly quantity?: string },
  path: string,
): void {
  field(`${path}/asset`, () => {
    if (assetId(asset.asset) === 0n)
      throw new MessageError('MESSAGE_INVALID_FIELD', 'BTC is not an asset', `${path}/asset`);
  });
  for (const name of ['commitValue', 'quantity'] as const) {
    const text = asset[name];
    if (text === undefined) continue;
    if (parseAmount(text, `${path}/${name}`) === 0n)
      throw new MessageError(
        'MESSAGE_INVALID_FIELD',
        `${name} must be positive`,
        `${path}/${name}`,
      );
  }
}

/**
 * Checks what the schema cannot express: keys on the curve, scripts that parse as their
 * template (and agree with the message), `min <= max`, amounts within range, distinct
 * secrets. The message must already match its schema.
 *
 * Not checked here (the guards do, with the channel's state at hand): whether the commit
 * transaction parses and spends the deposit, dust limits, and whether terms fit an offer.
 *
 * @throws {@link MessageError} `MESSAGE_INVALID_FIELD` naming the offending field.
 */
export function checkMessageSemantics(message: ChannelMessage): void {
  switch (message.type) {
    case 'offer':
      pubkey(message.payeePubkey, '/payeePubkey');
      range(message.expireTime, '/expireTime');
      range(message.delayTime, '/delayTime');
      if (message.asset) assetTerms(message.asset, '/asset');
      return;
    case 'deposit': {
      const payer = pubkey(message.payerPubkey, '/payerPubkey');
      const script = field('/depositScript', () =>
        parseDepositScript(hexToBytes(message.depositScript)),
      );
      if (!equalBytes(script.payerPubkey, payer)) {
        throw new MessageError(
          'MESSAGE_INVALID_FIELD',
          'payer key of the script differs from payerPubkey',
          '/depositScript',
        );
      }
      distinctKeys(script.payerPubkey, script.payeePubkey, '/depositScript');
      if (message.asset) assetTerms(message.asset, '/asset');
      return;
    }
    case 'deposit-funded':
      parseAmount(message.value, '/value');
      return;
    case 'commit': {
      parseAmount(message.amount, '/amount');
      const script = field('/commitScript', () =>
        parseCommitScript(hexToBytes(message.commitScript)),
      );
      distinctKeys(script.payerPubkey, script.payeePubkey, '/commitScript');
      return;
    }
    case 'revoke-secrets': {
      const seen = new Set<string>();
      message.secrets.forEach((secret, i) => {
        if (seen.has(secret)) {
          throw new MessageError('MESSAGE_INVALID_FIELD', 'duplicate secret', `/secrets/${i}`);
        }
        seen.add(secret);
      });
      return;
    }
    case 'revoke-secrets-ack': {
      const seen = new Set<string>();
      message.revokeSecretHashes.forEach((hash, i) => {
        if (seen.has(hash)) {
          throw new MessageError(
            'MESSAGE_INVALID_FIELD',
            'duplicate hash',
            `/revokeSecretHashes/${i}`,
          );
        }
        seen.add(hash);
      });
      return;
    }
    case 'revoke-hash':
    case 'close':
      return;
  }
}
