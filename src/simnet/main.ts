#!/usr/bin/env node
/**
 * `picopayments-simnet`: runs {@link startSimnet} as a process. Prints `rpc <url>`,
 * `esplora <url>` and `cookie <file>` lines on stdout once listening, and exits 0 on SIGTERM
 * or SIGINT after closing the server; exits 2 on a bad command line.
 */
import { CliUsageError, parseCli, USAGE } from './cli-options.js';
import { startSimnet } from './simnet.js';

async function main(): Promise<number> {
  let request: ReturnType<typeof parseCli>;
  try {
    request = parseCli(process.argv.slice(2));
  } catch (error: unknown) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (request.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const node = await startSimnet(request.options);
  process.stdout.write(`rpc ${node.url}\nesplora ${node.esploraUrl}\ncookie ${node.cookieFile}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await node.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
