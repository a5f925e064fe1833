#!/usr/bin/env node
/** The `picopayments` program: a thin shell over {@link runCli}. */
import { runCli } from './cli/main.js';

// No top-level await: the program is also built as CommonJS.
void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdin: process.stdin,
}).then((code) => {
  process.exitCode = code;
});
