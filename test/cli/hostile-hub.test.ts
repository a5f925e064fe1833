import { type Server, createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import { responseDigest, signHex } from '../../src/hub/signing.js';
import { buildDepositScript } from '../../src/scripts/deposit-script.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { CliWorld } from './support/world.js';

const hubKey = testPrivateKey(77);
const hubId = bytesToHex(publicKeyOf(hubKey));
const hubChannelKey = bytesToHex(publicKeyOf(testPrivateKey(78)));

const TERMS = {
  depositMin: '50000',
  depositMax: '10000000',
  depositRatioPercent: 100,
  expireMin: 20,
  expireMax: 1000,
  delayMin: 2,
  delayMax: 144,
  paymentFee: '0',
};

/** How the fake hub lies, per scenario (the last path segment of its URL). */
interface Lie {
  terms?: Record<string, unknown>;
  network?: string;
  hubDeposit?: (quantity: bigint) => bigint;
  /** The hub's deposit script, from the client's key and spend secret hash. */
  depositScript?: (clientKey: string, secretHash: string) => string;
  unsigned?: boolean;
}

const LIES: Record<string, Lie> = {
  emptyRange: { terms: { ...TERMS, depositMin: '20000000' } },
  longLock: { terms: { ...TERMS, expireMin: 50_000, expireMax: 60_000 } },
  feeEatsDeposit: { terms: { ...TERMS, paymentFee: '60000' } },
  otherNetwork: { network: 'mainnet' },
  stingyDeposit: { hubDeposit: () => 1000n },
  notATemplate: { depositScript: () => '51' },
  longerExpiry: {
    depositScript: (client, hash) => script({ payee: client, hash, expire: 900 }),
  },
  otherPayee: {
    depositScript: (_client, hash) =>
      script({ payee: bytesToHex(publicKeyOf(testPrivateKey(79))), hash, expire: 100 }),
  },
  unsigned: { unsigned: true },
};

function script(p: { payee: string; hash: string; expire: number }): string {
  return bytesToHex(
    buildDepositScript({
      payerPubkey: hexToBytes(hubChannelKey),
      payeePubkey: hexToBytes(p.payee),
      spendSecretHash: hexToBytes(p.hash),
      expireTime: p.expire,
    }),
  );
}

/** A JSON-RPC server on loopback that signs its answers with the hub key, and lies as told. */
function hostileHub(): Promise<Server> {
  const clients = new Map<string, string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const lie = LIES[(req.url ?? '').split('/').pop() ?? ''] ?? {};
      const request = JSON.parse(body) as {
        id: number;
        method: string;
        params: Record<string, unknown>;
        auth?: { signature: string };
      };
      const p = request.params;
      let result: Record<string, unknown>;
      if (request.method === 'hub_status')
        result = {
          hubId,
          hubPublicKey: hubId,
          network: lie.network ?? 'regtest',
          height: 200,
          terms: { BTC: lie.terms ?? TERMS },
          methods: [],
        };
      else if (request.method === 'hub_connect') {
        clients.set(req.url!, String(p.clientPublicKey));
        const quantity = BigInt(String(p.quantity));
        result = {
          handle: HANDLE,
          clientToHubChannel: `${HANDLE}-c2h`,
          hubToClientChannel: `${HANDLE}-h2c`,
          hubDeposit: (lie.hubDeposit?.(quantity) ?? quantity).toString(),
          // No offer for the client's channel: the client funds nothing here.
          messages: [],
        };
      } else {
        const offer = ((p.messages as string[]) ?? [])
          .map((m) => JSON.parse(m) as Record<string, unknown>)
          .find((m) => m.type === 'offer' && m.channelId === `${HANDLE}-h2c`);
        const messages =
          offer && lie.depositScript
            ? [
                JSON.stringify({
                  protocol: 'picopayments/1',
                  type: 'deposit',
                  channelId: `${HANDLE}-h2c`,
                  payerPubkey: hubChannelKey,
                  depositScript: lie.depositScript(
                    clients.get(req.url!)!,
                    String(offer.spendSecretHash),
                  ),
                  delayTime: 4,
                }),
              ]
            : [];
        result = { messages, delivered: [] };
      }
      const signature = lie.unsigned
        ? '00'.repeat(64)
        : signHex(
            responseDigest(hubId, request.method, request.auth?.signature ?? '', result),
            hubKey,
          );
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id: request.id, result, signature }));
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

