import { PicopaymentsError } from '../errors.js';
import { HUB_SETTINGS, flagOf } from './config-schema.js';
import {
  HubConfigError,
  type ResolvedSetting,
  type SettingSource,
  mergeSettings,
  readHubConfigFile,
} from './config.js';
import { DEFAULT_TERMS, type HubTerms } from './hub.js';

/** A bad hub command line. */
export class HubUsageError extends PicopaymentsError<'HUB_USAGE'> {
  constructor(message: string) {
    super('HUB_USAGE', message);
  }
}

/**
 * The hub program's settings: flags, then `PICOPAYMENTS_HUB_*` environment variables, then the
 * JSON config file (`--config` or `PICOPAYMENTS_HUB_CONFIG`), then defaults.
 */
export interface HubCliOptions {
  readonly chainRpc: string;
  readonly chainAuth:
    | { readonly cookieFile: string }
    | { readonly user: string; readonly password: string };
  /** A SQLite file, or a `postgresql://` URL. */
  readonly db: string;
  /** PostgreSQL only: the schema of the hub's tables. */
  readonly dbSchema: string | null;
  readonly port: number;
  readonly host: string;
  readonly network: 'regtest' | 'testnet' | 'mainnet';
  /** A file holding the hub key as 64 hex digits; else `PICOPAYMENTS_HUB_SEED`. */
  readonly seedFile: string | null;
  /** A file holding the database passphrase; else `PICOPAYMENTS_HUB_DB_PASSPHRASE`, else derived. */
  readonly dbPassphraseFile: string | null;
  /** Regtest only: satoshis asked from the simnet faucet for the hub wallet at start. */
  readonly faucetSats: bigint | null;
  readonly jsonLogs: boolean;
  /** The config file read, if any. */
  readonly configFile: string | null;
  readonly maxBodyBytes: number;
  readonly maxBatch: number;
  readonly ratePerMinute: number;
  readonly heartbeatMs: number;
  readonly shutdownGraceMs: number;
  readonly chainJobMs: number;
  /** Most satoshis locked in hub->client deposits; null: no limit but the wallet's. */
  readonly liquidity: bigint | null;
  readonly terms: HubTerms;
  /** Terms of each Counterparty asset served, by name. */
  readonly assetTerms: Readonly<Record<string, HubTerms>>;
  /** Counterparty Core's API and the Esplora API, both given when an asset is served. */
  readonly assetSources: { readonly counterpartyUrl: string; readonly esploraUrl: string } | null;
}

/** Usage text of `picopayments-hub`. */
export const HUB_USAGE = `usage: picopayments-hub --chain-rpc URL (--chain-cookie FILE | --chain-user U --chain-password P)
  --db PATH|postgresql://URL [--db-schema NAME] [--port N] [--host 127.0.0.1] [--network regtest] [--seed-file FILE] [--db-passphrase-file FILE] [--faucet-sats N] [--json-logs]
  [--config FILE] [--max-body-bytes N] [--max-batch N] [--rate-per-minute N] [--heartbeat-ms N]
  [--shutdown-grace-ms N] [--chain-job-ms N] [--liquidity SATS] [--counterparty-url URL]
  [--esplora-url URL]
Each flag --some-key also reads PICOPAYMENTS_HUB_SOME_KEY and the config file's "someKey"
(flags > environment > file > defaults); "terms" is set in the file only. See docs/hub.md.
Terms of a Counterparty asset also need --counterparty-url and --esplora-url.
`;

const FLAGS = new Map(HUB_SETTINGS.filter((s) => !s.fileOnly).map((s) => [flagOf(s.key), s]));

function parseFlags(argv: readonly string[]): { flags: Map<string, string>; config?: string } {
  const flags = new Map<string, string>();
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const setting = FLAGS.get(flag);
    if (flag !== '--config' && !setting) throw new HubUsageError(`unknown argument ${flag}`);
    if (setting?.kind === 'boolean') {
      if (flags.has(setting.key)) throw new HubUsageError(`${flag} given twice`);
      flags.set(setting.key, 'true');
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new HubUsageError(`${flag} needs a value`);
    i++;
    if (!setting) {
      if (config !== undefined) throw new HubUsageError('--config given twice');
      config = value;
    } else {
      if (flags.has(setting.key)) throw new HubUsageError(`${flag} given twice`);
      flags.set(setting.key, value);
    }
  }
  return config === undefined ? { flags } : { flags, config };
}

type TermsText = Partial<Record<keyof HubTerms, string | number>>;

/** Every asset's terms of the config file, with the defaults for what it leaves out. */
function allTerms(setting: ResolvedSetting | undefined): Map<string, HubTerms> {
  const given = (setting?.value ?? {}) as Record<string, TermsText>;
  const out = new Map<string, HubTerms>([['BTC', DEFAULT_TERMS]]);
  for (const [asset, over] of Object.entries(given)) out.set(asset, terms(asset, over));
  return out;
}

