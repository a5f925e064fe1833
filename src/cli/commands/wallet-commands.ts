import { newMnemonic } from '../../wallet/hd-keys.js';
import { createWallet, openWallet } from '../../wallet/wallet-store.js';
import { parseBlocks, parseQuantity } from '../arguments.js';
import type { Command, CommandContext } from '../command.js';
import { chainOf, ensureDataDir, passphraseOf, walletPath } from '../environment.js';
import { renderFields, renderTable } from '../output.js';
import { scanWithProgress } from '../scan-progress.js';

async function openFor(context: CommandContext, withChain: boolean) {
  const passphrase = await passphraseOf(context);
  const backend = withChain ? chainOf(context.settings) : undefined;
  const wallet = await openWallet({
    path: walletPath(context.settings),
    passphrase,
    ...(backend ? { chain: backend.chain } : {}),
  });
  return { wallet, backend };
}

/** `init`: a new wallet from a fresh mnemonic, or restored from one read on stdin. */
export const initCommand: Command = {
  name: 'init',
  summary: 'create a wallet (new mnemonic, or --restore one from stdin)',
  usage: 'init [--restore]',
  help: `Creates the encrypted wallet in the data directory. Without --restore, a new 12-word
BIP39 mnemonic is generated and printed once: write it down. With --restore, the mnemonic is
read from the first line of standard input (or PICOPAYMENTS_MNEMONIC). Never overwrites a wallet.

Options:
  --restore         restore from an existing mnemonic
  --kdf-log-n N     scrypt cost of the wallet file, 2^N (14..20, default 17: 128 MiB)`,
  options: { restore: { type: 'boolean' }, 'kdf-log-n': { type: 'string' } },
  positionals: [0, 0],
  async run(context) {
    const restore = context.flags.restore === true;
    const mnemonic = restore
      ? (context.env.PICOPAYMENTS_MNEMONIC ?? (await context.readStdinLine()))
      : newMnemonic();
    const logN = parseBlocks('--kdf-log-n', context.flags['kdf-log-n'], 14, 20);
    const passphrase = await passphraseOf(context);
    ensureDataDir(context.settings);
    const wallet = await createWallet({
      path: walletPath(context.settings),
      passphrase,
      mnemonic,
      network: context.settings.network,
      ...(logN === undefined ? {} : { kdf: { N: 2 ** logN, r: 8, p: 1 } }),
    });
    const json = {
      wallet: walletPath(context.settings),
      network: context.settings.network,
      restored: restore,
      ...(restore ? {} : { mnemonic: wallet.state.mnemonic }),
      firstAddress: wallet.address(0),
    };
    const human = [
      renderFields({
        wallet: json.wallet,
        network: json.network,
        'first address': json.firstAddress,
      }),
      ...(restore
        ? []
        : ['', 'mnemonic (write it down, it is shown only once):', `  ${wallet.state.mnemonic}`]),
    ].join('\n');
    return { json, human };
  },
};

/** `address`: hands out the next receive address. */
export const addressCommand: Command = {
  name: 'address',
  summary: 'show a new receive address',
  usage: 'address',
  help: 'Hands out the next unused receive address of the wallet (BIP84 path shown).',
  options: {},
  positionals: [0, 0],
  async run(context) {
    const { wallet } = await openFor(context, false);
    const a = await wallet.newAddress();
    return { json: a, human: renderFields({ address: a.address, path: a.path }) };
  },
};

/** `balance`: scans the chain for the wallet's coins and lists them. */
export const balanceCommand: Command = {
  name: 'balance',
  summary: 'scan the chain for the wallet’s coins and show the balance',
  usage: 'balance',
  help: 'Scans blocks since the last scan for coins paying the wallet, then lists them.',
  options: {},
  positionals: [0, 0],
  async run(context) {
    const { wallet, backend } = await openFor(context, true);
    await scanWithProgress(context, wallet, backend!.scanner, backend!.chain);
    const coins = wallet.state.coins.map((c) => ({ ...c, value: BigInt(c.value) }));
    const json = { height: wallet.state.scannedHeight, balance: wallet.balance(), coins };
    const human = [
      renderTable({
        columns: ['OUTPOINT', 'KEY', 'SATOSHIS'],
        rows: coins.map((c) => [
          `${c.txid}:${c.vout}`,
          `${c.branch}/${c.index}`,
          c.value.toString(),
        ]),
        right: [2],
      }),
      '',
      renderFields({
        balance: `${wallet.balance()} sat`,
        height: String(wallet.state.scannedHeight),
      }),
    ].join('\n');
    return { json, human };
  },
};

/** `send ADDRESS SATOSHIS`: pays from the wallet's coins. */
export const sendCommand: Command = {
  name: 'send',
  summary: 'pay satoshis from the wallet to an address',
  usage: 'send ADDRESS SATOSHIS',
  help: `Scans for the wallet's coins, then pays SATOSHIS to ADDRESS (change back to the wallet)
at the configured fee rate, and broadcasts the transaction.`,
  options: {},
  positionals: [2, 2],
  async run(context) {
    const [address, quantity] = context.positionals;
    const amount = parseQuantity('SATOSHIS', quantity);
    const { wallet, backend } = await openFor(context, true);
    await scanWithProgress(context, wallet, backend!.scanner, backend!.chain);
    const sent = await wallet.send(address!, amount, context.settings.feeRate);
    const json = { txid: sent.txid, address, amount, fee: sent.fee, change: sent.change };
    return {
      json,
      human: renderFields({
        txid: sent.txid,
        to: address!,
        amount: `${amount} sat`,
        fee: `${sent.fee} sat`,
        change: `${sent.change} sat`,
      }),
    };
  },
};