let w: CliWorld;
let hub: Server;
let base: string;
beforeAll(async () => {
  [w, hub] = await Promise.all([CliWorld.create(false), hostileHub()]);
  base = `http://127.0.0.1:${(hub.address() as { port: number }).port}/rpc`;
  await Promise.all(Object.keys(LIES).map((name) => w.wallet(name, 1_000_000)));
}, 120_000);
afterAll(async () => {
  await new Promise((ok) => hub?.close(ok));
  await w?.close();
});

/** The one connection the fake hub makes: a well-formed handle, so that the lies are the only faults. */
const HANDLE = 'a1'.repeat(16);

describe('a hostile hub that signs its answers but breaks its terms or hands a bad deposit script', () => {
  it('is refused with a typed error and exit code 6 (4 unsigned), and no coin is spent', {
    timeout: 240_000,
  }, async () => {
    const expected: Record<string, [number, string | RegExp, RegExp]> = {
      emptyRange: [6, 'HUB_TERMS_VIOLATED', /deposit range .* is empty/],
      longLock: [6, 'HUB_TERMS_VIOLATED', /more than this client's limit/],
      feeEatsDeposit: [6, 'HUB_TERMS_VIOLATED', /leaves nothing/],
      otherNetwork: [6, 'HUB_TERMS_VIOLATED', /runs on mainnet/],
      stingyDeposit: [6, 'HUB_TERMS_VIOLATED', /deposits 1000 where its terms promise 200000/],
      notATemplate: [6, 'HUB_BAD_DEPOSIT_SCRIPT', /not the deposit template/],
      longerExpiry: [6, 'HUB_BAD_DEPOSIT_SCRIPT', /expires after 900 blocks, the client asked 100/],
      otherPayee: [6, 'HUB_BAD_DEPOSIT_SCRIPT', /pays another key/],
      unsigned: [4, 'HUB_BAD_SIGNATURE', /not signed/],
    };
    const names = Object.keys(expected);
    const runs = await Promise.all(
      names.map((name) =>
        w.cli(
          name,
          ['connect', 'BTC', '200000', '--expire-blocks', '100', '--delay-blocks', '4', '--json'],
          {
            PICOPAYMENTS_HUB_URL: `${base}/${name}`,
          },
        ),
      ),
    );
    for (const [i, name] of names.entries()) {
      const [exit, code, message] = expected[name]!;
      const run = runs[i]!;
      expect(run.code, `${name}: ${run.stderr}`).toBe(exit);
      const doc = JSON.parse(run.stdout);
      expect(doc, name).toMatchObject({
        ok: false,
        error: {
          code: typeof code === 'string' ? code : expect.stringMatching(code),
          exitCode: exit,
        },
      });
      expect(doc.error.message, name).toMatch(message);
      expect(run.stderr.trim(), name).toBe(`error ${doc.error.code}: ${doc.error.message}`);
    }
    // Human mode says the same in one line; and the wallets still hold every coin.
    const human = await w.cli('longerExpiry', ['hub-status'], {
      PICOPAYMENTS_HUB_URL: `${base}/otherNetwork`,
    });
    expect(human.code).toBe(6);
    expect(human.stderr).toMatch(
      /^error HUB_TERMS_VIOLATED: the hub runs on mainnet, this client on regtest\n$/,
    );
    const balances = await Promise.all(names.map((name) => w.json(name, ['balance'])));
    for (const b of balances) expect(b.balance).toBe('1000000');
  });
});
