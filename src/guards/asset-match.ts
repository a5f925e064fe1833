import type { Check } from './check.js';
import { fail } from './check.js';

/**
 * Whether a message names the same asset as this party's channel: both name the same asset, or
 * neither does (a BTC channel). A refusal with `code` otherwise; `null` when they agree.
 */
export function assetMismatch(
  code: 'OFFER_UNACCEPTABLE' | 'DEPOSIT_UNACCEPTABLE',
  what: 'offer' | 'deposit',
  ours: { readonly asset: string } | undefined,
  theirs: { readonly asset: string } | undefined,
): Check<never> | null {
  if (ours?.asset === theirs?.asset) return null;
  if (!theirs) return fail(code, `the ${what} is not for ${ours!.asset}`);
  if (!ours) return fail(code, `the ${what} is for an asset`);
  return fail(code, `the ${what} is for ${theirs.asset}, not ${ours.asset}`);
}
