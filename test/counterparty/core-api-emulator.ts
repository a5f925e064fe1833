import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import {
  type CounterpartyLedger,
  decodeCounterpartyMessage,
  unpackMessageType,
} from '../../src/counterparty/index.js';
import type { NetworkName } from '../../src/scripts/index.js';

/** Answers one request: status and body text, or `null` to leave the request unanswered. */
export type Responder = (path: string) => Promise<{ status: number; body: string } | null>;

/** JSON text with bigints written as plain integers, as Counterparty Core writes quantities. */
export function jsonWithBigints(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `__big__${v}` : v)).replace(
    /"__big__(-?\d+)"/g,
    '$1',
  );
}

/**
 * The part of Counterparty Core's v2 API the ledger adapter reads, answered from another
 * {@link CounterpartyLedger} in the documented JSON shapes (server info, address balances
 * without UTXO balances, transaction info, its sends).
 */
export function ledgerResponder(
  ledger: CounterpartyLedger,
  /** The last block the ledger has parsed, for the server info of `/v2/`. */
  height: () => number = () => 0,
): Responder {
  return async (path) => {
    const url = new URL(path, 'http://emulator');
    const parts = url.pathname.split('/').map(decodeURIComponent);
    const ok = (value: unknown) => ({ status: 200, body: jsonWithBigints(value) });
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      const parsed = height();
      return ok({
        result: {
          server_ready: true,
          network: 'regtest',
          version: '10.1.2',
          backend_height: parsed,
          counterparty_height: parsed,
        },
      });
    }
    if (parts[2] === 'addresses' && parts[4] === 'balances') {
      const address = parts[3]!;
      const rows = [...(await ledger.getBalances(address))]
        .filter(([asset]) => parts[5] === undefined || asset === parts[5])
        .map(([asset, quantity]) => ({ address, asset, quantity, utxo: null, utxo_address: null }));
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const page = rows.slice(start, start + limit);
      const next = start + limit < rows.length ? start + limit : null;
      return ok({ result: page, next_cursor: next, result_count: rows.length });
    }
    if (parts[2] === 'transactions' && parts[3] === 'unpack') {
      return ok(unpackAnswer(url.searchParams.get('datahex') ?? '', 'regtest'));
    }
    if (parts[2] === 'transactions') {
      const tx = await ledger.getTransaction(parts[3]!);
      if (tx === null) return { status: 404, body: '{"error": "Not found"}' };
      if (parts[4] === 'sends') {
        const sends =
          tx.type === 'unsupported' || tx.asset === null
            ? []
            : [
                {
                  tx_hash: tx.txid,
                  block_index: tx.blockHeight,
                  source: tx.source,
                  destination: tx.destination,
                  asset: tx.asset,
                  quantity: tx.quantity,
                  status: tx.status,
                  msg_index: 0,
                  send_type: 'send',
                },
              ];
        return ok({ result: sends, next_cursor: null, result_count: sends.length });
      }
      const types = { classic: 'send', enhanced: 'enhanced_send', unsupported: 'unknown' };
      return ok({
        result: {
          tx_hash: tx.txid,
          block_index: tx.blockHeight,
          source: tx.source,
          destination: tx.destination,
          transaction_type: types[tx.type],
          supported: tx.type !== 'unsupported',
          confirmed: true,
          valid: tx.status === 'valid',
        },
      });
    }
    return { status: 404, body: '{"error": "Not found"}' };
  };
}

/**
 * Core's answer to `/v2/transactions/unpack` for a message (type id and payload, hex): sends as
 * `{asset, quantity}` or `{asset, quantity, address, memo}`, anything it cannot read as
 * `{error}` under the type id it found.
 */
export function unpackAnswer(datahex: string, network: NetworkName): unknown {
  const names: Record<number, string> = { 0: 'send', 2: 'enhanced_send' };
  let typeId = 0;
  try {
    const message = hexToBytes(datahex);
    typeId = unpackMessageType(message).typeId;
    const send = decodeCounterpartyMessage(message, { network });
    const data =
      send.type === 'classic'
        ? { asset: send.asset, quantity: send.quantity }
        : {
            asset: send.asset,
            quantity: send.quantity,
            address: send.destination.address,
            memo: send.memo === null || send.memo.length === 0 ? null : bytesToHex(send.memo),
          };
    return { result: { message_type: names[typeId], message_type_id: typeId, message_data: data } };
  } catch (error) {
    return {
      result: {
        message_type: names[typeId] ?? 'unknown',
        message_type_id: typeId,
        message_data: { error: (error as Error).message },
      },
    };
  }
}

/** A real HTTP server on loopback answering with `respond`; resolves with its base URL. */
export async function serve(
  respond: Responder,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    respond(request.url ?? '/').then(
      (answer) => {
        if (answer === null) return;
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(answer.body);
      },
      (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
