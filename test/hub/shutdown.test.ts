import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import { requestDigest, responseDigest, signHex, verifyHex } from '../../src/hub/signing.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { testPrivateKey } from '../support/channel-harness.js';

const root = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A child process whose stdout and stderr lines are kept, to wait for one. */
function start(script: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const seen: string[] = [];
  const waiting: (() => void)[] = [];
  const exited = new Promise<number | null>((ok) => child.once('exit', ok));
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (line) => {
      seen.push(line);
      for (const w of waiting.splice(0)) w();
    });
  const next = (match: (line: string) => boolean) =>
    new Promise<string>((ok, fail) => {
      const look = () => {
        const found = seen.find(match);
        if (found !== undefined) ok(found);
        else waiting.push(look);
      };
      look();
      exited.then((code) => fail(new Error(`${script} exited ${code}: ${seen.join('\n')}`)));
    });
  return { child, next, exited, seen };
}

/** Decodes an HTTP/1.1 chunked body. */
function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

/** An HTTP request over a raw socket, sent in two parts; resolves to status and body. */
function splitRequest(url: string, body: string) {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  const half = Math.floor(body.length / 2);
  let raw = '';
  socket.on('data', (d) => {
    raw += String(d);
  });
  const answered = new Promise<{ status: number; body: string }>((ok, fail) => {
    socket.on('error', fail);
    socket.on('close', () => {
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      let body = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(head)) body = unchunk(body);
      ok({ status: Number(head.split(' ')[1]), body });
    });
  });
  const opened = new Promise<void>((ok) =>
    socket.once('connect', () => {
      socket.write(
        `POST ${u.pathname} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
        () => ok(),
      );
    }),
  );
  return { opened, finish: () => socket.write(body.slice(half)), answered };
}

describe('graceful shutdown of picopayments-hub', () => {
  it('finishes a sync in flight at SIGTERM, answers it signed, refuses new connections and exits 0; the sync was saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-shutdown-'));
    dirs.push(dir);
    const sim = start('src/simnet/main.ts', ['--datadir', dir]);
    const rpc = (await sim.next((l) => l.startsWith('rpc '))).slice(4);
    const cookie = (await sim.next((l) => l.startsWith('cookie '))).slice(7);
    const args = [
      '--chain-rpc',
      rpc,
      '--chain-cookie',
      cookie,
      '--db',
      join(dir, 'hub.sqlite'),
      '--json-logs',
    ];
    const env = { PICOPAYMENTS_HUB_SEED: bytesToHex(testPrivateKey(7)) };
    let hub = start('src/hub-main.ts', [...args, '--faucet-sats', '5000000'], env);
    const listening = JSON.parse(await hub.next((l) => l.includes('"listening"'))) as {
      url: string;
      hubPublicKey: string;
    };
    const hubId = listening.hubPublicKey;
    const key = testPrivateKey(900);
    let nonce = Date.now();
    const signed = (method: string, params: Record<string, unknown>, n = ++nonce) => {
      const expiry = Math.floor(Date.now() / 1000) + 300;
      const signature = signHex(requestDigest(hubId, method, params, n, expiry), key);
      return JSON.stringify({
        jsonrpc: '2.0',
        id: n,
        method,
        params,
        auth: { nonce: n, expiry, signature },
      });
    };
    const post = async (url: string, body: string) =>
      (await (await fetch(url, { method: 'POST', body })).json()) as {
        result?: Record<string, unknown>;
        error?: unknown;
        signature?: string;
      };
    const connected = await post(
      listening.url,
      signed('hub_connect', {
        asset: 'BTC',
        quantity: '100000',
        clientPublicKey: bytesToHex(publicKeyOf(key)),
        payoutScript: `0014${'00'.repeat(20)}`,
        expireBlocks: 100,
        delayBlocks: 4,
      }),
    );
    expect(connected.error).toBeUndefined();
    const handle = String(connected.result!.handle);

    // A sync whose request is half sent: in flight when the signal comes.
    const syncBody = signed('hub_sync', { handle, messages: [] });
    const inFlight = splitRequest(listening.url, syncBody);
    await inFlight.opened;
    // Connections are accepted in order: once a later one is served, the sync's was accepted.
    expect((await fetch(new URL('/health', listening.url))).status).toBe(200);
    hub.child.kill('SIGTERM');
    await hub.next((l) => l.includes('"stopping"'));
    await expect(fetch(new URL('/health', listening.url))).rejects.toThrow();
    inFlight.finish();
    const answer = await inFlight.answered;
    expect(answer.status).toBe(200);
    const sync = JSON.parse(answer.body) as { result: unknown; signature: string };
    expect(sync.result).toMatchObject({ delivered: [], spent: '0', received: '0' });
    const requestSignature = (JSON.parse(syncBody) as { auth: { signature: string } }).auth
      .signature;
    expect(
      verifyHex(
        responseDigest(hubId, 'hub_sync', requestSignature, sync.result),
        sync.signature,
        hexToBytes(hubId),
      ),
    ).toBe(true);
    expect(await hub.exited).toBe(0);
    // The logs are pino's JSON lines: level, ISO time, the service, then the event's fields.
    const stopped = hub.seen.find((l) => l.includes('"stopped"'));
    expect(JSON.parse(stopped!)).toMatchObject({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      service: 'picopayments-hub',
      event: 'stopped',
    });

    // Restarted on the same file, the hub answers a retry of that sync with its stored answer.
    hub = start('src/hub-main.ts', args, env);
    const again = JSON.parse(await hub.next((l) => l.includes('"listening"'))) as { url: string };
    const retry = await post(again.url, syncBody);
    expect(retry.result).toEqual(sync.result);
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  }, 60_000);
});
