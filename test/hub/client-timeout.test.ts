import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { HubClient, HubClientError } from '../../src/hub-client/index.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { testPrivateKey } from '../support/channel-harness.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An HTTP server on loopback that reads every request and never answers it. */
async function silentHub(): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const held: IncomingMessage[] = [];
  const server = createServer((request) => {
    let body = '';
    request.on('data', (d) => (body += d));
    request.on('end', () => bodies.push(body));
    held.push(request);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(
    () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`, bodies };
}

describe('HubClient against a hub that never answers', () => {
  it('gives up after its request timeout, retrying the very same request, with HUB_UNREACHABLE', async () => {
    const hub = await silentHub();
    const chain = new SimulatedChain();
    const client = await HubClient.open({
      url: hub.url,
      chain,
      store: new MemoryStore(),
      wallet: new SingleKeyWallet(chain, testPrivateKey(8)),
      keys: { nextChannelKey: async () => ({ privateKey: testPrivateKey(9), path: 'm/0' }) },
      payoutScript: async () => new Uint8Array(22),
      hubPublicKey: publicKeyOf(testPrivateKey(7)),
      attempts: 2,
      requestTimeoutMs: 300,
    });
    closers.push(() => client.stop());
    const started = Date.now();
    const error = await client.status().then(
      () => null,
      (e: unknown) => e,
    );
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(HubClientError);
    expect((error as HubClientError).code).toBe('HUB_UNREACHABLE');
    // Two attempts of 300 ms each, not the 300 s of the HTTP stack's own default.
    expect(waited).toBeGreaterThanOrEqual(550);
    expect(waited).toBeLessThan(20_000);
    expect(hub.bodies).toHaveLength(2);
    expect(hub.bodies[1]).toBe(hub.bodies[0]);
  });
});
