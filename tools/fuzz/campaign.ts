import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PropertyRunRecord } from '../../test/support/property-config.js';
import { fuzzReplayCommand, vitestReplayCommand, writeFailure } from './failures.js';
import { progressLine } from './progress.js';
import { executedRuns, readRecords } from './records.js';
import { roundSeed } from './seeds.js';
import type { Suite } from './suites.js';
import { type RoundResult, runRound } from './vitest-round.js';

/** Everything a run of the suites needs, whatever its mode. */
export interface FuzzSettings {
  /** Repository root. */
  readonly root: string;
  readonly suites: readonly Suite[];
  /** Absolute directory the failure reports go to. */
  readonly failuresDir: string;
  /** Extra vitest arguments, repeated in every replay command. */
  readonly vitestArgs: readonly string[];
  readonly runs: number | null;
  readonly noShrink: boolean;
  /** Where progress and results are printed, one line per call. */
  readonly write: (line: string) => void;
  /** Ends the run early (Ctrl-C): the current round is stopped. */
  readonly signal?: AbortSignal;
  /** Whether a fixed run shows vitest's output (the default) or keeps it quiet. */
  readonly vitestOutput?: 'inherit' | 'capture';
}

/** A time-budgeted campaign: rounds with fresh seeds until the budget is spent. */
export interface CampaignSettings extends FuzzSettings {
  readonly minutes: number;
  /** Campaign seed; round seeds are derived from it. */
  readonly seed: number;
  /** How often a progress line is printed while a round runs. */
  readonly progressEveryMs?: number;
}

/** What a campaign did. */
export interface CampaignSummary {
  readonly seed: number;
  /** Rounds that ran to their end (a round stopped by the budget is not counted). */
  readonly rounds: number;
  readonly properties: number;
  /** fast-check runs executed in all rounds, stopped ones included. */
  readonly runs: number;
  /** Paths of the failure reports written. */
  readonly failureFiles: readonly string[];
  /** Set when a round failed without a property failure (a broken suite): the campaign stopped. */
  readonly brokenRound: RoundResult | null;
  readonly interrupted: boolean;
  readonly elapsedMs: number;
  /** 0 when nothing failed, 1 on a failure or a broken round, 130 when interrupted. */
  readonly exitCode: number;
}

/** Writes a report for each failed record and prints where it went and how to replay it. */
export function reportFailures(
  settings: FuzzSettings,
  records: readonly PropertyRunRecord[],
  campaign: { seed: number; round: number } | null,
): string[] {
  const files: string[] = [];
  for (const record of records.filter((r) => r.failed)) {
    const suite = settings.suites.find((s) => s.file === record.file)?.name ?? null;
    const replay = {
      vitest: vitestReplayCommand(record, settings.vitestArgs),
      fuzz: settings.vitestArgs.length === 0 ? fuzzReplayCommand(record, suite) : null,
    };
    const path = writeFailure(settings.failuresDir, { ...record, replay, campaign });
    files.push(path);
    settings.write(`FAILED ${record.file} › ${record.test} (seed ${record.seed})`);
    settings.write(`  counterexample: ${(record.counterexample ?? '(none)').slice(0, 300)}`);
    settings.write(`  written to ${path}`);
    settings.write(`  replay: ${replay.vitest}`);
  }
  return files;
}

/**
 * Runs the suites in rounds, each with a fresh seed derived from the campaign seed, until
 * `minutes` are spent; a round still running when the budget ends is stopped. Every failing
 * property is written to the failures directory, and the campaign goes on with the next round.
 */
export async function runCampaign(settings: CampaignSettings): Promise<CampaignSummary> {
  const started = performance.now();
  const budgetMs = settings.minutes * 60_000;
  const deadline = started + budgetMs;
  const work = mkdtempSync(join(tmpdir(), 'picopayments-fuzz-'));
  const files = settings.suites.map((s) => s.file);
  let rounds = 0;
  let properties = 0;
  let runs = 0;
  const failureFiles: string[] = [];
  let brokenRound: RoundResult | null = null;
  const progress = (extraRuns = 0, extraProperties = 0) =>
    progressLine({
      elapsedMs: performance.now() - started,
      budgetMs,
      rounds,
      runs: runs + extraRuns,
      properties: properties + extraProperties,
      failures: failureFiles.length,
    });
  settings.write(
    `fuzz: campaign seed ${settings.seed}, ${settings.minutes} min, ${files.length} suite(s): ${settings.suites.map((s) => s.name).join(', ')}`,
  );
  try {
    for (let round = 0; performance.now() < deadline && !settings.signal?.aborted; round++) {
      const seed = roundSeed(settings.seed, round);
      const reportFile = join(work, `round-${round}.jsonl`);
      const stop = new AbortController();
      const budgetTimer = setTimeout(() => stop.abort(), Math.max(0, deadline - performance.now()));
      const onInterrupt = () => stop.abort();
      settings.signal?.addEventListener('abort', onInterrupt, { once: true });
      const ticker = setInterval(() => {
        const partial = readRecords(reportFile).records;
        settings.write(
          `${progress(executedRuns(partial), partial.length)} (round ${round + 1} running)`,
        );
      }, settings.progressEveryMs ?? 30_000);
      const result = await runRound({
        root: settings.root,
        files,
        seed,
        runs: settings.runs,
        noShrink: settings.noShrink,
        reportFile,
        vitestArgs: settings.vitestArgs,
        output: 'capture',
        signal: stop.signal,
      });
      clearTimeout(budgetTimer);
      clearInterval(ticker);
      settings.signal?.removeEventListener('abort', onInterrupt);
      const { records } = readRecords(reportFile);
      runs += executedRuns(records);
      properties += records.length;
      if (!result.stopped) rounds++;
      failureFiles.push(...reportFailures(settings, records, { seed: settings.seed, round }));
      const propertyFailed = records.some((r) => r.failed);
      settings.write(
        `${progress()} (round ${round + 1}, seed ${seed}: ${result.stopped ? (settings.signal?.aborted ? 'interrupted' : 'stopped at the budget') : propertyFailed ? 'FAILED' : 'passed'})`,
      );
      if (!result.stopped && result.exitCode !== 0 && !propertyFailed) {
        brokenRound = result;
        settings.write('fuzz: a round failed without a property failure; its output ends with:');
        settings.write(result.output.slice(-4000));
        break;
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const interrupted = settings.signal?.aborted ?? false;
  const exitCode = interrupted ? 130 : failureFiles.length > 0 || brokenRound ? 1 : 0;
  settings.write(
    `fuzz: done: ${progress()}${failureFiles.length > 0 ? `; failures in ${settings.failuresDir}` : ''}`,
  );
  return {
    seed: settings.seed,
    rounds,
    properties,
    runs,
    failureFiles,
    brokenRound,
    interrupted,
    elapsedMs: performance.now() - started,
    exitCode,
  };
}
