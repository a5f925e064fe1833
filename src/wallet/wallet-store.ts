import { existsSync } from 'node:fs';
import type { Chain } from '../chain/chain.js';
import type { NetworkName } from '../scripts/networks.js';
import type { ScryptParams } from '../storage/encryption-header.js';
import { WalletError } from './errors.js';
import { HdWallet, parseWalletState } from './hd-wallet.js';
import { readWalletFile, writeWalletFile } from './wallet-file.js';

/** Options of {@link createWallet} and {@link openWallet}. */
export interface WalletFileOptions {
  readonly path: string;
  readonly passphrase: string;
  /** scrypt cost for new files (tests use a cheap one). */
  readonly kdf?: ScryptParams;
  /** Where deposits are broadcast. */
  readonly chain?: Chain;
}

/**
 * Creates an encrypted wallet file for `mnemonic`; `WALLET_EXISTS` when there is one already
 * (a wallet is never overwritten).
 */
export async function createWallet(
  o: WalletFileOptions & { mnemonic: string; network: NetworkName },
): Promise<HdWallet> {
  if (existsSync(o.path))
    throw new WalletError('WALLET_EXISTS', `a wallet already exists at ${o.path}`);
  const state = HdWallet.newState(o.mnemonic, o.network);
  const seal = await writeWalletFile(o.path, JSON.stringify(state), o.passphrase, o.kdf);
  return new HdWallet(state, (s) => seal(JSON.stringify(s)), o.chain);
}

/** Opens an encrypted wallet file; errors as {@link readWalletFile}. */
export async function openWallet(o: WalletFileOptions): Promise<HdWallet> {
  const { plaintext, save } = await readWalletFile(o.path, o.passphrase);
  return new HdWallet(parseWalletState(plaintext), (s) => save(JSON.stringify(s)), o.chain);
}
