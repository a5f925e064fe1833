export { WalletError, type WalletErrorCode } from './errors.js';
export { HdWallet, type WalletCoin, type WalletState, parseWalletState } from './hd-wallet.js';
export { HdKeys, checkMnemonic, keyPath, newMnemonic, type KeyBranch } from './hd-keys.js';
export {
  type CoinScanner,
  CoreRpcCoinScanner,
  type FoundCoin,
  btcToSatoshis,
} from './coin-scanner.js';
export { readPassphrase, type PassphraseSources } from './passphrase.js';
export {
  readWalletFile,
  type WalletSealer,
  writeFileAtomic,
  writeWalletFile,
} from './wallet-file.js';
export { addressScript, signSend, type SignedSend, type SpendableCoin } from './send.js';
export { createWallet, openWallet, type WalletFileOptions } from './wallet-store.js';
