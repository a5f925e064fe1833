/**
 * `npm run spec` writes `spec/generated/` from the machines, script templates, message schemas
 * and a replay of the demo's honest channel; `npm run spec:check` (`--check`) regenerates in
 * memory and exits non-zero, naming every stale, missing or extra file, when the committed
 * documents no longer match the code.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DIR, generateSpecFiles } from './spec-files.js';
import { compareWithDirectory, isFresh } from './staleness.js';

async function main(): Promise<number> {
  const files = await generateSpecFiles();
  const report = compareWithDirectory(files, GENERATED_DIR);
  if (process.argv.includes('--check')) {
    if (isFresh(report)) {
      console.log(`spec: ${GENERATED_DIR} is up to date (${files.size} files)`);
      return 0;
    }
    for (const name of report.stale) console.error(`stale:   ${GENERATED_DIR}/${name}`);
    for (const name of report.missing) console.error(`missing: ${GENERATED_DIR}/${name}`);
    for (const name of report.extra) console.error(`extra:   ${GENERATED_DIR}/${name}`);
    console.error('spec: run `npm run spec` and commit the result');
    return 1;
  }
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const name of report.extra) rmSync(join(GENERATED_DIR, name));
  for (const [name, content] of files) writeFileSync(join(GENERATED_DIR, name), content);
  const changed = report.stale.length + report.missing.length + report.extra.length;
  console.log(`spec: wrote ${files.size} files to ${GENERATED_DIR} (${changed} changed)`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
