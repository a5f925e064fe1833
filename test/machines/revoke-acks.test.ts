import { describe, expect, test } from 'vitest';
import { START_HEIGHT, messageEvent, messagesOf, openPair, payeeContext } from './fixture.js';

describe('revoke secrets are acknowledged, and sent again until they are', () => {
  test('a lost revoke-secrets is sent again at every block until the ack arrives', () => {
    const pair = openPair();
    const sent = pair.payer.send({ type: 'PAY', amount: '10000' });
    for (const m of messagesOf(sent)) pair.payee.send(messageEvent(m));
    const answer = messagesOf(pair.payee.effects)
      .filter((m) => m.type === 'revoke-hash')
      .at(-1)!;
    pair.payer.send(messageEvent(answer));
    // The give-back's message is lost.
    const lost = messagesOf(pair.payee.send({ type: 'REVOKE_UNTIL', amount: '0', surpass: false }));
    expect(lost.map((m) => m.type)).toEqual(['revoke-secrets']);
    expect(payeeContext(pair.payee).unackedRevokeSecrets).toHaveLength(1);
    // At the next block it goes out again, and the payer takes it and acknowledges it.
    const resent = messagesOf(pair.payee.send({ type: 'BLOCK', height: START_HEIGHT + 2 })).filter(
      (m) => m.type === 'revoke-secrets',
    );
    expect(resent).toEqual(lost);
    const ack = messagesOf(pair.payer.send(messageEvent(resent[0]!)));
    expect(ack.map((m) => m.type)).toEqual(['revoke-secrets-ack']);
    expect(pair.payer.actor.getSnapshot().context.commits[0].revokeSecret).not.toBeNull();
    pair.payee.send(messageEvent(ack[0]!));
    expect(payeeContext(pair.payee).unackedRevokeSecrets).toEqual([]);
    const later = messagesOf(pair.payee.send({ type: 'BLOCK', height: START_HEIGHT + 3 }));
    expect(later.map((m) => m.type)).not.toContain('revoke-secrets');
  });

  test('an ack for another channel is refused and changes nothing', () => {
    const pair = openPair();
    const before = pair.payee.persisted();
    const effects = pair.payee.send(
      messageEvent({
        protocol: 'picopayments/1',
        type: 'revoke-secrets-ack',
        channelId: 'other',
        revokeSecretHashes: ['11'.repeat(20)],
      }),
    );
    expect(effects).toEqual([expect.objectContaining({ type: 'rejected', code: 'WRONG_CHANNEL' })]);
    expect(pair.payee.persisted()).toBe(before);
  });
});
