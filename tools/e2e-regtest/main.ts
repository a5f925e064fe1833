/**
 * `npm run e2e:regtest -- --rpc URL (--cookie FILE | --rpcuser NAME --rpcpassword PASS)`:
 * three channel lifecycles through {@link BitcoinCoreChain} against a Bitcoin Core regtest
 * node (no wallet needed) or a picopayments-simnet. Exits 0 when every check holds, 1 on any
 * deviation, 2 on a bad command line.
 */
import { randomBytes } from 'node:crypto';
import type { CoreRpcAuth } from '../../src/chain/bitcoin-core/rpc-client.js';
import { RegtestNode } from './regtest-node.js';
import { SCENARIOS } from './scenarios.js';

const USAGE = `usage: e2e-regtest --rpc URL (--cookie FILE | --rpcuser NAME --rpcpassword PASS)

Runs three payment-channel lifecycles against a regtest node and exits non-zero on any
deviation: an honest close with payout and change, a stale payee publishing a revoked commit,
and a payee that vanishes so the payer expires the deposit. It mines blocks itself
(generatetoaddress); coins come from the node's coinbase (or the simnet's faucet).
`;

function parse(args: readonly string[]): { url: string; auth: CoreRpcAuth } | string {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    if (flag === '--help') return USAGE;
    if (!['--rpc', '--cookie', '--rpcuser', '--rpcpassword'].includes(flag))
      return `unknown option ${flag}\n\n${USAGE}`;
    const value = args[i + 1];
    if (value === undefined) return `${flag} needs a value\n\n${USAGE}`;
    flags.set(flag, value);
  }
  const url = flags.get('--rpc');
  if (url === undefined) return `--rpc is required\n\n${USAGE}`;
  const cookie = flags.get('--cookie');
  const user = flags.get('--rpcuser');
  const password = flags.get('--rpcpassword');
  if (cookie !== undefined && user === undefined && password === undefined)
    return { url, auth: { cookieFile: cookie } };
  if (cookie === undefined && user !== undefined && password !== undefined)
    return { url, auth: { user, password } };
  return `give either --cookie or both --rpcuser and --rpcpassword\n\n${USAGE}`;
}

async function main(): Promise<number> {
  const parsed = parse(process.argv.slice(2));
  if (typeof parsed === 'string') {
    const help = parsed === USAGE;
    (help ? process.stdout : process.stderr).write(parsed);
    return help ? 0 : 2;
  }
  const node = new RegtestNode(parsed.url, parsed.auth, randomBytes(32));
  await node.assertRegtest();
  let failed = 0;
  for (const scenario of SCENARIOS) {
    const result = await scenario(node);
    console.log(`\n== ${result.title}`);
    for (const check of result.checks) {
      console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
      if (!check.ok) failed++;
    }
  }
  console.log(failed === 0 ? '\nAll checks passed.' : `\n${failed} check(s) FAILED.`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