function terms(asset: string, over: TermsText): HubTerms {
  const big = (k: 'depositMin' | 'depositMax' | 'paymentFee') =>
    over[k] === undefined ? DEFAULT_TERMS[k] : BigInt(over[k]);
  const n = (k: 'depositRatioPercent' | 'expireMin' | 'expireMax' | 'delayMin' | 'delayMax') =>
    over[k] === undefined ? DEFAULT_TERMS[k] : Number(over[k]);
  const t: HubTerms = {
    depositMin: big('depositMin'),
    depositMax: big('depositMax'),
    depositRatioPercent: n('depositRatioPercent'),
    expireMin: n('expireMin'),
    expireMax: n('expireMax'),
    delayMin: n('delayMin'),
    delayMax: n('delayMax'),
    paymentFee: big('paymentFee'),
    ...(over.liquidity === undefined ? {} : { liquidity: BigInt(over.liquidity) }),
  };
  for (const [lo, hi] of [
    ['depositMin', 'depositMax'],
    ['expireMin', 'expireMax'],
    ['delayMin', 'delayMax'],
  ] as const)
    if (t[lo] > t[hi])
      throw new HubConfigError(
        `terms.${asset}.${lo} is above terms.${asset}.${hi}`,
        `terms.${asset}.${lo}`,
        'file',
      );
  return t;
}

/**
 * Parses the hub's flags, environment and config file.
 *
 * @throws {@link HubUsageError} for an unknown or incomplete flag or a missing required setting;
 * {@link HubConfigError} for a bad value (naming its key) or a bad config file.
 */
export function parseHubCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): HubCliOptions {
  const { flags, config } = parseFlags(argv);
  const configFile = config ?? env.PICOPAYMENTS_HUB_CONFIG ?? null;
  const file = configFile ? readHubConfigFile(configFile) : {};
  const s = mergeSettings(flags, env, file);
  const get = <T>(key: string): T | undefined => s.get(key)?.value as T | undefined;
  const chainRpc = get<string>('chainRpc');
  const db = get<string>('db');
  if (!chainRpc || !db) throw new HubUsageError('--chain-rpc and --db are required');
  const cookie = get<string>('chainCookie');
  const user = get<string>('chainUser');
  const password = get<string>('chainPassword');
  let chainAuth: HubCliOptions['chainAuth'];
  if (cookie) chainAuth = { cookieFile: cookie };
  else if (user && password) chainAuth = { user, password };
  else throw new HubUsageError('give --chain-cookie or --chain-user and --chain-password');
  const network = get<HubCliOptions['network']>('network') ?? 'regtest';
  const faucet = get<string>('faucetSats');
  if (faucet !== undefined && network !== 'regtest')
    throw new HubConfigError(
      'faucetSats is for regtest',
      'faucetSats',
      s.get('faucetSats')!.source as SettingSource,
    );
  const liquidity = get<string>('liquidity');
  const termsByAsset = allTerms(s.get('terms'));
  const assetTerms = Object.fromEntries([...termsByAsset].filter(([asset]) => asset !== 'BTC'));
  const counterpartyUrl = get<string>('counterpartyUrl');
  const esploraUrl = get<string>('esploraUrl');
  if (Object.keys(assetTerms).length > 0 && (!counterpartyUrl || !esploraUrl))
    throw new HubConfigError(
      'terms of a Counterparty asset need counterpartyUrl and esploraUrl',
      counterpartyUrl ? 'esploraUrl' : 'counterpartyUrl',
      'file',
    );
  return {
    chainRpc,
    chainAuth,
    db,
    dbSchema: get<string>('dbSchema') ?? null,
    port: get<number>('port') ?? 0,
    host: get<string>('host') ?? '127.0.0.1',
    network,
    seedFile: get<string>('seedFile') ?? null,
    dbPassphraseFile: get<string>('dbPassphraseFile') ?? null,
    faucetSats: faucet === undefined ? null : BigInt(faucet),
    jsonLogs: get<boolean>('jsonLogs') ?? false,
    configFile,
    maxBodyBytes: get<number>('maxBodyBytes') ?? 1_000_000,
    maxBatch: get<number>('maxBatch') ?? 20,
    ratePerMinute: get<number>('ratePerMinute') ?? 6000,
    heartbeatMs: get<number>('heartbeatMs') ?? 15_000,
    shutdownGraceMs: get<number>('shutdownGraceMs') ?? 10_000,
    chainJobMs: get<number>('chainJobMs') ?? 5000,
    liquidity: liquidity === undefined ? null : BigInt(liquidity),
    terms: termsByAsset.get('BTC')!,
    assetTerms,
    assetSources:
      counterpartyUrl && esploraUrl && Object.keys(assetTerms).length > 0
        ? { counterpartyUrl, esploraUrl }
        : null,
  };
}
