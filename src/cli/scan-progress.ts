import type { Chain } from '../chain/chain.js';
import type { CoinScanner } from '../wallet/coin-scanner.js';
import type { HdWallet } from '../wallet/hd-wallet.js';
import type { CommandContext } from './command.js';

/** Blocks between two progress lines of a long scan. */
const SCAN_STEP = 500;

/**
 * Brings the wallet's coin index up to the tip, telling the user (human mode, stderr) where
 * the scan is when it is long, and when a reorganisation rolled coins back.
 */
export async function scanWithProgress(
  context: CommandContext,
  wallet: HdWallet,
  scanner: CoinScanner,
  chain: Chain,
): Promise<void> {
  const from = wallet.state.scannedHeight + 1;
  let last = from;
  const { rolledBack } = await wallet.refresh(scanner, chain, (height, tip) => {
    if (height - last >= SCAN_STEP || (height === tip && tip - from >= SCAN_STEP)) {
      last = height;
      context.progress(`scanning blocks: ${height}/${tip}`);
    }
  });
  if (rolledBack > 0) context.progress(`the chain reorganised: ${rolledBack} blocks scanned again`);
}
