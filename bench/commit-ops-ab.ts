/**
 * Payee acceptance of this checkout against another one, in one process: both trees' guard,
 * payee machine and fixtures are imported side by side and measured in turn, sample after
 * sample; each sample's cost is divided by the raw verify measured just before it and the median
 * of those ratios is reported. On a machine shared with other work, where two
 * runs minutes apart differ by 2x, this gives a before/after ratio that the load moves little.
 * Ratios are to one raw verify of the same backend, measured in the same loop.
 *
 * `COMPARE_ROOT=/path/to/other/checkout npx tsx bench/commit-ops-ab.ts` (the other checkout needs
 * its `node_modules`; `git archive <commit> | tar -x -C DIR` and a link to these will do).
 */
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { createActor } from 'xstate';

const here = fileURLToPath(new URL('..', import.meta.url));
const other = process.env.COMPARE_ROOT;
if (!other) throw new Error('COMPARE_ROOT names the checkout to compare with');
const trees = { other, this: here } as const;

// Each tree's own modules (its own backend selection, guards, machine and fixtures).
// biome-ignore lint/suspicious/noExplicitAny: modules of another checkout, typed at run time
const mods: Record<string, any> = {};
for (const [name, root] of Object.entries(trees)) {
  mods[name] = {
    crypto: await import(`${root}/src/crypto/index.ts`),
    guards: await import(`${root}/src/guards/payee-guards.ts`),
    fixtures: await import(`${root}/bench/fixtures.ts`),
    machine: await import(`${root}/src/machines/payee-machine.ts`),
  };
}

const SAMPLES = Number(process.env.AB_SAMPLES ?? 15);
for (const backendName of ['noble', 'tiny-secp256k1', 'native']) {
  const best: Record<string, number> = {};
  // biome-ignore lint/suspicious/noExplicitAny: fixtures of either tree
  const fixtures: Record<string, any> = {};
  try {
    for (const name of Object.keys(trees)) {
      await mods[name].crypto.useSecp256k1Backend(backendName);
      fixtures[name] = await mods[name].fixtures.buildCommitFixture(100);
    }
  } catch (error) {
    console.log(`${backendName}: skipped (${(error as Error).message})`);
    continue;
  }
  const backend = await mods.this.crypto.loadSecp256k1Backend(backendName);
  const key = sha256(new TextEncoder().encode('ab bench key'));
  const pub = backend.publicKeyCreate(key);
  const hashes = Array.from({ length: 64 }, (_, i) => sha256(Uint8Array.of(i)));
  const sigs = hashes.map((h: Uint8Array) => backend.sign(h, key));
  const n = backendName === 'noble' ? 40 : 400;
  const perOp = (f: () => void) => {
    const t = performance.now();
    f();
    return (performance.now() - t) / n;
  };
  const ratios: Record<string, number[]> = {};
  let verifyNow = 0;
  const keep = (label: string, value: number) => {
    best[label] = Math.min(best[label] ?? Number.POSITIVE_INFINITY, value);
    if (label === 'verify') verifyNow = value;
    else {
      ratios[label] = ratios[label] ?? [];
      ratios[label]!.push(value / verifyNow);
    }
  };
  for (let sample = 0; sample < SAMPLES; sample++) {
    keep(
      'verify',
      perOp(() => {
        for (let i = 0; i < n; i++)
          if (!backend.verify(sigs[i & 63], hashes[i & 63], pub)) throw new Error('verify');
      }),
    );
    for (const name of Object.keys(trees)) {
      const m = mods[name];
      const f = fixtures[name];
      await m.crypto.useSecp256k1Backend(backendName);
      keep(
        `accept ${name}`,
        perOp(() => {
          for (let i = 0; i < n; i++) {
            const check = m.guards.checkCommit(f.payeeContext, f.commits[0]);
            if (!check.ok) throw new Error(`refused: ${check.reason}`);
          }
        }),
      );
      const actor = createActor(m.machine.payeeMachine, {
        snapshot: JSON.parse(f.payeeSnapshot).machine,
        input: f.payeeContext,
      });
      actor.start();
      const count = Math.min(100, f.commits.length);
      const t = performance.now();
      for (let i = 0; i < count; i++)
        actor.send({ type: 'COMMIT', message: f.commits[i] } as never);
      keep(`machine ${name}`, (performance.now() - t) / count);
      actor.stop();
    }
  }
  const ratio = (label: string) => {
    const sorted = [...ratios[label]!].sort((a, b) => a - b);
    return `${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}x`;
  };
  console.log(
    `${backendName}: verify ${(best.verify! * 1000).toFixed(1)} us; accept/verify other ${ratio('accept other')} this ${ratio('accept this')}; machine COMMIT/verify other ${ratio('machine other')} this ${ratio('machine this')}`,
  );
}
