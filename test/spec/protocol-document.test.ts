import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { revokeUntil } from '../../src/machines/bookkeeping.js';
import {
  DEFAULT_FUNDING_TIMEOUT,
  DEFAULT_MAX_EXPIRE_TIME,
  DEFAULT_MIN_DELAY_TIME,
  DEFAULT_RELAY_FEE_FLOOR,
} from '../../src/machines/initial-context.js';
import { payeeMachine } from '../../src/machines/payee-machine.js';
import { payerMachine } from '../../src/machines/payer-machine.js';
import { MESSAGE_SCHEMAS, MESSAGE_TYPES } from '../../src/messages/schema.js';
import { machineModel } from '../../tools/spec/machine-model.js';
import { spendPathModels, templateModels } from '../../tools/spec/scripts-model.js';

/**
 * `spec/PROTOCOL.md` is written by hand; these checks keep it consistent with the code where
 * the code can say what is right: byte layouts, spend paths, messages, outcomes, defaults,
 * error codes, and the section numbers the code cites.
 */
const DOC = readFileSync('spec/PROTOCOL.md', 'utf8');

function section(heading: string): string {
  const start = DOC.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const next = DOC.indexOf('\n#', start + heading.length + 2);
  return DOC.slice(start, next < 0 ? undefined : next);
}

/** Indented code blocks of a section, each as one line of whitespace-separated words. */
function codeBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('    ')) current.push(line.trim());
    else if (line.trim() === '' && current.length > 0) {
      blocks.push(current.join(' ').replace(/\s+/g, ' '));
      current = [];
    }
  }
  if (current.length > 0) blocks.push(current.join(' ').replace(/\s+/g, ' '));
  return blocks;
}

/** The table rows of a section whose first cell is `key`, as arrays of cells. */
function row(text: string, key: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${key} |`));
  expect(line, key).toBeDefined();
  return line!.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('spec/PROTOCOL.md agrees with the code', () => {
  test('§3 byte layouts are the templates the code builds', () => {
    const templates = templateModels();
    for (const [heading, name] of [
      ['### Deposit redeem script (173–176 bytes)', 'deposit'],
      ['### Commit redeem script (122–125 bytes)', 'commit'],
    ] as const) {
      const model = templates.find((t) => t.name === name)!;
      const hexBlock = codeBlocks(section(heading))[1];
      expect(hexBlock, name).toBe(model.hex.join(' '));
      expect(heading).toContain(`(${model.size.min}–${model.size.max} bytes)`);
    }
  });

  test('§4 lists every spend path with its unlocking script and nSequence', () => {
    const table = section('## 4. The six transactions');
    for (const path of spendPathModels()) {
      const cells = row(table, path.kind);
      expect(cells[3], path.kind).toBe(`\`${path.unlocking}\``);
      const sequence = path.sequence === 'final' ? 'final' : `\`${path.sequence}\``;
      expect(cells[2], path.kind).toContain(sequence);
    }
    expect(row(table, 'deposit')[1]).toContain('payer');
  });

  test('§5 lists every message with exactly its fields', () => {
    const table = section('## 5. Messages');
    const common = new Set(['protocol', 'type', 'channelId']);
    for (const type of MESSAGE_TYPES) {
      const cells = row(table, `\`${type}\``);
      const listed = [...cells[2]!.matchAll(/`([A-Za-z]+)/g)].map((m) => m[1]);
      const fields = Object.keys(MESSAGE_SCHEMAS[type].properties).filter((f) => !common.has(f));
      expect(listed, type).toEqual(fields);
    }
  });

  test('§7 names every outcome the machines can finish with', () => {
    const table = section('### Outcomes');
    const outcomes = new Set<string>();
    for (const machine of [payerMachine, payeeMachine]) {
      for (const state of machineModel(machine).states) {
        for (const action of state.entry) {
          const m = /^finish\(\{"outcome":"([a-z-]+)"\}\)$/.exec(action);
          if (m) outcomes.add(m[1]!);
        }
      }
    }
    expect(outcomes.size).toBeGreaterThanOrEqual(8);
    for (const outcome of outcomes) row(table, `\`${outcome}\``);
  });

  test('§6 worked example is what revoke-until does', () => {
    const commits = [1, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41].map((n) => ({
      amount: String(n),
    }));
    const run = (q: bigint, surpass: boolean) => {
      const { revoke, keep } = revokeUntil(commits, q, surpass);
      return [revoke.length, keep.at(-1)?.amount ?? '0'];
    };
    expect(run(15n, false)).toEqual([6, '17']);
    expect(run(15n, true)).toEqual([7, '13']);
    expect(run(31n, false)).toEqual([2, '31']);
    expect(run(0n, false)).toEqual([13, '0']);
    expect(section('## 6. Commit bookkeeping').replace(/\s+/g, ' ')).toContain(
      '`q = 15` revokes six and leaves 17 transferred, with `surpass` seven and leaves 13; `q = 31` revokes two and leaves 31; `q = 0` revokes all.',
    );
  });

  test('the defaults it states are the code defaults', () => {
    const text = DOC.replace(/\s+/g, ' ');
    expect(text).toContain(`\`minDelayTime\` (default ${DEFAULT_MIN_DELAY_TIME}:`);
    expect(text).toContain(`\`maxExpireTime\` (default ${DEFAULT_MAX_EXPIRE_TIME} blocks`);
    expect(text).toContain(`\`fundingTimeout\` blocks (default ${DEFAULT_FUNDING_TIMEOUT})`);
    expect(text).toContain(`**relay floor** (default ${DEFAULT_RELAY_FEE_FLOOR} sat/vB`);
  });

  test('every error code it cites exists in the code', () => {
    const source = sourceFiles('src')
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    // Opcodes and the sighash type are spelled like codes but are not error codes.
    const cited = new Set(
      [...DOC.matchAll(/`([A-Z][A-Z0-9]+_[A-Z0-9_]+)`/g)]
        .map((m) => m[1]!)
        .filter((name) => !/^(OP|SIGHASH)_/.test(name)),
    );
    expect(cited.size).toBeGreaterThan(20);
    const missing = [...cited].filter((code) => !source.includes(`'${code}'`));
    expect(missing).toEqual([]);
  });

  test('every section the code and tests cite exists', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('test'), ...sourceFiles('tools')];
    const cited = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/PROTOCOL\.md §(\d+[a-z]?)/g))
        cited.add(m[1]!);
    }
    expect(cited.size).toBeGreaterThan(3);
    for (const number of cited)
      expect(DOC, `§${number}`).toMatch(new RegExp(`\\n## ${number}\\. `));
  });
});
