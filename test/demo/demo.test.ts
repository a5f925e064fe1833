import { describe, expect, test } from 'vitest';
import { runHonestChannel } from '../../tools/demo/honest-channel.js';
import { silentReporter } from '../../tools/demo/reporter.js';
import { runRevokedCommit } from '../../tools/demo/revoked-commit.js';
import type { ScenarioResult } from '../../tools/demo/scenario.js';

function failures(result: ScenarioResult): string[] {
  return result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}

describe('the demo scenarios', () => {
  test('channel 1: payments, give-back, close, payout and change', async () => {
    const result = await runHonestChannel(silentReporter);
    expect(failures(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.outcomes).toEqual({ payer: 'settled', payee: 'paid-out' });
    const { ledger } = result;
    expect(ledger.payer + ledger.payee + ledger.fees).toBe(ledger.funding);
    expect(ledger.transactions.map((t) => t.label)).toEqual([
      'deposit',
      'commit',
      'payout',
      'change',
    ]);
  });

  test('channel 2: a revoked commit is taken back and the remainder expired', async () => {
    const result = await runRevokedCommit(silentReporter);
    expect(failures(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.outcomes).toEqual({ payer: 'settled', payee: 'revoked-by-payer' });
    expect(result.ledger.payee).toBe(0n);
    expect(result.ledger.transactions.map((t) => t.label)).toEqual([
      'deposit',
      'commit',
      'revoke',
      'expire',
    ]);
  });
});
