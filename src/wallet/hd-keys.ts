import { HDKey } from '@scure/bip32';
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import type { NetworkName } from '../scripts/networks.js';
import { WalletError } from './errors.js';

/** Which branch of the tree a key comes from. */
export type KeyBranch = 'receive' | 'change' | 'channel';

/** A new 12-word English BIP39 mnemonic (128 bits of entropy). */
export function newMnemonic(): string {
  return generateMnemonic(wordlist, 128);
}

/**
 * The mnemonic with whitespace normalised, or a `WALLET_BAD_MNEMONIC` error when its words or
 * checksum are wrong.
 */
export function checkMnemonic(text: string): string {
  const words = text.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ');
  if (!validateMnemonic(words, wordlist))
    throw new WalletError('WALLET_BAD_MNEMONIC', 'not a valid English BIP39 mnemonic');
  return words;
}

/**
 * Derivation path of key `index` on `branch`: BIP84 for receive (`/0/i`) and change (`/1/i`)
 * addresses; channel keys come from account 1' so they never share a key with an address.
 */
export function keyPath(network: NetworkName, branch: KeyBranch, index: number): string {
  const coin = network === 'mainnet' ? 0 : 1;
  if (branch === 'channel') return `m/84'/${coin}'/1'/0/${index}`;
  return `m/84'/${coin}'/0'/${branch === 'receive' ? 0 : 1}/${index}`;
}

/** Derives private keys from a mnemonic (no BIP39 passphrase). */
export class HdKeys {
  private readonly root: HDKey;

  constructor(mnemonic: string) {
    this.root = HDKey.fromMasterSeed(mnemonicToSeedSync(checkMnemonic(mnemonic)));
  }

  /** The 32-byte private key at `path`. */
  privateKey(path: string): Uint8Array {
    const key = this.root.derive(path).privateKey;
    if (!key) throw new WalletError('WALLET_CORRUPT', `no private key at ${path}`);
    return key;
  }
}
