import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManagerError } from '../../src/manager/errors.js';
import type { MemoryStore } from '../../src/runtime/store.js';
import { propertyConfig } from '../support/property-config.js';
import { TwoSides, payeeConfig } from './harness.js';

/** Everything that could change: every snapshot version and the channel's state. */
function fingerprint(w: TwoSides): string {
  const store = w.payeeStore as MemoryStore;
  const keys = w.payeeSide.channelIds().map((id) => w.payeeSide.storeKeyOf(id));
  return JSON.stringify([
    keys.map((k) => store.versions(k).length),
    store.versions(w.payeeSide.indexKey).length,
    w.payeeSide.channelIds().map((id) => w.payeeSide.channel(id)!.snapshot()),
    w.events.length,
  ]);
}

async function refusal(run: () => Promise<unknown>): Promise<ManagerError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ManagerError) return error;
    throw error;
  }
  throw new Error('expected a ManagerError');
}

describe('ChannelManager: routing by channel id', () => {
  it('routes each message to the channel its channelId names', async () => {
    const w = await TwoSides.create();
    await w.openChannel('alpha', 100_000n);
    await w.openChannel('beta', 150_000n);
    await w.payerSide.pay('beta', 7_000n);
    await w.settle();
    await w.payerSide.pay('alpha', 3_000n);
    await w.settle();
    expect(w.payeeSide.payee('alpha').status().transferred).toBe(3_000n);
    expect(w.payeeSide.payee('beta').status().transferred).toBe(7_000n);
    expect(w.payeeSide.payee('beta').status().depositValue).toBe(150_000n);
  });

  it('refuses malformed, truncated, oversized and hostile texts, and unknown channels, changing nothing', async () => {
    const w = await TwoSides.create();
    await w.openChannel('alpha');
    await w.payerSide.pay('alpha', 5_000n);
    await w.settle();
    // A real commit message, captured in flight.
    await w.payerSide.pay('alpha', 2_000n);
    const commit = w.link.queue.find((m) => m.from === 'payer')!.text;
    w.link.queue.length = 0;
    const before = fingerprint(w);
    const cases: [string, string][] = [
      ['', 'MESSAGE_MALFORMED'],
      ['not json', 'MESSAGE_MALFORMED'],
      [commit.slice(0, commit.length - 7), 'MESSAGE_MALFORMED'],
      ['[]', 'MESSAGE_MALFORMED'],
      ['null', 'MESSAGE_MALFORMED'],
      ['{"__proto__":{"channelId":"alpha"}}', 'MESSAGE_MALFORMED'],
      [commit.replace('"channelId":"alpha"', '"channelId":"alpha","extra":1'), 'MESSAGE_MALFORMED'],
      [commit.replace('"channelId":"alpha"', '"channelId":"al pha"'), 'MESSAGE_MALFORMED'],
      [
        commit.replace('"channelId":"alpha"', `"channelId":"${'a'.repeat(65)}"`),
        'MESSAGE_MALFORMED',
      ],
      [`{"pad":"${'x'.repeat(300_000)}"}`, 'MESSAGE_MALFORMED'],
      [commit.replace('"channelId":"alpha"', '"channelId":"gamma"'), 'UNKNOWN_CHANNEL'],
    ];
    for (const [text, code] of cases) {
      const error = await refusal(() => w.payeeSide.receive(text));
      expect(error.code, text.slice(0, 80)).toBe(code);
      expect(fingerprint(w)).toBe(before);
    }
    // The genuine message still goes through afterwards.
    await w.payeeSide.receive(commit);
    expect(w.payeeSide.payee('alpha').status().transferred).toBe(7_000n);
  });

  it('any text either routes or is refused with a stable code, and a refusal changes nothing', async () => {
    const w = await TwoSides.create();
    await w.payeeSide.openPayee(payeeConfig('alpha', w.chain.height));
    w.link.queue.length = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .record({ channelId: fc.oneof(fc.constant('alpha'), fc.string()), type: fc.string() })
            .map((v) => JSON.stringify({ protocol: 'picopayments/1', ...v })),
        ),
        async (text) => {
          const before = fingerprint(w);
          try {
            await w.payeeSide.receive(text);
          } catch (error) {
            expect(error).toBeInstanceOf(ManagerError);
            expect(['MESSAGE_MALFORMED', 'UNKNOWN_CHANNEL']).toContain(
              (error as ManagerError).code,
            );
            expect(fingerprint(w)).toBe(before);
            return;
          }
          throw new Error(`accepted a random text: ${text.slice(0, 200)}`);
        },
      ),
      propertyConfig('manager: routing of arbitrary texts', 200),
    );
  });

  it('refuses commands for unknown channels and the wrong role', async () => {
    const w = await TwoSides.create();
    await w.openChannel('alpha');
    expect((await refusal(() => w.payerSide.pay('nope', 1n))).code).toBe('UNKNOWN_CHANNEL');
    expect((await refusal(() => w.payeeSide.pay('alpha', 1n))).code).toBe('WRONG_ROLE');
    expect((await refusal(() => w.payerSide.revokeUntil('alpha', 1n))).code).toBe('WRONG_ROLE');
    expect((await refusal(() => w.payeeSide.forget('alpha'))).code).toBe('CHANNEL_NOT_DONE');
    expect(
      (await refusal(() => w.payeeSide.openPayee(payeeConfig('alpha', w.chain.height)))).code,
    ).toBe('CHANNEL_EXISTS');
    await w.payeeSide.stop();
    expect((await refusal(() => w.payeeSide.receive('{}'))).code).toBe('MANAGER_STOPPED');
  });
});
