import { PicopaymentsError } from '../errors.js';

/** Codes of {@link WalletError}. */
export type WalletErrorCode =
  | 'WALLET_WRONG_PASSPHRASE'
  | 'WALLET_CORRUPT'
  | 'WALLET_EXISTS'
  | 'WALLET_NOT_FOUND'
  | 'WALLET_BAD_MNEMONIC'
  | 'WALLET_NO_PASSPHRASE'
  | 'WALLET_INSUFFICIENT_FUNDS'
  | 'WALLET_BAD_ADDRESS'
  | 'WALLET_NO_CHAIN'
  | 'WALLET_ASSET_UNSUPPORTED';

/** A wallet that cannot be opened, created or spent from as asked; nothing was changed. */
export class WalletError extends PicopaymentsError<WalletErrorCode> {}
