import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../wallet/wallet-file.js';
import { parseBlocks, parseQuantity } from '../arguments.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import type { ConnectionStatus } from '../../hub-client/index.js';
import { type HubSession, withHub } from '../hub-session.js';
import type { CommandContext } from '../command.js';
import { HubClientError } from '../../hub-client/index.js';
import { renderFields, renderTable } from '../output.js';

const HUB_OPTIONS =
  '\nNeeds --hub-url and --chain-rpc or --esplora-url (or their environment variables).';

const WAIT_HELP = `  --wait            wait until it is done, one progress line per new block (stderr)
  --timeout SECONDS give up waiting after this long (default 600; exit code 8)`;

const WAIT_OPTIONS = { wait: { type: 'boolean' }, timeout: { type: 'string' } } as const;

/**
 * Syncs `handles` (unless `sync` is false) until `done` holds for them, with a progress line for each new block
 * (human mode only). Times out with `CLI_TIMEOUT`.
 */
async function waitUntil(
  context: CommandContext,
  s: HubSession,
  handles: readonly string[],
  what: string,
  done: (list: readonly ConnectionStatus[]) => boolean,
  sync = true,
): Promise<void> {
  const seconds = parseBlocks('--timeout', context.flags.timeout, 1, 86_400) ?? 600;
  const pollMs = Math.max(10, Number(context.env.PICOPAYMENTS_POLL_MS ?? 1000) || 1000);
  const deadline = Date.now() + seconds * 1000;
  let lastHeight = -1;
  const started = Date.now();
  for (;;) {
    if (sync) for (const h of handles) await s.client.sync(h);
    const list = (await s.client.connections()).filter((c) => handles.includes(c.handle));
    if (list.length === handles.length && done(list)) return;
    const height = await s.chain.getHeight();
    if (height !== lastHeight) {
      lastHeight = height;
      const states = list.map((c) => `${c.handle.slice(0, 8)} ${c.state}`).join(', ');
      const elapsed = Math.round((Date.now() - started) / 1000);
      context.progress(`waiting for ${what}: height ${height}, ${states} (${elapsed}s)`);
    }
    if (Date.now() > deadline)
      throw new CliError('CLI_TIMEOUT', `gave up waiting for ${what} after ${seconds} s`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Both channels of a connection are open (or the hub funds none). */
const isOpen = (c: ConnectionStatus): boolean => /^open\/(open|none)$/.test(c.state);

/** `hub-status`: the hub's identity, height and terms per asset. */
export const hubStatusCommand: Command = {
  name: 'hub-status',
  summary: 'show the hub’s identity, height and terms',
  usage: 'hub-status',
  help: `Asks the hub for its signed status: identity, network, height, terms per asset.${HUB_OPTIONS}`,
  options: {},
  positionals: [0, 0],
  async run(context) {
    const status = await withHub(context, false, (s) => s.client.status());
    const rows = Object.entries(status.terms).map(([asset, t]) => [
      asset,
      `${t.depositMin}..${t.depositMax}`,
      `${t.expireMin}..${t.expireMax}`,
      `${t.delayMin}..${t.delayMax}`,
      t.paymentFee.toString(),
    ]);
    const human = [
      renderFields({
        hub: status.hubId,
        key: status.hubPublicKey,
        network: status.network,
        height: String(status.height),
      }),
      '',
      renderTable({ columns: ['ASSET', 'DEPOSIT', 'EXPIRE', 'DELAY', 'FEE'], rows, right: [4] }),
    ].join('\n');
    return { json: status, human };
  },
};

/** `connect ASSET QTY`: deposits QTY and opens a connection. */
export const connectCommand: Command = {
  name: 'connect',
  summary: 'open a connection to the hub with a deposit',
  usage: 'connect ASSET QTY [--expire-blocks N] [--delay-blocks N] [--wait]',
  help: `Funds a deposit of QTY from the wallet and opens a connection (two channels) with the hub,
after checking the hub's terms and deposit script.${HUB_OPTIONS}

Options:
  --expire-blocks N      blocks until the deposit may be reclaimed (within the hub's terms)
  --delay-blocks N       commit revocation delay in blocks (within the hub's terms)
  --max-expire-blocks N  refuse a hub whose terms lock deposits longer (default 4320)
${WAIT_HELP.replace('done', 'open (deposits confirmed)')}`,
  options: {
    'expire-blocks': { type: 'string' },
    'delay-blocks': { type: 'string' },
    'max-expire-blocks': { type: 'string' },
    ...WAIT_OPTIONS,
  },
  positionals: [2, 2],
  async run(context) {
    const [asset, qty] = context.positionals;
    const quantity = parseQuantity('QTY', qty);
    const expireBlocks = parseBlocks('--expire-blocks', context.flags['expire-blocks'], 1, 65_535);
    const delayBlocks = parseBlocks('--delay-blocks', context.flags['delay-blocks'], 1, 65_535);
    const info = await withHub(context, true, async (s) => {
      const opened = await s.client.connect({
        asset: asset!,
        quantity,
        ...(expireBlocks === undefined ? {} : { expireBlocks }),
        ...(delayBlocks === undefined ? {} : { delayBlocks }),
      });
      if (context.flags.wait === true)
        await waitUntil(context, s, [opened.handle], 'the deposits to confirm', (l) =>
          l.every(isOpen),
        );
      return opened;
    });
    return {
      json: info,
      human: renderFields({
        handle: info.handle,
        asset: info.asset,
        deposit: info.deposit.toString(),
        'hub deposit': info.hubDeposit.toString(),
      }),
    };
  },
};

/** `pay SRC DST QTY`: queues a payment through the hub. */
export const payCommand: Command = {
  name: 'pay',
  summary: 'pay another client of the hub, prints the receipt token',
  usage: 'pay SRC_HANDLE DST_HANDLE QTY [--memo TEXT]',
  help: `Queues a payment of QTY from connection SRC_HANDLE to the payee's connection DST_HANDLE.
The hub delivers it at the payee's next sync. Prints the receipt token (for cancel).${HUB_OPTIONS}

Options:
  --memo TEXT       a note for the payee (at most 256 characters)
  --max-fee N       refuse to pay when the hub's fee per payment is above N (base units)`,
  options: { memo: { type: 'string' }, 'max-fee': { type: 'string' } },
  positionals: [3, 3],
  async run(context) {
    const [from, to, qty] = context.positionals;
    const amount = parseQuantity('QTY', qty);
    const memo = context.flags.memo;
    if (typeof memo === 'string' && memo.length > 256)
      throw new CliError('CLI_USAGE', '--memo is longer than 256 characters');
    const maxFee =
      context.flags['max-fee'] === undefined
        ? undefined
        : parseQuantity('--max-fee', String(context.flags['max-fee']));
    const receipt = await withHub(context, false, async (s) => {
      const connection = (await s.client.connections()).find((c) => c.handle === from);
      if (!connection) throw new CliError('CLI_USAGE', `no connection ${from} (see status)`);
      const fee = (await s.client.status()).terms[connection.asset]?.paymentFee ?? 0n;
      if (maxFee !== undefined && fee > maxFee)
        throw new HubClientError(
          'HUB_TERMS_VIOLATED',
          `the hub asks a fee of ${fee} per payment, above --max-fee ${maxFee}`,
        );
      return s.client.pay({
        from: from!,
        to: to!,
        amount,
        ...(typeof memo === 'string' ? { memo } : {}),
      });
    });
    return {
      json: receipt,
      human: renderFields({
        token: receipt.token,
        from: receipt.from,
        to: receipt.to,
        amount: receipt.amount.toString(),
      }),
    };
  },
};

/** `sync [HANDLE]`: exchanges state with the hub for each connection. */
export const syncCommand: Command = {
  name: 'sync',
  summary: 'sync connections with the hub (each saved on its own)',
  usage: 'sync [HANDLE]',
  help: `Exchanges commits and payments with the hub for one or every connection. Each connection
is saved atomically on its own, so a failure on one loses no other's progress.${HUB_OPTIONS}`,
  options: {},
  positionals: [0, 1],
  async run(context) {
    const handle = context.positionals[0];
    const results = await withHub(context, false, async (s) => {
      const handles = handle
        ? [handle]
        : (await s.client.connections()).filter((c) => !c.closed).map((c) => c.handle);
      const out = [];
      for (const [i, h] of handles.entries()) {
        if (handles.length > 1) context.progress(`sync ${i + 1}/${handles.length} ${h}`);
        out.push(...(await s.client.sync(h)));
      }
      return out;
    });
    const rows = results.map((r) => [
      r.handle,
      String(r.received.length),
      r.received.reduce((sum, p) => sum + p.amount, 0n).toString(),
      String(r.messagesSent),
      String(r.messagesReceived),
    ]);
    return {
      json: results,
      human: renderTable({
        columns: ['HANDLE', 'PAYMENTS', 'RECEIVED', 'SENT MSGS', 'RECV MSGS'],
        rows,
        right: [1, 2, 3, 4],
      }),
    };
  },
};

/** `status`: per connection balances, deposits and blocks to expiry. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'per connection: balances, deposits, blocks to expiry',
  usage: 'status',
  help: `Lists every connection with its state, what was sent and received, its balance, deposits
and blocks until expiry.${HUB_OPTIONS}`,
  options: {},
  positionals: [0, 0],
  async run(context) {
    const list = await withHub(context, false, (s) => s.client.connections());
    const rows = list.map((c) => [
      c.handle,
      c.asset,
      c.state,
      c.sent.toString(),
      c.received.toString(),
      c.balance.toString(),
      c.deposit.toString(),
      c.hubDeposit.toString(),
      c.blocksUntilExpiry === null ? '-' : String(c.blocksUntilExpiry),
    ]);
    return {
      json: list,
      human: renderTable({
        columns: [
          'HANDLE',
          'ASSET',
          'STATE',
          'SENT',
          'RECEIVED',
          'BALANCE',
          'DEPOSIT',
          'HUB DEPOSIT',
          'EXPIRY',
        ],
        rows,
        right: [3, 4, 5, 6, 7, 8],
      }),
    };
  },
};

/** `history [HANDLE]`: payments sent and received. */
export const historyCommand: Command = {
  name: 'history',
  summary: 'payments sent and received',
  usage: 'history [HANDLE]',
  help: `Lists the payments of one or every connection.${HUB_OPTIONS}`,
  options: {},
  positionals: [0, 1],
  async run(context) {
    const list = await withHub(context, false, (s) => s.client.history(context.positionals[0]));
    const rows = list.map((p) => [
      p.token,
      p.handle,
      p.direction,
      p.counterparty,
      p.amount.toString(),
      p.state,
      p.memo ?? '',
    ]);
    return {
      json: list,
      human: renderTable({
        columns: ['TOKEN', 'HANDLE', 'DIRECTION', 'COUNTERPARTY', 'AMOUNT', 'STATE', 'MEMO'],
        rows,
        right: [4],
      }),
    };
  },
};

/** `close HANDLE | --all | --state S`. */
export const closeCommand: Command = {
  name: 'close',
  summary: 'close one connection, all, or those in a state',
  usage: 'close HANDLE | --all | --state STATE [--wait]',
  help: `Closes connections: the one named, every open one (--all) or those in STATE (--state).${HUB_OPTIONS}

Options:
  --all             close every open connection
  --state STATE     close the connections in this state
${WAIT_HELP.replace('done', 'settled on chain')}`,
  options: { all: { type: 'boolean' }, state: { type: 'string' }, ...WAIT_OPTIONS },
  positionals: [0, 1],
  async run(context) {
    const handle = context.positionals[0];
    const all = context.flags.all === true;
    const state = typeof context.flags.state === 'string' ? context.flags.state : undefined;
    if ([handle !== undefined, all, state !== undefined].filter(Boolean).length !== 1)
      throw new CliError('CLI_USAGE', 'close needs exactly one of HANDLE, --all, --state STATE');
    const closed = await withHub(context, false, async (s) => {
      const open = (await s.client.connections()).filter((c) => !c.closed);
      const targets = handle
        ? [handle]
        : open.filter((c) => all || c.state === state).map((c) => c.handle);
      const known = new Set((await s.client.connections()).map((c) => c.handle));
      for (const h of targets)
        if (!known.has(h)) throw new CliError('CLI_USAGE', `no connection ${h} (see status)`);
      for (const [i, h] of targets.entries()) {
        if (targets.length > 1) context.progress(`close ${i + 1}/${targets.length} ${h}`);
        await s.client.close(h);
      }
      if (context.flags.wait === true && targets.length > 0) {
        const ids = targets.flatMap((h) => [`${h}-c2h`, `${h}-h2c`]);
        await waitUntil(
          context,
          s,
          targets,
          'the channels to settle',
          () => ids.every((id) => s.client.channels.channel(id)?.done ?? true),
          false,
        );
      }
      return targets;
    });
    return {
      json: { closed },
      human: renderTable({ columns: ['CLOSED'], rows: closed.map((h) => [h]) }),
    };
  },
};

/** `cull`: forgets fully settled connections. */
export const cullCommand: Command = {
  name: 'cull',
  summary: 'forget fully settled connections',
  usage: 'cull',
  help: `Removes connections whose funds are all settled on chain.${HUB_OPTIONS}`,
  options: {},
  positionals: [0, 0],
  async run(context) {
    const culled = await withHub(context, false, (s) => s.client.cull());
    return {
      json: { culled },
      human: renderTable({ columns: ['CULLED'], rows: culled.map((h) => [h]) }),
    };
  },
};

/** `cancel TOKEN`: cancels a queued payment. */
export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel a queued payment by its receipt token',
  usage: 'cancel TOKEN',
  help: `Cancels a payment the payee has not received yet.${HUB_OPTIONS}`,
  options: {},
  positionals: [1, 1],
  async run(context) {
    const token = context.positionals[0]!;
    await withHub(context, false, (s) => s.client.cancel(token));
    return { json: { cancelled: token }, human: renderFields({ cancelled: token }) };
  },
};

/** `backup FILE`: writes the channel state to FILE (atomically). */
export const backupCommand: Command = {
  name: 'backup',
  summary: 'write the channel state to a file',
  usage: 'backup FILE',
  help: `Writes every connection's state to FILE (written atomically, owner-only).${HUB_OPTIONS}`,
  options: {},
  positionals: [1, 1],
  async run(context) {
    const file = context.positionals[0]!;
    const text = await withHub(context, false, (s) => s.client.backup());
    await writeFileAtomic(file, text);
    return {
      json: { file, bytes: text.length },
      human: renderFields({ file, bytes: String(text.length) }),
    };
  },
};

/** `restore FILE`: reads channel state written by backup. */
export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore channel state from a backup file',
  usage: 'restore FILE',
  help: `Restores connections from a file written by backup.${HUB_OPTIONS}`,
  options: {},
  positionals: [1, 1],
  async run(context) {
    const file = context.positionals[0]!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new CliError('CLI_USAGE', `cannot read ${file}`);
    }
    await withHub(context, false, (s) => s.client.restore(text));
    return { json: { file }, human: renderFields({ restored: file }) };
  },
};
