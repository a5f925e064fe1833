import { PicopaymentsError } from '../errors.js';

/** A bad hub command line. */
export class HubUsageError extends PicopaymentsError<'HUB_USAGE'> {
  constructor(message: string) {
    super('HUB_USAGE', message);
  }
}

/** The hub program's settings from flags, falling back to `PICOPAYMENTS_HUB_*` environment variables. */
export interface HubCliOptions {
  readonly chainRpc: string;
  readonly chainAuth:
    | { readonly cookieFile: string }
    | { readonly user: string; readonly password: string };
  readonly db: string;
  readonly port: number;
  readonly host: string;
  readonly network: 'regtest' | 'testnet' | 'mainnet';
  /** A file holding the hub key as 64 hex digits; else `PICOPAYMENTS_HUB_SEED`. */
  readonly seedFile: string | null;
  /** Regtest only: satoshis asked from the simnet faucet for the hub wallet at start. */
  readonly faucetSats: bigint | null;
  readonly jsonLogs: boolean;
}

/** Usage text of `picopayments-hub`. */
export const HUB_USAGE = `usage: picopayments-hub --chain-rpc URL (--chain-cookie FILE | --chain-user U --chain-password P)
  --db PATH [--port N] [--host 127.0.0.1] [--network regtest] [--seed-file FILE] [--faucet-sats N] [--json-logs]
`;

/** Parses the hub's flags. @throws {@link HubUsageError} */
export function parseHubCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): HubCliOptions {
  const flags = new Map<string, string>();
  const booleans = new Set(['--json-logs']);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (booleans.has(flag)) {
      flags.set(flag, 'true');
      continue;
    }
    const value = argv[i + 1];
    if (!flag.startsWith('--') || value === undefined)
      throw new HubUsageError(`bad argument ${flag}`);
    flags.set(flag, value);
    i++;
  }
  const get = (flag: string, name: string): string | undefined =>
    flags.get(flag) ?? env[`PICOPAYMENTS_HUB_${name}`];
  const chainRpc = get('--chain-rpc', 'CHAIN_RPC');
  const db = get('--db', 'DB');
  if (!chainRpc || !db) throw new HubUsageError('--chain-rpc and --db are required');
  const cookie = get('--chain-cookie', 'CHAIN_COOKIE');
  const user = get('--chain-user', 'CHAIN_USER');
  const password = get('--chain-password', 'CHAIN_PASSWORD');
  let chainAuth: HubCliOptions['chainAuth'];
  if (cookie) chainAuth = { cookieFile: cookie };
  else if (user && password) chainAuth = { user, password };
  else throw new HubUsageError('give --chain-cookie or --chain-user and --chain-password');
  const port = Number(get('--port', 'PORT') ?? '0');
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535)
    throw new HubUsageError('bad --port');
  const network = get('--network', 'NETWORK') ?? 'regtest';
  if (network !== 'regtest' && network !== 'testnet' && network !== 'mainnet')
    throw new HubUsageError('bad --network');
  const faucet = get('--faucet-sats', 'FAUCET_SATS');
  if (faucet !== undefined && !/^[0-9]{1,16}$/.test(faucet))
    throw new HubUsageError('bad --faucet-sats');
  if (faucet !== undefined && network !== 'regtest')
    throw new HubUsageError('--faucet-sats is for regtest');
  return {
    chainRpc,
    chainAuth,
    db,
    port,
    host: get('--host', 'HOST') ?? '127.0.0.1',
    network,
    seedFile: get('--seed-file', 'SEED_FILE') ?? null,
    faucetSats: faucet === undefined ? null : BigInt(faucet),
    jsonLogs: flags.has('--json-logs'),
  };
}
