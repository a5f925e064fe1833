import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HubUsageError, parseHubCli } from '../../src/hub/cli-options.js';
import { HUB_SETTINGS, envOf, flagOf } from '../../src/hub/config-schema.js';
import { HubConfigError, MAX_CONFIG_BYTES } from '../../src/hub/config.js';
import { DEFAULT_TERMS } from '../../src/hub/hub.js';

const dir = mkdtempSync(join(tmpdir(), 'hub-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `c${++n}.json`);
  writeFileSync(path, content);
  return path;
}
const base = ['--chain-rpc', 'http://127.0.0.1:1', '--chain-cookie', '/c', '--db', '/d'];

function configError(f: () => unknown): HubConfigError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(HubConfigError);
    return error as HubConfigError;
  }
  throw new Error('no error');
}

describe('hub settings', () => {
  it('every setting but the file-only ones has a flag and a variable named after its key', () => {
    expect(flagOf('chainRpc')).toBe('--chain-rpc');
    expect(envOf('shutdownGraceMs')).toBe('PICOPAYMENTS_HUB_SHUTDOWN_GRACE_MS');
    expect(new Set(HUB_SETTINGS.map((s) => s.key)).size).toBe(HUB_SETTINGS.length);
  });

  it('takes defaults when nothing is given', () => {
    const o = parseHubCli(base, {});
    expect(o).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      network: 'regtest',
      maxBatch: 20,
      shutdownGraceMs: 10_000,
      liquidity: null,
      configFile: null,
    });
    expect(o.terms).toEqual(DEFAULT_TERMS);
  });

  it('precedence: flags > environment > file > defaults, key by key', () => {
    const path = file(
      JSON.stringify({
        chainRpc: 'http://file',
        chainCookie: '/file-cookie',
        db: '/file.sqlite',
        port: 1111,
        host: '10.0.0.1',
        maxBatch: 7,
        jsonLogs: true,
      }),
    );
    const fromFile = parseHubCli(['--config', path], {});
    expect(fromFile).toMatchObject({
      chainRpc: 'http://file',
      port: 1111,
      maxBatch: 7,
      jsonLogs: true,
    });
    expect(fromFile.configFile).toBe(path);
    const env = { PICOPAYMENTS_HUB_PORT: '2222', PICOPAYMENTS_HUB_HOST: '10.0.0.2' };
    const fromEnv = parseHubCli(['--config', path], env);
    expect(fromEnv).toMatchObject({ port: 2222, host: '10.0.0.2', maxBatch: 7 });
    const fromFlag = parseHubCli(['--config', path, '--port', '3333'], env);
    expect(fromFlag).toMatchObject({
      port: 3333,
      host: '10.0.0.2',
      maxBatch: 7,
      db: '/file.sqlite',
    });
    // The config path itself may come from the environment.
    expect(parseHubCli([], { PICOPAYMENTS_HUB_CONFIG: path }).port).toBe(1111);
  });

  it('reads terms and liquidity from the file; terms keep the defaults they do not set', () => {
    const path = file(
      JSON.stringify({
        terms: { BTC: { paymentFee: '10', depositMin: '60000' } },
        liquidity: '5000000',
      }),
    );
    const o = parseHubCli([...base, '--config', path], {});
    expect(o.terms).toEqual({ ...DEFAULT_TERMS, paymentFee: 10n, depositMin: 60_000n });
    expect(o.liquidity).toBe(5_000_000n);
  });

  it('refuses a bad value naming its key and its source', () => {
    const cases: [() => unknown, string, string | null][] = [
      [() => parseHubCli([...base, '--port', '70000'], {}), 'port', 'flag'],
      [() => parseHubCli([...base, '--port', '08'], {}), 'port', 'flag'],
      [() => parseHubCli(base, { PICOPAYMENTS_HUB_PORT: '-1' }), 'port', 'env'],
      [() => parseHubCli(base, { PICOPAYMENTS_HUB_JSON_LOGS: 'yes' }), 'jsonLogs', 'env'],
      [() => parseHubCli([...base, '--network', 'signet'], {}), 'network', 'flag'],
      [() => parseHubCli([...base, '--liquidity', '1e9'], {}), 'liquidity', 'flag'],
      [() => parseHubCli([...base, '--max-batch', '0'], {}), 'maxBatch', 'flag'],
      [
        () => parseHubCli([...base, '--network', 'mainnet', '--faucet-sats', '1'], {}),
        'faucetSats',
        'flag',
      ],
    ];
    for (const [f, key, source] of cases) {
      const e = configError(f);
      expect(e.code).toBe('HUB_CONFIG');
      expect(e.key).toBe(key);
      expect(e.source).toBe(source);
      expect(e.message).toContain(key);
    }
  });

  it('refuses unknown, repeated or incomplete flags', () => {
    for (const argv of [
      [...base, '--no-such-flag', 'x'],
      [...base, '--port'],
      [...base, '--port', '1', '--port', '2'],
      [...base, '--terms', '{}'],
      [...base, 'stray'],
    ])
      expect(() => parseHubCli(argv, {})).toThrow(HubUsageError);
  });
});

