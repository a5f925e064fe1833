import { describe, expect, test } from 'vitest';
import { runHonestChannel } from '../../tools/demo/honest-channel.js';
import type { Reporter } from '../../tools/demo/reporter.js';
import { recordHonestChannel } from '../../tools/spec/demo-recording.js';
import { foldRepeats } from '../../tools/spec/sequence-folding.js';
import type { SequenceLine } from '../../tools/spec/sequence-lines.js';
import { sequenceDiagram, sequencePage } from '../../tools/spec/sequence-page.js';

/** A reporter that keeps what the demo tells. */
function collectingReporter() {
  const told = {
    steps: [] as string[],
    progress: 0,
    transactions: [] as string[],
  };
  const reporter: Reporter = {
    heading: () => {},
    step: (text) => told.steps.push(text),
    progress: () => {
      told.progress++;
    },
    transaction: (who, label) => told.transactions.push(`${who} ${label}`),
  };
  return { told, reporter };
}

const line = (template: string, ...values: number[]): SequenceLine => ({
  kind: 'arrow',
  from: 'Payer',
  to: 'Payee',
  dashed: false,
  template,
  values: values.map(BigInt),
});

describe('the message sequence diagram', () => {
  test('two recordings give the same page, free of keys, hashes and txids', async () => {
    const [a, b] = await Promise.all([recordHonestChannel(), recordHonestChannel()]);
    // Different secrets: the underlying messages differ from run to run...
    const bytesOf = (r: typeof a) =>
      JSON.stringify(r.steps.filter((s) => s.kind === 'message').map((s) => s.message));
    expect(bytesOf(a)).not.toBe(bytesOf(b));
    // ...but the page shows only what is the same in every run.
    const page = sequencePage(a);
    expect(sequencePage(b)).toBe(page);
    expect(page).not.toMatch(/[0-9a-f]{16,}/);
  }, 30_000);

  test('the recording plays the same channel as the demo', async () => {
    const { told, reporter } = collectingReporter();
    const [demo, recording] = await Promise.all([
      runHonestChannel(reporter),
      recordHonestChannel(),
    ]);
    expect(recording.outcomes).toEqual(demo.outcomes);
    const commits = recording.steps.filter(
      (s) => s.kind === 'message' && s.message.type === 'commit',
    );
    expect(commits).toHaveLength(told.progress);
    // The demo logs each transaction once (the deposit when it confirms), as first broadcasts.
    const broadcasts = recording.steps.flatMap((s) =>
      s.kind === 'transaction' && !s.again ? [`${s.from} ${s.label}`] : [],
    );
    expect(broadcasts).toEqual(told.transactions);
    const giveBack = told.steps.find((t) => t.includes('revoke-until'))!;
    const [, keep, revoked] = /revoke-until ([\d,]+) sat revokes (\d+) commits/.exec(giveBack)!;
    expect(recording.transferred).toBe(BigInt(keep!.replace(/,/g, '')));
    const secrets = recording.steps.find(
      (s) => s.kind === 'message' && s.message.type === 'revoke-secrets',
    );
    expect(
      secrets?.kind === 'message' && secrets.message.type === 'revoke-secrets'
        ? secrets.message.secrets.length
        : 0,
    ).toBe(Number(revoked));
  }, 30_000);

  test('the diagram shows the protocol in order, with the payments folded into one loop', async () => {
    const diagram = sequenceDiagram(await recordHonestChannel());
    const lines = diagram.split('\n').map((l) => l.trim());
    expect(lines[0]).toBe('sequenceDiagram');
    const at = (text: string) => {
      const i = lines.findIndex((l) => l.startsWith(text));
      expect(i, text).toBeGreaterThan(0);
      return i;
    };
    const order = [
      at('Payee->>Payer: offer: expire_time 7..1,000, delay_time 1..144, fee floor 1 sat/vB'),
      at('Payer->>Payee: deposit: script, delay_time 6'),
      at('Payer->>Chain: broadcast deposit'),
      at('Payer->>Payee: deposit-funded: 1,000,000 sat'),
      at('Note over Chain: block 102: confirms deposit'),
      at('loop 25 times'),
      at('Payer->>Payee: commit: 2,000 … 50,000 sat (cumulative)'),
      at('Note over Payee: payee user: revoke-until 40,000 sat'),
      at('Payee->>Payer: revoke-secrets: 5 secret(s)'),
      at('Payee->>Chain: broadcast commit'),
      at('Payee->>Chain: broadcast payout'),
      at('Payer->>Chain: broadcast change'),
      at('Note over Payee: payee finished: paid-out'),
      at('Note over Payer: payer finished: settled'),
    ];
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(lines.filter((l) => l.startsWith('loop ')).length).toBe(
      lines.filter((l) => l === 'end').length,
    );
  }, 30_000);
});

describe('folding repeats into loops', () => {
  test('a window repeated three times or more becomes a loop; fewer stay lines', () => {
    const lines = [
      line('commit {}', 1),
      line('hash'),
      line('commit {}', 2),
      line('hash'),
      line('commit {}', 3),
      line('hash'),
      line('close'),
      line('x'),
      line('x'),
    ];
    const folded = foldRepeats(lines);
    expect(
      folded.map((b) => (b.kind === 'loop' ? `loop ${b.times}x${b.lines.length}` : 'line')),
    ).toEqual(['loop 3x2', 'line', 'line', 'line']);
    const loop = folded[0]!;
    expect(loop.kind === 'loop' && loop.lines[0]!.map((l) => l.values[0])).toEqual([1n, 2n, 3n]);
  });

  test('the window covering most lines wins, the shorter on a tie', () => {
    const a = line('a');
    expect(foldRepeats([a, a, a, a]).map((b) => b.kind === 'loop' && b.lines.length)).toEqual([1]);
    const b = line('b');
    const folded = foldRepeats([a, b, a, b, a, b, a, b]);
    expect(folded).toHaveLength(1);
    expect(folded[0]!.kind === 'loop' && folded[0]!.times).toBe(4);
    expect(foldRepeats([])).toEqual([]);
  });

  test('lines differing in anything but their numbers do not fold', () => {
    const again = { ...line('m'), dashed: true };
    expect(foldRepeats([line('m'), again, line('m')]).every((b) => b.kind === 'line')).toBe(true);
  });
});
