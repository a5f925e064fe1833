import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { NETWORK_NAMES, type NetworkName } from '../scripts/networks.js';
import { CliError } from './errors.js';

/** Settings a command runs with, after flags, environment and config file are merged. */
export interface Settings {
  readonly dataDir: string;
  readonly network: NetworkName;
  readonly hubUrl?: string;
  readonly chainRpc?: string;
  /** Esplora REST base; used instead of the JSON-RPC node when set. */
  readonly esploraUrl?: string;
  readonly chainCookie?: string;
  readonly chainUser?: string;
  readonly chainPassword?: string;
  /** Fee rate for wallet transactions, sat/vB. */
  readonly feeRate: number;
}

/** Keys a config file may hold, with the environment variable that overrides each. */
export const CONFIG_KEYS = {
  network: 'PICOPAYMENTS_NETWORK',
  hubUrl: 'PICOPAYMENTS_HUB_URL',
  chainRpc: 'PICOPAYMENTS_CHAIN_RPC',
  esploraUrl: 'PICOPAYMENTS_ESPLORA_URL',
  chainCookie: 'PICOPAYMENTS_CHAIN_COOKIE',
  chainUser: 'PICOPAYMENTS_CHAIN_USER',
  chainPassword: 'PICOPAYMENTS_CHAIN_PASSWORD',
  feeRate: 'PICOPAYMENTS_FEE_RATE',
} as const;

type ConfigKey = keyof typeof CONFIG_KEYS;
const MAX_CONFIG_BYTES = 64 * 1024;

/** The `--help` section on configuration. */
export const CONFIG_HELP = `Configuration (flag > environment > config file > default):
  --data-dir DIR    PICOPAYMENTS_DATA_DIR       default ~/.picopayments
  --config FILE     PICOPAYMENTS_CONFIG         default DATA_DIR/config.json (JSON object)
  --network NAME    PICOPAYMENTS_NETWORK        mainnet | testnet | regtest (default regtest)
  --hub-url URL     PICOPAYMENTS_HUB_URL        hub JSON-RPC endpoint
  --chain-rpc URL   PICOPAYMENTS_CHAIN_RPC      Bitcoin Core / simnet JSON-RPC endpoint
  --chain-cookie F  PICOPAYMENTS_CHAIN_COOKIE   its cookie file
  --esplora-url URL PICOPAYMENTS_ESPLORA_URL    an Esplora REST API instead of a JSON-RPC node
                    PICOPAYMENTS_CHAIN_USER, PICOPAYMENTS_CHAIN_PASSWORD  or user and password
  --fee-rate N      PICOPAYMENTS_FEE_RATE       sat/vB for wallet transactions (default 2)
  Config file keys: ${Object.keys(CONFIG_KEYS).join(', ')}.`;

function readConfigFile(path: string, explicit: boolean): Partial<Record<ConfigKey, unknown>> {
  if (!existsSync(path)) {
    if (explicit) throw new CliError('CLI_BAD_CONFIG', `config file ${path} does not exist`);
    return {};
  }
  const bytes = readFileSync(path);
  if (bytes.length > MAX_CONFIG_BYTES)
    throw new CliError('CLI_BAD_CONFIG', `config file ${path} is too large`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new CliError('CLI_BAD_CONFIG', `config file ${path} is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError('CLI_BAD_CONFIG', `config file ${path} must hold a JSON object`);
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(CONFIG_KEYS, key))
      throw new CliError(
        'CLI_BAD_CONFIG',
        `config file ${path}: unknown key ${JSON.stringify(key)}`,
      );
    const ok = key === 'feeRate' ? typeof v === 'number' : typeof v === 'string';
    if (!ok) throw new CliError('CLI_BAD_CONFIG', `config file ${path}: ${key} has the wrong type`);
  }
  return value as Partial<Record<ConfigKey, unknown>>;
}

function checkUrl(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError('CLI_BAD_CONFIG', `${name} is not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError('CLI_BAD_CONFIG', `${name} must be an http(s) URL`);
  return text;
}

/**
 * Merges flags, environment and config file into {@link Settings}.
 *
 * @throws {@link CliError} `CLI_BAD_CONFIG` for a missing explicit config file, bad JSON,
 * unknown keys, wrong types, an unknown network, a bad URL or fee rate.
 */
export function resolveSettings(
  flags: Readonly<Record<string, string | boolean | undefined>>,
  env: NodeJS.ProcessEnv,
): Settings {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const dataDir = resolve(
    str(flags['data-dir']) ?? env.PICOPAYMENTS_DATA_DIR ?? join(homedir(), '.picopayments'),
  );
  const explicitConfig = str(flags.config) ?? env.PICOPAYMENTS_CONFIG;
  const file = readConfigFile(
    explicitConfig ?? join(dataDir, 'config.json'),
    explicitConfig !== undefined,
  );
  const pick = (key: ConfigKey, flag: string): string | undefined => {
    const fromFile = file[key];
    return (
      str(flags[flag]) ??
      env[CONFIG_KEYS[key]] ??
      (fromFile === undefined ? undefined : String(fromFile))
    );
  };
  const network = pick('network', 'network') ?? 'regtest';
  if (!(NETWORK_NAMES as readonly string[]).includes(network))
    throw new CliError(
      'CLI_BAD_CONFIG',
      `unknown network ${JSON.stringify(network)} (${NETWORK_NAMES.join(', ')})`,
    );
  const feeText = pick('feeRate', 'fee-rate') ?? '2';
  const feeRate = Number(feeText);
  if (!/^\d+(\.\d+)?$/.test(feeText) || feeRate < 1 || feeRate > 1000)
    throw new CliError(
      'CLI_BAD_CONFIG',
      `fee rate must be a number of sat/vB between 1 and 1000, not ${feeText}`,
    );
  const optional = <K extends string>(k: K, v: string | undefined) =>
    v === undefined ? {} : { [k]: v };
  return {
    dataDir,
    network: network as NetworkName,
    feeRate,
    ...optional('hubUrl', checkUrl('hub URL', pick('hubUrl', 'hub-url'))),
    ...optional('chainRpc', checkUrl('chain RPC URL', pick('chainRpc', 'chain-rpc'))),
    ...optional('esploraUrl', checkUrl('Esplora URL', pick('esploraUrl', 'esplora-url'))),
    ...optional('chainCookie', pick('chainCookie', 'chain-cookie')),
    ...optional('chainUser', pick('chainUser', 'chain-user')),
    ...optional('chainPassword', pick('chainPassword', 'chain-password')),
  } as Settings;
}
