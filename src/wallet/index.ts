export { WalletError, type WalletErrorCode } from './errors.js';
export { HdWallet, type WalletCoin, type WalletState, parseWalletState } from './hd-wallet.js';
export { HdKeys, checkMnemonic, keyPath, newMnemonic, type KeyBranch } from './hd-keys.js';
export {
  type CoinScanner,
  CoreRpcCoinScanner,
  type FoundCoin,
  type ScannedBlock,
  btcToSatoshis,
} from './coin-scanner.js';
export { EsploraCoinScanner, type EsploraCoinScannerOptions } from './esplora-coin-scanner.js';
export {
  type BlockMark,
  DENSE_BLOCKS,
  forkHeight,
  keepsMark,
  thinMarks,
  validMarks,
} from './block-index.js';
export { readPassphrase, type PassphraseSources } from './passphrase.js';
export {
  readWalletFile,
  type WalletSealer,
  writeFileAtomic,
  writeWalletFile,
} from './wallet-file.js';
export { addressScript, signSend, type SignedSend, type SpendableCoin } from './send.js';
export { createWallet, openWallet, type WalletFileOptions } from './wallet-store.js';
