/**
 * Per secp256k1 backend: raw verifications and signatures per second, the engine's own
 * verification and payee commit acceptance as ratios to one raw verification of the same
 * backend, and payments per second end to end (payer and payee in one process).
 *
 * Run alone with `npx tsx bench/crypto-backends.ts`, or as part of `npm run bench`.
 */
import { pathToFileURL } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  SECP256K1_BACKEND_NAMES,
  type Secp256k1Backend,
  type Secp256k1BackendName,
  loadSecp256k1Backend,
  useSecp256k1Backend,
} from '../src/crypto/index.js';
import { publicKeyOf } from '../src/transactions/keys.js';
import { assertValidSignature, signHash } from '../src/transactions/signatures.js';
import {
  type TestChannel,
  mine,
  openTestChannel,
  settle,
} from '../test/support/channel-harness.js';
import {
  MACHINE_COMMITS_PER_SAMPLE,
  checkCommitBenchmark,
  machineCommitBenchmark,
} from './commit-operations.js';
import { type CommitFixture, buildCommitFixture } from './fixtures.js';
import { type Benchmark, type Measurement, measureGroup } from './harness.js';
import { line, section } from './report.js';

/** Payments per end-to-end sample: one fresh channel (opened untimed) carries this many. */
export const PAYMENTS_PER_SAMPLE = 100;

/** Raw backend operations on distinct hashes, so that no cache can flatter the figures. */
function rawBenchmarks(backend: Secp256k1Backend): Benchmark<void>[] {
  const privateKey = sha256(new TextEncoder().encode('bench signing key'));
  const publicKey = backend.publicKeyCreate(privateKey);
  const hashes = Array.from({ length: 256 }, (_, i) => sha256(Uint8Array.of(i, i >> 8)));
  const compact = hashes.map((h) => backend.sign(h, privateKey));
  const pushes = hashes.map((h) => signHash(h, privateKey));
  const manyKeys = Array.from({ length: 2048 }, (_, i) => sha256(Uint8Array.of(i, i >> 8, 1)));
  return [
    {
      name: `${backend.name}: raw sign`,
      run: (n) => {
        for (let i = 0; i < n; i++) backend.sign(hashes[i & 255]!, privateKey);
      },
    },
    {
      name: `${backend.name}: raw verify`,
      run: (n) => {
        for (let i = 0; i < n; i++) {
          if (!backend.verify(compact[i & 255]!, hashes[i & 255]!, publicKey)) {
            throw new Error('raw signature does not verify');
          }
        }
      },
    },
    {
      name: `${backend.name}: engine verify (DER/low-S checks + verify)`,
      run: (n) => {
        for (let i = 0; i < n; i++) {
          assertValidSignature(pushes[i & 255]!, hashes[i & 255]!, publicKey);
        }
      },
    },
    {
      // Over more keys than the engine remembers: each call derives (a base-point multiplication).
      name: `${backend.name}: engine publicKeyOf`,
      run: (n) => {
        for (let i = 0; i < n; i++) publicKeyOf(manyKeys[i & 2047]!);
      },
    },
  ];
}

/** Payments per second: pay, deliver the commit, payee accepts and answers; both persist. */
function paymentsBenchmark(name: string): Benchmark<TestChannel> {
  return {
    name: `${name}: payments end to end (${PAYMENTS_PER_SAMPLE} per channel)`,
    operations: PAYMENTS_PER_SAMPLE,
    prepare: async () => {
      const t = await openTestChannel({ verify: false });
      await settle(t);
      await mine(t, 1);
      return t;
    },
    run: async (n, t) => {
      for (let i = 0; i < n; i++) {
        await t.payer.pay(1_000n);
        await settle(t);
      }
      if (t.payee.status().transferred !== 1_000n * BigInt(n)) throw new Error('payments lost');
    },
  };
}

/** One backend's figures. */
interface BackendFigures {
  readonly backend: Secp256k1Backend;
  readonly sign: Measurement;
  readonly verify: Measurement;
  readonly engineVerify: Measurement;
  readonly check: Measurement;
  readonly machine: Measurement;
  readonly payments: Measurement;
}

async function measureBackend(
  name: Secp256k1BackendName,
  fixture: CommitFixture,
): Promise<BackendFigures> {
  const backend = await useSecp256k1Backend(name);
  const [sign, verify, engineVerify, pubkey, check, machine] = await measureGroup(
    [
      ...rawBenchmarks(backend),
      { ...checkCommitBenchmark(fixture), name: `${name}: checkCommit (payee guard)` },
      {
        ...machineCommitBenchmark(fixture),
        name: `${name}: payee machine COMMIT (${MACHINE_COMMITS_PER_SAMPLE} per actor)`,
      } as Benchmark<unknown>,
    ],
    { samples: 7, sampleMs: 200 },
  );
  const [payments] = await measureGroup([paymentsBenchmark(name) as Benchmark<unknown>], {
    samples: 5,
    warmups: 1,
  });
  console.log(
    section(`secp256k1 backend ${name}: ${backend.implementation}`, [
      line(sign!),
      line(verify!),
      line(engineVerify!, verify),
      line(pubkey!, sign),
      line(check!, verify),
      line(machine!, verify),
      line(payments!, verify),
    ]),
  );
  return {
    backend,
    sign: sign!,
    verify: verify!,
    engineVerify: engineVerify!,
    check: check!,
    machine: machine!,
    payments: payments!,
  };
}

function cell(value: string, width: number): string {
  return value.padStart(width);
}

/** Measures every installed backend and prints one section each and a summary table. */
export async function runCryptoBackendBenchmarks(): Promise<void> {
  const fixture = await buildCommitFixture(MACHINE_COMMITS_PER_SAMPLE);
  const figures: BackendFigures[] = [];
  const skipped: string[] = [];
  for (const name of SECP256K1_BACKEND_NAMES) {
    try {
      await loadSecp256k1Backend(name);
    } catch (error) {
      skipped.push(`${name}: ${(error as Error).message}`);
      continue;
    }
    figures.push(await measureBackend(name, fixture));
  }
  await useSecp256k1Backend('noble');
  const header = ['backend', 'verify/s', 'sign/s', 'accept/verify', 'machine/verify', 'payments/s'];
  const widths = [16, 10, 10, 15, 16, 12];
  const ratio = (m: Measurement, base: Measurement) =>
    `${(base.opsPerSecond / m.opsPerSecond).toFixed(2)}x`;
  const rows = figures.map((f) =>
    [
      f.backend.name,
      f.verify.opsPerSecond.toFixed(0),
      f.sign.opsPerSecond.toFixed(0),
      ratio(f.check, f.verify),
      ratio(f.machine, f.verify),
      f.payments.opsPerSecond.toFixed(1),
    ]
      .map((v, i) => (i === 0 ? v.padEnd(widths[0]!) : cell(v, widths[i]!)))
      .join(''),
  );
  console.log(
    section('secp256k1 backends compared (ratios: cost in raw verifies of the same backend)', [
      header.map((v, i) => (i === 0 ? v.padEnd(widths[0]!) : cell(v, widths[i]!))).join(''),
      ...rows,
      ...skipped.map((s) => `skipped ${s}`),
    ]),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCryptoBackendBenchmarks();
}
