import { code, document, generatedNotice, table } from './markdown.js';
import type { SpendPathModel, TemplateModel } from './scripts-model.js';

const SOURCES = [
  'src/scripts/deposit-script.ts',
  'src/scripts/commit-script.ts',
  'src/scripts/unlocking-scripts.ts',
  'src/transactions/spend-transactions.ts',
];

function templateSection(t: TemplateModel): string {
  return [
    `## ${t.name === 'deposit' ? 'Deposit' : 'Commit'} redeem script (\`${t.constant}\`)`,
    `Slots: ${t.slots.map((s) => `\`${s.placeholder}\` (${s.kind})`).join(', ')}.`,
    `Size: ${t.size.min}–${t.size.max} bytes, depending on how the time is encoded.`,
    `Assembly:\n\n\`\`\`\n${t.asm.join(' ')}\n\`\`\``,
    `Hex (a \`<…>\` stands for the slot's bytes; keys and hashes follow their push opcode, a time is a minimal script number: \`OP_0\`, \`OP_1\`..\`OP_16\` or a 1–3 byte push):\n\n\`\`\`\n${t.hex.join(' ')}\n\`\`\``,
  ].join('\n\n');
}

const SEQUENCE_TEXT: Record<SpendPathModel['sequence'], string> = {
  final: 'final (`0xffffffff`)',
  delay_time: '`delay_time` (BIP68, blocks)',
  expire_time: '`expire_time` (BIP68, blocks)',
};

/** The Markdown page of the redeem-script templates and the five spend paths. */
export function scriptsPage(
  templates: readonly TemplateModel[],
  paths: readonly SpendPathModel[],
): string {
  return document([
    '# Scripts and spend paths',
    generatedNotice(SOURCES),
    'Both redeem scripts are paid to as P2SH. Every unlocking script ends with the push of the redeem script; signatures are strict-DER, low-S ECDSA with `SIGHASH_ALL`.',
    ...templates.map(templateSection),
    '## Spend paths',
    'Each row is derived by building the unlocking script with placeholder values and rendering it; the branch is the part of the redeem script the `OP_IF` selectors execute, and the nSequence comes from `spendSequence`.',
    table(
      ['path', 'spends', 'branch', 'unlocking script', 'input nSequence', 'signed by', 'reveals'],
      paths.map((p) => [
        code(p.kind),
        `${p.spends} output`,
        p.branch.join(' → '),
        code(p.unlocking),
        SEQUENCE_TEXT[p.sequence],
        p.signers.join(' and '),
        p.reveals ?? '—',
      ]),
    ),
    '### Executed branch of each path',
    table(
      ['path', 'script executed after the branch selection'],
      paths.map((p) => [code(p.kind), code(p.branchAsm)]),
    ),
  ]);
}
