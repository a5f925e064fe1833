/**
 * A client process of the hub bench (`bench/hub.ts`, split mode): hosts some of the bench's
 * clients, on the parent's simulated chain ({@link IpcChain}), and runs the parent's commands
 * (connect one client, sync all, pay in the ring, report). Started by the parent with `fork`.
 */
import { type Secp256k1BackendName, useSecp256k1Backend } from '../src/crypto/index.js';
import type { HubClient } from '../src/hub-client/index.js';
import { connectBenchClient } from './hub-bench-client.js';
import { IpcChain } from './hub-ipc-chain.js';

/** A command from the parent. */
export type ClientCommand =
  | { readonly cmd: 'init'; readonly backend: Secp256k1BackendName; readonly url: string }
  | { readonly cmd: 'connect'; readonly index: number }
  | { readonly cmd: 'syncAll' }
  | { readonly cmd: 'pay'; readonly to: Record<number, string>; readonly rounds: number }
  | { readonly cmd: 'finalSync' }
  | { readonly cmd: 'received' }
  | { readonly cmd: 'stop' };

/** What the `pay` and `finalSync` commands report. */
export interface PayReport {
  readonly latencies: number[];
  /** Each round's latency, its payment and the payer's sync after it, ms. */
  readonly roundLatencies: number[];
  readonly requests: number;
  /** CPU time of this process over the command, µs. */
  readonly cpuMicros: number;
}

async function main(): Promise<void> {
  const chain = new IpcChain();
  const clients = new Map<number, { client: HubClient; handle: string }>();
  let url = '';
  let requests = 0;
  const counting: typeof fetch = (input, init) => {
    requests++;
    return fetch(input, init);
  };

  const run = async (c: ClientCommand): Promise<unknown> => {
    switch (c.cmd) {
      case 'init':
        await useSecp256k1Backend(c.backend);
        url = c.url;
        return null;
      case 'connect': {
        const i = c.index;
        const { client, handle } = await connectBenchClient(i, {
          url,
          fetch: counting,
          chain,
          fund: (script, value) => chain.fund(script, value),
        });
        clients.set(i, { client, handle });
        return handle;
      }
      case 'syncAll':
        await Promise.all([...clients.values()].map((c) => c.client.sync()));
        return null;
      case 'pay': {
        const cpu = process.cpuUsage();
        const before = requests;
        const latencies: number[] = [];
        const roundLatencies: number[] = [];
        await Promise.all(
          [...clients].map(async ([i, me]) => {
            for (let r = 0; r < c.rounds; r++) {
              const t = performance.now();
              await me.client.pay({ from: me.handle, to: c.to[i]!, amount: 1_000n });
              latencies.push(performance.now() - t);
              await me.client.sync(me.handle);
              roundLatencies.push(performance.now() - t);
            }
          }),
        );
        const used = process.cpuUsage(cpu);
        return {
          latencies,
          roundLatencies,
          requests: requests - before,
          cpuMicros: used.user + used.system,
        } satisfies PayReport;
      }
      case 'finalSync': {
        const cpu = process.cpuUsage();
        const before = requests;
        await Promise.all([...clients.values()].map((me) => me.client.sync(me.handle)));
        const used = process.cpuUsage(cpu);
        return {
          latencies: [],
          roundLatencies: [],
          requests: requests - before,
          cpuMicros: used.user + used.system,
        } satisfies PayReport;
      }
      case 'received': {
        let received = 0n;
        for (const me of clients.values())
          for (const conn of await me.client.connections()) received += conn.received;
        return received;
      }
      case 'stop':
        for (const me of clients.values()) await me.client.stop().catch(() => undefined);
        return null;
    }
  };

  process.on('message', (message: { kind?: string; id: number; command: ClientCommand }) => {
    if (message?.kind !== 'cmd') return;
    run(message.command).then(
      (value) => {
        process.send!({ kind: 'cmd-reply', id: message.id, value });
        // Stopped: exit once the reply is out (a profile, if asked for, is written on exit).
        if (message.command.cmd === 'stop') process.disconnect();
      },
      (error: Error) =>
        process.send!({ kind: 'cmd-reply', id: message.id, error: error.stack ?? error.message }),
    );
  });
  process.send!({ kind: 'ready' });
}

await main();
