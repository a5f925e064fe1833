/**
 * `npm run bench`: how close channel operations come to the cost of the cryptography. Every
 * ratio is against a baseline measured in this same run; nothing here asserts a timing.
 */
import { channelStepsBenchmark, STEPS_PER_CHANNEL } from './channel-steps.js';
import { lifecycleBenchmark, PAYMENTS_PER_LIFECYCLE } from './channel-lifecycle.js';
import {
  checkCommitBenchmark,
  createCommitBenchmark,
  MACHINE_COMMITS_PER_SAMPLE,
  machineCommitBenchmark,
} from './commit-operations.js';
import { commitStageBenchmarks } from './commit-stages.js';
import { cryptoBaseline } from './crypto-baseline.js';
import { buildCommitFixture } from './fixtures.js';
import { type Benchmark, measureGroup } from './harness.js';
import { machineInfo } from './machine-info.js';
import { line, microseconds, section } from './report.js';

const started = Date.now();
console.log(section('Machine', machineInfo()));

const fixture = await buildCommitFixture(MACHINE_COMMITS_PER_SAMPLE);
const baseline = cryptoBaseline();

// Baseline and commit operations sampled in turn, so that load changes hit all alike.
const [sign, verify, create, check, machine] = await measureGroup(
  [
    baseline.sign,
    baseline.verify,
    createCommitBenchmark(fixture),
    checkCommitBenchmark(fixture),
    machineCommitBenchmark(fixture) as Benchmark<unknown>,
  ],
  { samples: 9, sampleMs: 250 },
);
console.log(
  section('Baseline (the limit) and commit operations', [
    line(sign!),
    line(verify!),
    line(create!, sign),
    line(check!, verify),
    line(machine!, verify),
    `machine overhead over the guard: ${(microseconds(machine!) - microseconds(check!)).toFixed(0)} us per commit`,
  ]),
);

const stages = await measureGroup([...commitStageBenchmarks(fixture), baseline.verify], {
  samples: 5,
  sampleMs: 100,
});
const stageVerify = stages[stages.length - 1]!;
const stageSum = stages.slice(0, -2).reduce((sum, m) => sum + microseconds(m), 0);
console.log(
  section('Stages of checkCommit (ratio = cost in raw verifications)', [
    ...stages.slice(0, -1).map((m) => line(m, stageVerify)),
    `sum of the guard's stages: ${stageSum.toFixed(0)} us = ${(stageSum / microseconds(stageVerify)).toFixed(2)}x one raw verification`,
  ]),
);

const [plain, verified] = await measureGroup(
  [lifecycleBenchmark(false), lifecycleBenchmark(true)],
  { samples: 3, warmups: 1 },
);
console.log(
  section(
    `Full channel lifecycles (deposit, ${PAYMENTS_PER_LIFECYCLE} payments, close, payout, change)`,
    [
      line(plain!, verify),
      line(verified!, verify),
      `per payment: ${(microseconds(plain!) / PAYMENTS_PER_LIFECYCLE).toFixed(0)} us without, ${(microseconds(verified!) / PAYMENTS_PER_LIFECYCLE).toFixed(0)} us with bitcore (whole lifecycle / payments)`,
    ],
  ),
);

const [steps] = await measureGroup([channelStepsBenchmark(0x5eed) as Benchmark<unknown>], {
  samples: 5,
  warmups: 1,
});
console.log(
  section(`Random channel steps (${STEPS_PER_CHANNEL} per channel, seed 0x5eed)`, [
    line(steps!, verify),
  ]),
);

{
  // The flat-cost curve: on the native backend, so that the signatures do not hide the rest.
  const { paymentCurve, curveLines } = await import('./payment-curve.js');
  const { useSecp256k1Backend } = await import('../src/crypto/index.js');
  const long = process.argv.includes('--long');
  await useSecp256k1Backend('native');
  const points = await paymentCurve(
    long ? [100, 1_000, 10_000, 100_000, 1_000_000] : [100, 1_000, 10_000, 100_000],
  );
  await useSecp256k1Backend('noble');
  console.log(
    section('Cost per payment as one channel grows (native backend)', curveLines(points)),
  );
}

await (await import('./crypto-backends.js')).runCryptoBackendBenchmarks();
await (await import('./stores.js')).runStoreBenchmarks();
await (await import('./manager.js')).runManagerBenchmarks();
await (await import('./hub.js')).runHubBenchmarks();

console.log(
  section('Run', [
    `elapsed: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    ...machineInfo().slice(-1),
    'ratios: cost of one operation in units of one raw operation of the named baseline',
  ]),
);
