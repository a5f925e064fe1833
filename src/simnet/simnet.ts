import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedChain, type SimulatedChainOptions } from '../chain/simulated-chain.js';
import type { NodeState } from './core-methods.js';
import { esploraRoute } from './esplora-routes.js';
import { handleJsonRpc } from './json-rpc.js';

/** Options of {@link startSimnet}. */
export interface SimnetOptions {
  /** The chain to serve; a new {@link SimulatedChain} with `chainOptions` when omitted. */
  readonly chain?: SimulatedChain;
  readonly chainOptions?: SimulatedChainOptions;
  /** Loopback by default; the node has no access control beyond its credentials. */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Where the cookie file is written; a fresh temporary directory when omitted. */
  readonly datadir?: string;
  /** With both set, these credentials are accepted besides the cookie (Core's rpcuser/rpcpassword). */
  readonly rpcUser?: string;
  readonly rpcPassword?: string;
  /** Path prefix of the Esplora REST dialect (default `/esplora`). */
  readonly esploraPrefix?: string;
  /** Serve confirmed transactions without a block hash, as Core with `-txindex=1` (default false). */
  readonly txindex?: boolean;
  /** `estimatesmartfee` answer in sat/vB; `null` (default) answers "insufficient data" like a fresh regtest. */
  readonly feeRate?: number | null;
  /** Largest request body accepted, in bytes (default 4 MB). */
  readonly maxBodyBytes?: number;
}

/** A running simulated node. */
export interface Simnet {
  /** JSON-RPC endpoint, e.g. `http://127.0.0.1:18443/`. */
  readonly url: string;
  /** Esplora REST base, e.g. `http://127.0.0.1:18443/esplora`. */
  readonly esploraUrl: string;
  /** The cookie file (`__cookie__:<hex>`), removed on close as Core removes it. */
  readonly cookieFile: string;
  readonly port: number;
  /** The served chain: tests mine, fund and reorganise through it directly. */
  readonly chain: SimulatedChain;
  /** Changes the fee estimate (sat/vB, or `null` for "insufficient data"). */
  setFeeRate(feeRate: number | null): void;
  /** Stops listening, drops open connections and removes the cookie file. */
  close(): Promise<void>;
}

const COOKIE_USER = '__cookie__';

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function authorised(request: IncomingMessage, accepted: readonly string[]): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Basic ')) return false;
  const credentials = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  return accepted.some((pair) => sameText(pair, credentials));
}

/** Reads the body up to `limit` bytes; `null` when it is larger. */
function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts a simulated Bitcoin node on loopback: Bitcoin Core's JSON-RPC dialect at `/` (basic
 * authentication with the cookie it writes, or rpcuser/rpcpassword), and the Esplora REST
 * dialect under a path prefix, both over one {@link SimulatedChain}.
 */
export async function startSimnet(options: SimnetOptions = {}): Promise<Simnet> {
  const chain = options.chain ?? new SimulatedChain(options.chainOptions);
  const prefix = options.esploraPrefix ?? '/esplora';
  const maxBody = options.maxBodyBytes ?? 4_000_000;
  const state: NodeState = {
    chain,
    txindex: options.txindex ?? false,
    feeRate: options.feeRate ?? null,
    acceptedAt: new Map(),
  };
  // A directory made here is removed on close; a given one is left as found (minus the cookie).
  const ownDatadir = options.datadir === undefined;
  const datadir = options.datadir ?? (await mkdtemp(join(tmpdir(), 'picopayments-simnet-')));
  await mkdir(datadir, { recursive: true });
  const cookieFile = join(datadir, '.cookie');
  const cookie = `${COOKIE_USER}:${randomBytes(32).toString('hex')}`;
  await writeFile(cookieFile, cookie, { mode: 0o600 });
  const accepted = [cookie];
  if (options.rpcUser !== undefined && options.rpcPassword !== undefined) {
    accepted.push(`${options.rpcUser}:${options.rpcPassword}`);
  }

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0]!;
    const method = request.method ?? 'GET';
    const body = await readBody(request, maxBody);
    if (body === null) {
      response.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' });
      response.end('Request body too large');
      return;
    }
    if (path === prefix || path.startsWith(`${prefix}/`)) {
      const answer = await esploraRoute(state, method, path.slice(prefix.length), body);
      response.writeHead(answer.status, { 'Content-Type': answer.contentType });
      response.end(answer.body);
      return;
    }
    if (!authorised(request, accepted)) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"' });
      response.end();
      return;
    }
    if (method !== 'POST') {
      response.writeHead(405, { 'Content-Type': 'text/plain' });
      response.end('JSONRPC server handles only POST requests');
      return;
    }
    const answer = await handleJsonRpc(state, body);
    response.writeHead(answer.status, { 'Content-Type': 'application/json' });
    response.end(`${answer.body}\n`);
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      // A bug in a handler must not take the node down; the client sees a 500.
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(error instanceof Error ? error.message : 'internal error');
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed = false;
  return {
    url: `${base}/`,
    esploraUrl: `${base}${prefix}`,
    cookieFile,
    port,
    chain,
    setFeeRate(feeRate) {
      state.feeRate = feeRate;
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(ownDatadir ? datadir : cookieFile, { force: true, recursive: ownDatadir });
    },
  };
}
