import { closeSync, openSync, readSync } from 'node:fs';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { PicopaymentsError } from '../errors.js';
import { HUB_SETTINGS, type HubSetting, envOf } from './config-schema.js';

/** Largest config file read, bytes. */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** Where a setting's value came from. */
export type SettingSource = 'flag' | 'env' | 'file';

/** A bad setting or config file; names the key (dotted for nested ones) and where it came from. */
export class HubConfigError extends PicopaymentsError<'HUB_CONFIG'> {
  constructor(
    message: string,
    /** The offending key, e.g. `port` or `terms.BTC.depositMin`; null for the file as a whole. */
    readonly key: string | null,
    readonly source: SettingSource | null,
  ) {
    super('HUB_CONFIG', message);
  }
}

const checks = new Map(HUB_SETTINGS.map((s) => [s.key, TypeCompiler.Compile(s.schema)]));
const byKey = new Map(HUB_SETTINGS.map((s) => [s.key, s]));

function where(key: string, source: SettingSource): string {
  const s = byKey.get(key)!;
  if (source === 'env') return `${key} (from ${envOf(s.key)})`;
  if (source === 'flag') return `${key} (from its flag)`;
  return `${key} (from the config file)`;
}

/** Checks one value against its setting's schema. @throws {@link HubConfigError} */
export function checkSetting(key: string, value: unknown, source: SettingSource): unknown {
  const check = checks.get(key);
  if (!check) throw new HubConfigError(`unknown key ${JSON.stringify(key)}`, key, source);
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    const path = first?.path ? first.path.slice(1).replaceAll('/', '.') : '';
    throw new HubConfigError(
      `${where(key, source)}${path ? ` at ${path}` : ''}: ${first?.message ?? 'invalid'}`,
      path ? `${key}.${path}` : key,
      source,
    );
  }
  return value;
}

/**
 * Reads a flag or environment string as its setting's type: integers as decimal digits,
 * booleans as `true`/`false`/`1`/`0`, amounts as decimal strings.
 *
 * @throws {@link HubConfigError}
 */
export function settingFromText(setting: HubSetting, text: string, source: SettingSource): unknown {
  let value: unknown = text;
  if (setting.kind === 'integer') {
    if (!/^(?:0|[1-9][0-9]{0,15})$/.test(text))
      throw new HubConfigError(
        `${where(setting.key, source)}: must be an integer`,
        setting.key,
        source,
      );
    value = Number(text);
  } else if (setting.kind === 'boolean') {
    if (!['true', 'false', '1', '0'].includes(text))
      throw new HubConfigError(
        `${where(setting.key, source)}: must be true or false`,
        setting.key,
        source,
      );
    value = text === 'true' || text === '1';
  }
  return checkSetting(setting.key, value, source);
}

// Reads at most MAX_CONFIG_BYTES + 1 bytes, so a huge file or a device never fills memory.
function readBounded(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new HubConfigError(
      `cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      null,
      'file',
    );
  }
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let size = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, size, buffer.length - size, null);
      } catch (error) {
        throw new HubConfigError(
          `cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          null,
          'file',
        );
      }
      if (n === 0) break;
      size += n;
      if (size > MAX_CONFIG_BYTES)
        throw new HubConfigError(
          `the config file is larger than ${MAX_CONFIG_BYTES} bytes`,
          null,
          'file',
        );
    }
    return buffer.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a JSON config file: one object whose keys are setting keys (`chainRpc`, `port`, ...,
 * see `HUB_SETTINGS`). Unknown keys are refused, every value is checked against its schema.
 *
 * @throws {@link HubConfigError}
 */
export function readHubConfigFile(path: string): Record<string, unknown> {
  const bytes = readBounded(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new HubConfigError('the config file is not UTF-8', null, 'file');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HubConfigError(
      `the config file is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      null,
      'file',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new HubConfigError('the config file must hold one JSON object', null, 'file');
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(parsed)) {
    if (!byKey.has(key))
      throw new HubConfigError(
        `unknown key ${JSON.stringify(key)} in the config file`,
        key,
        'file',
      );
    out[key] = checkSetting(key, (parsed as Record<string, unknown>)[key], 'file');
  }
  return out;
}

/** A merged setting and its origin. */
export interface ResolvedSetting {
  readonly value: unknown;
  readonly source: SettingSource | 'default';
}

/**
 * Merges the sources of every setting with the precedence flags > environment > file >
 * default (a key absent everywhere is absent from the answer).
 */
export function mergeSettings(
  flags: ReadonlyMap<string, string>,
  env: Record<string, string | undefined>,
  file: Record<string, unknown>,
): Map<string, ResolvedSetting> {
  const out = new Map<string, ResolvedSetting>();
  for (const s of HUB_SETTINGS) {
    const flag = flags.get(s.key);
    const fromEnv = s.fileOnly ? undefined : env[envOf(s.key)];
    if (flag !== undefined)
      out.set(s.key, { value: settingFromText(s, flag, 'flag'), source: 'flag' });
    else if (fromEnv !== undefined && fromEnv !== '')
      out.set(s.key, { value: settingFromText(s, fromEnv, 'env'), source: 'env' });
    else if (Object.hasOwn(file, s.key)) out.set(s.key, { value: file[s.key], source: 'file' });
  }
  return out;
}