describe('hostile config files', () => {
  const cases: [string, string | Buffer, string | null][] = [
    ['not JSON', '{"port": 1,', null],
    ['empty', '', null],
    ['an array', '[1,2]', null],
    ['null', 'null', null],
    ['a string', '"port"', null],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), null],
    ['an unknown key', '{"prot": 1}', 'prot'],
    ['a __proto__ key', '{"__proto__": {"port": 1}}', '__proto__'],
    ['a constructor key', '{"constructor": 1}', 'constructor'],
    ['a port as a string', '{"port": "8080"}', 'port'],
    ['a fractional port', '{"port": 80.5}', 'port'],
    ['a port out of range', '{"port": 1e9}', 'port'],
    ['a boolean as a string', '{"jsonLogs": "true"}', 'jsonLogs'],
    ['an amount as a number', '{"liquidity": 5000000}', 'liquidity'],
    ['an amount with a sign', '{"liquidity": "-5"}', 'liquidity'],
    ['an empty db path', '{"db": ""}', 'db'],
    ['a huge string', JSON.stringify({ host: 'h'.repeat(10_000) }), 'host'],
    ['an asset Counterparty names no id for', '{"terms": {"ETH": {}}}', 'terms.ETH'],
    ['asset terms without the ledger', '{"terms": {"XCP": {}}}', 'counterpartyUrl'],
    [
      'asset terms without the address index',
      '{"counterpartyUrl": "http://127.0.0.1:4000", "terms": {"XCP": {}}}',
      'esploraUrl',
    ],
    [
      'an asset min above max',
      '{"counterpartyUrl": "http://a", "esploraUrl": "http://b", "terms": {"XCP": {"depositMin": "20000000"}}}',
      'terms.XCP.depositMin',
    ],
    ['an unknown term', '{"terms": {"BTC": {"fee": "1"}}}', 'terms.BTC.fee'],
    ['a bad term value', '{"terms": {"BTC": {"expireMin": 0}}}', 'terms.BTC.expireMin'],
    ['min above max', '{"terms": {"BTC": {"depositMin": "20000000"}}}', 'terms.BTC.depositMin'],
    ['deep nesting', `{"terms": ${'['.repeat(5000)}${']'.repeat(5000)}}`, 'terms'],
  ];
  for (const [what, content, key] of cases)
    it(`refuses ${what} with a typed error${key ? ` naming ${key}` : ''}`, () => {
      const e = configError(() => parseHubCli([...base, '--config', file(content)], {}));
      expect(e.code).toBe('HUB_CONFIG');
      expect(e.key).toBe(key);
    });

  it('reads the terms of each Counterparty asset, with the ledger and address index to follow them', () => {
    const options = parseHubCli(
      [
        ...base,
        '--config',
        file(
          JSON.stringify({
            counterpartyUrl: 'http://127.0.0.1:4000',
            esploraUrl: 'http://127.0.0.1:3000/api',
            terms: {
              XCP: { depositMin: '100', paymentFee: '2', liquidity: '900000' },
              PICOTOKEN: {},
            },
          }),
        ),
      ],
      {},
    );
    expect(Object.keys(options.assetTerms).sort()).toEqual(['PICOTOKEN', 'XCP']);
    expect(options.assetTerms.XCP).toMatchObject({
      depositMin: 100n,
      paymentFee: 2n,
      liquidity: 900_000n,
    });
    expect(options.assetTerms.PICOTOKEN).toEqual(DEFAULT_TERMS);
    expect(options.terms).toEqual(DEFAULT_TERMS);
    expect(options.assetSources).toEqual({
      counterpartyUrl: 'http://127.0.0.1:4000',
      esploraUrl: 'http://127.0.0.1:3000/api',
    });
    expect(parseHubCli(base, {}).assetSources).toBeNull();
  });

  it('refuses a file over the size limit without reading it all, and a missing file', () => {
    const big = file(`{"host": "${'x'.repeat(MAX_CONFIG_BYTES)}"}`);
    expect(configError(() => parseHubCli([...base, '--config', big], {})).message).toContain(
      'larger than',
    );
    expect(
      configError(() => parseHubCli([...base, '--config', join(dir, 'none.json')], {})).message,
    ).toContain('ENOENT');
    // A directory is not a config file either.
    expect(configError(() => parseHubCli([...base, '--config', dir], {})).code).toBe('HUB_CONFIG');
  });

  it('accepts a file with a byte order mark', () => {
    expect(parseHubCli([...base, '--config', file('\uFEFF{"port": 5}')], {}).port).toBe(5);
  });
});

describe('the hub program and its config', () => {
  it('exits 2 with a typed error naming the key for a bad config file', () => {
    const root = resolve(import.meta.dirname, '../..');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/hub-main.ts'), '--config', file('{"port": "80"}')],
      { cwd: root, encoding: 'utf8', env: { ...process.env, PICOPAYMENTS_HUB_CONFIG: '' } },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('HUB_CONFIG: port (from the config file)');
  }, 30_000);
});
