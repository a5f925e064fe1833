import type { HonestRecording } from './demo-recording.js';
import { type FoldedBlock, foldRepeats } from './sequence-folding.js';
import { type SequenceLine, sequenceLine } from './sequence-lines.js';
import { code, document, generatedNotice, table } from './markdown.js';

const grouped = (value: bigint) => value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Fills a line's template; `values[k]` is the text of the k-th `{}`. */
function fill(template: string, values: readonly string[]): string {
  let k = 0;
  return template.replace(/\{\}/g, () => values[k++] ?? '?');
}

function statement(line: SequenceLine, text: string): string {
  if (line.kind === 'note') return `Note over ${line.from}: ${text}`;
  return `${line.from}${line.dashed ? '-->>' : '->>'}${line.to}: ${text}`;
}

/** A loop line: a number that changes between repetitions is shown as `first … last`. */
function loopText(repetitions: readonly SequenceLine[]): string {
  const first = repetitions[0]!;
  const last = repetitions[repetitions.length - 1]!;
  const values = first.values.map((v, k) =>
    repetitions.every((r) => r.values[k] === v)
      ? grouped(v)
      : `${grouped(v)} … ${grouped(last.values[k]!)}`,
  );
  return fill(first.template, values);
}

function render(block: FoldedBlock): string[] {
  if (block.kind === 'line') {
    return [statement(block.line, fill(block.line.template, block.line.values.map(grouped)))];
  }
  return [
    `loop ${block.times} times`,
    ...block.lines.map((reps) => `    ${statement(reps[0]!, loopText(reps))}`),
    'end',
  ];
}

/** The Mermaid `sequenceDiagram` of a recorded run, repeats folded into loops. */
export function sequenceDiagram(recording: HonestRecording): string {
  const body = foldRepeats(recording.steps.map(sequenceLine)).flatMap(render);
  return [
    'sequenceDiagram',
    '    participant Payer',
    '    participant Payee',
    '    participant Chain as Chain (simulated)',
    ...body.map((l) => `    ${l}`),
  ].join('\n');
}

/** The page `sequence.md`: the diagram of the demo's honest channel and how it ended. */
export function sequencePage(recording: HonestRecording): string {
  const { params, options } = recording;
  const count = (kind: string) => recording.steps.filter((s) => s.kind === kind).length;
  return document([
    '# Message sequence of the demo',
    generatedNotice([
      'tools/spec/demo-recording.ts',
      'tools/demo/honest-channel.ts',
      'tools/demo/world.ts',
    ]),
    [
      "A recorded run of the demo's honest channel (`npm run demo`, channel 1) on the simulated",
      'chain: every message the two machines handed to the link, every transaction they',
      'broadcast, every block mined, and the commands of their users. The run is replayed when',
      'the page is generated, so the diagram always shows what the code does.',
    ].join('\n'),
    [
      '- Only what is the same in every run is shown: message types, amounts and terms,',
      '  transaction labels, block heights and outcomes. Keys, hashes, secrets and txids differ',
      '  from run to run (secrets come from the CSPRNG) and are left out.',
      '- A dashed arrow is a resend: the same message or transaction again (parties repeat what',
      '  is outstanding at every block, and re-broadcast until a transaction confirms).',
      '- Lines that repeat up to their numbers are folded into a `loop`; a number that changes',
      '  between repetitions is shown as `first … last`.',
      '- A block note lists the channel transactions the block confirms.',
    ].join('\n'),
    `\`\`\`mermaid\n${sequenceDiagram(recording)}\n\`\`\``,
    '## The run',
    table(
      ['', 'value'],
      [
        ['channel', code(params.channelId)],
        ['deposit', `${grouped(params.depositAmount)} sat`],
        [
          'expire_time / delay_time / clearance',
          `${params.expireTime} / ${params.delayTime} / ${params.clearance} blocks`,
        ],
        ['fee rate', `${params.feeRate} sat/vB`],
        ['payments', `${options.payments} of ${grouped(options.paymentAmount)} sat`],
        ['given back (revoke-until)', `${options.givenBack} payments`],
        ['transferred at the end', `${grouped(recording.transferred)} sat`],
        ['payer outcome', code(recording.outcomes.payer)],
        ['payee outcome', code(recording.outcomes.payee)],
        [
          'messages / transactions / blocks',
          `${count('message')} / ${count('transaction')} / ${count('block')}`,
        ],
      ],
    ),
  ]);
}
