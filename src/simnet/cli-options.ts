import type { SimnetOptions } from './simnet.js';

/** What the command line asked for. */
export type CliRequest = { help: true } | { help: false; options: SimnetOptions };

/** Text of `--help`. */
export const USAGE = `picopayments-simnet: a simulated Bitcoin node on loopback.

Serves an in-memory simulated chain over Bitcoin Core's JSON-RPC dialect (at /) and the
Esplora REST dialect (at /esplora). Prints the RPC URL and the cookie file, then runs until
SIGTERM or SIGINT. State lives in memory only; the data directory holds the cookie file.

Options:
  --port N            TCP port on 127.0.0.1 (default 0: a free port)
  --datadir DIR       where the .cookie file is written (default: a new temporary directory)
  --rpcuser NAME      also accept these credentials (needs --rpcpassword)
  --rpcpassword PASS
  --txindex           serve confirmed transactions without a block hash
  --feerate SATVB     estimatesmartfee answer in sat/vB (default: insufficient data)
  --start-height N    height of the tip before the first block (default 100)
  --minrelaytxfee SATVB  minimum relay fee rate in sat/vB (default 1)
  --fullrbf           replace mempool transactions by fee, as Core 28 and later do
  --help              this text
`;

/** A command line the node cannot start with. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

function integer(flag: string, text: string | undefined, max: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) > max) {
    throw new CliUsageError(`${flag} needs an integer between 0 and ${max}`);
  }
  return Number(text);
}

function feeRate(flag: string, text: string): number {
  const rate = Number(text);
  if (text.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1_000_000)
    throw new CliUsageError(`${flag} needs a number of sat/vB between 0 and 1000000`);
  return rate;
}

/** Parses the arguments after the program name. */
export function parseCli(args: readonly string[]): CliRequest {
  const options: {
    -readonly [K in keyof SimnetOptions]: SimnetOptions[K];
  } = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new CliUsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { help: true };
      case '--port':
        options.port = integer(flag, value(), 65_535);
        break;
      case '--datadir':
        options.datadir = value();
        break;
      case '--rpcuser':
        options.rpcUser = value();
        break;
      case '--rpcpassword':
        options.rpcPassword = value();
        break;
      case '--txindex':
        options.txindex = true;
        break;
      case '--feerate':
        options.feeRate = feeRate(flag, value());
        break;
      case '--start-height':
        options.chainOptions = {
          ...options.chainOptions,
          startHeight: integer(flag, value(), 10_000_000),
        };
        break;
      case '--minrelaytxfee':
        options.chainOptions = { ...options.chainOptions, minRelayFeeRate: feeRate(flag, value()) };
        break;
      case '--fullrbf':
        options.chainOptions = { ...options.chainOptions, replaceByFee: true };
        break;
      default:
        throw new CliUsageError(`unknown option ${flag}`);
    }
  }
  if ((options.rpcUser === undefined) !== (options.rpcPassword === undefined)) {
    throw new CliUsageError('--rpcuser and --rpcpassword go together');
  }
  return { help: false, options };
}
