import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { expect } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../../src/bytes.js';
import { ChainError } from '../../src/chain/index.js';
import {
  type AssetTerms,
  assetRevocationTrusted,
  assetSendOutputs,
  buildAssetChangeTransaction,
  buildAssetExpireTransaction,
  buildAssetPayoutTransaction,
  buildAssetRevokeTransaction,
  checkAssetDepositAddress,
  simulatedAddressHistory,
} from '../../src/counterparty/index.js';
import {
  buildUnlockingScript,
  extractSpendSecret,
  hash160,
  p2shOutputScript,
} from '../../src/scripts/index.js';
import {
  FINAL_SEQUENCE,
  PAYEE_SIGNATURE_PLACEHOLDER,
  TransactionError,
  type TxOutput,
  completeCommit,
  decodeTransaction,
  encodeTransaction,
  signP2shInput,
  withScriptSig,
} from '../../src/transactions/index.js';
import { referenceRevokeUntil } from '../property/model/reference.js';
import { AssetChannel, TERMS } from './asset-channel-fixture.js';

/** Which party, if any, misbehaves in a run. */
export type Dishonest = 'none' | 'payer' | 'payee';

/** Random parameters of one asset channel run. */
export interface AssetModelParams {
  /** Asset units deposited. */
  readonly quantity: bigint;
  /** Asset units the payer keeps outside the channel. */
  readonly held: bigint;
  readonly expireTime: number;
  readonly delayTime: number;
  readonly clearance: number;
  readonly payerFeeRate: number;
  readonly payeeFeeRate: number;
  readonly extraBtc: bigint;
  readonly spendSecret: Uint8Array;
  readonly revokeSeed: Uint8Array;
  readonly closeMode: 'command' | 'deadline';
  /** A dishonest payee publishes a given-back commit when recovery starts. */
  readonly cheatAtClose: boolean;
  /** A dishonest payer parks BTC at the deposit address `expire_time` blocks before depositing. */
  readonly parkDeposit: boolean;
}

/** Flaws of a payer-signed commit that the payee must refuse. */
export const FORGERIES = [
  'other-asset',
  'short-send',
  'over-send',
  'no-remainder',
  'poor-commit-output',
  'unissued-hash',
  'beyond-deposit',
] as const;
export type Forgery = (typeof FORGERIES)[number];

/** One step of a run; indices are taken modulo what exists. */
export type AssetAction =
  | { readonly kind: 'pay'; readonly share: number; readonly lost: boolean }
  | {
      readonly kind: 'give-back';
      readonly pick: number;
      readonly surpass: boolean;
      readonly lost: boolean;
    }
  | { readonly kind: 'mine'; readonly blocks: number }
  | { readonly kind: 'payer-offline'; readonly blocks: number }
  | { readonly kind: 'payee-close' }
  | { readonly kind: 'publish-held'; readonly pick: number; readonly preferRevoked: boolean }
  | { readonly kind: 'park'; readonly pick: number }
  | { readonly kind: 'forge'; readonly forgery: Forgery; readonly delta: number }
  | { readonly kind: 'early-expire' };

interface SignedCommit {
  readonly amount: bigint;
  readonly rawTx: Uint8Array;
  readonly commitScript: Uint8Array;
  readonly revokeSecret: Uint8Array;
}

const hex = bytesToHex;
const PARK_VALUE = 20_000n;

/**
 * One asset channel run: the payer and payee policies of PROTOCOL.md §7 written against the
 * asset-mode transactions, the simulated chain and the simulated Counterparty ledger; an
 * adversary that publishes given-back commits, pays them out the moment the chain allows and
 * parks BTC at channel addresses; and the model's record of what each honest party is owed.
 */
export class AssetModel {
  readonly c: AssetChannel;
  readonly log: string[] = [];
  depositHeight = 0;
  /** The honest payee refused the deposit (its address held an older output). */
  payeeRefused = false;
  // Payee.
  readonly issued: Uint8Array[] = [];
  active: SignedCommit[] = [];
  readonly givenBack: SignedCommit[] = [];
  /** Everything the payee ever held: what a cheating payee can publish. */
  readonly held: SignedCommit[] = [];
  payeeClosing = false;
  /** Model: the highest accepted commit not given back is what the honest payee is owed. */
  payeeEntitled: bigint[] = [];
  // Payer.
  readonly signed: SignedCommit[] = [];
  /** Revoke hashes whose secret reached the payer, with whether it could trust them. */
  readonly learned = new Map<string, boolean>();
  payerAsleepUntil = 0;
  spendSecretKnown: Uint8Array | null = null;
  revocationsSent = 0;
  private counter = 0;

  constructor(
    readonly params: AssetModelParams,
    readonly dishonest: Dishonest,
  ) {
    this.c = new AssetChannel({
      allocation: params.quantity + params.held,
      quantity: params.quantity,
      expireTime: params.expireTime,
      delayTime: params.delayTime,
      payerFeeRate: params.payerFeeRate,
      payeeFeeRate: params.payeeFeeRate,
      extraBtc: params.extraBtc,
      spendSecret: params.spendSecret,
    });
  }

  note(line: string): void {
    this.log.push(`[h${this.c.chain.height}] ${line}`);
  }

  private get terms(): AssetTerms {
    return TERMS;
  }

  async open(): Promise<void> {
    const depositOut = p2shOutputScript(this.c.depositScript);
    if (this.dishonest === 'payer' && this.params.parkDeposit) {
      this.c.chain.fund(depositOut, PARK_VALUE);
      this.c.chain.mine(this.params.expireTime);
      this.note('payer parked BTC at the deposit address');
    }
    await this.c.open();
    this.depositHeight = this.c.chain.height;
    try {
      checkAssetDepositAddress(
        this.c.chain.listUnspent(depositOut),
        this.c.deposit.outpoint,
        this.depositHeight,
      );
    } catch (error) {
      this.payeeRefused = true;
      this.note(`payee refused the deposit: ${(error as Error).message}`);
    }
    expect(await this.c.balance(this.c.depositAddress)).toBe(this.params.quantity);
  }

  private nextRevokeSecret(): Uint8Array {
    this.counter++;
    const secret = sha256(concatBytes(this.params.revokeSeed, Uint8Array.of(this.counter)));
    this.issued.push(secret);
    return secret;
  }

  // ---- payments ---------------------------------------------------------------------------

  /** The payer's transferred amount: its highest commit whose give-back it did not learn. */
  payerTransferred(): bigint {
    return this.signed
      .filter((s) => !this.learned.has(hex(hash160(s.revokeSecret))))
      .reduce((m, s) => (s.amount > m ? s.amount : m), 0n);
  }

  payeeTransferred(): bigint {
    return this.active.reduce((m, s) => (s.amount > m ? s.amount : m), 0n);
  }

  /** A payment: the payee's next revoke hash is already with the payer (one always is). */
  pay(share: number, lost: boolean): void {
    if (this.payeeRefused || this.payeeClosing || this.depositSpent()) return;
    const Q = this.params.quantity;
    const amount = this.payerTransferred() + (Q * BigInt(share)) / 1000n + 1n;
    if (amount > Q) return;
    const revokeSecret = this.nextRevokeSecret();
    const commit = { ...this.c.signCommit(amount, revokeSecret), revokeSecret };
    this.signed.push(commit);
    if (lost) {
      this.note(`commit ${amount} lost`);
      return;
    }
    this.deliverCommit(commit, 'honest');
  }

  private deliverCommit(commit: SignedCommit, origin: 'honest' | 'forged'): void {
    const before = this.payeeState();
    try {
      this.c.verify(commit.rawTx, commit.commitScript, commit.amount, this.issuedUnused());
    } catch (error) {
      expect(error, 'a refusal carries a typed error').toBeInstanceOf(TransactionError);
      this.note(`payee refused ${commit.amount}: ${(error as TransactionError).code}`);
      expect(origin, `the payee refused an honest commit: ${(error as Error).message}`).toBe(
        'forged',
      );
      expect(this.payeeState(), 'a refusal changed the payee').toBe(before);
      return;
    }
    expect(origin, 'the payee accepted a forged commit').toBe('honest');
    this.note(`payee took ${commit.amount}`);
    this.active = [...this.active, commit].sort((a, b) => (a.amount < b.amount ? -1 : 1));
    this.held.push(commit);
    const transferred = this.payeeEntitled.reduce((m, a) => (a > m ? a : m), 0n);
    if (commit.amount > transferred) this.payeeEntitled.push(commit.amount);
  }

  private issuedUnused(): Uint8Array[] {
    const used = new Set(this.held.map((h) => hex(h.revokeSecret)));
    return this.issued.filter((s) => !used.has(hex(s)));
  }

  private payeeState(): string {
    return JSON.stringify([this.active.map((a) => `${a.amount}`), this.held.length]);
  }

  /** The payee gives back commits above a target (PROTOCOL.md §6) and sends their secrets. */
  async giveBack(pick: number, surpass: boolean, lost: boolean): Promise<void> {
    if (this.payeeClosing || this.active.length === 0) return;
    const amounts = this.active.map((a) => a.amount);
    const target = pick % 2 === 0 ? amounts[pick % amounts.length]! : 0n;
    const keep = referenceRevokeUntil(amounts, target, surpass);
    const kept = new Set(keep.map(String));
    const revoked = this.active.filter((a) => !kept.has(String(a.amount)));
    this.active = this.active.filter((a) => kept.has(String(a.amount)));
    this.givenBack.push(...revoked);
    this.payeeEntitled = referenceRevokeUntil(this.payeeEntitled, target, surpass);
    this.note(`payee gave back ${revoked.map((r) => r.amount).join(',')}${lost ? ' (lost)' : ''}`);
    if (!lost) await this.payerLearns(revoked.map((r) => r.revokeSecret));
  }

  /**
   * The payer takes revoke secrets. It judges each against the commit address's whole history,
   * not its unspent outputs: BTC parked there before the commit confirmed may already be spent
   * by a payout (in the mempool or after the commit) that took the asset.
   */
  private async payerLearns(secrets: readonly Uint8Array[]): Promise<void> {
    for (const secret of secrets) {
      const hash = hex(hash160(secret));
      const commit = this.signed.find((s) => hex(hash160(s.revokeSecret)) === hash);
      if (!commit || this.learned.has(hash)) continue;
      const history = simulatedAddressHistory(this.c.chain, p2shOutputScript(commit.commitScript));
      const published = this.publishedCommit();
      const own =
        published && hex(published.commitScript) === hex(commit.commitScript)
          ? { txid: published.txid, vout: 0 }
          : null;
      const trusted = assetRevocationTrusted(history, {
        commitOutput: own,
        height: this.c.chain.height,
        delayTime: this.params.delayTime,
      });
      if (!trusted) this.note(`payer cannot trust the give-back of ${commit.amount}`);
      this.learned.set(hash, trusted);
    }
    await this.payerWatch();
  }

  // ---- chain ------------------------------------------------------------------------------

  private depositSpent(): boolean {
    return this.c.chain
      .listUnspent(p2shOutputScript(this.c.depositScript))
      .every(
        (o) => o.txid !== this.c.deposit.outpoint.txid || o.vout !== this.c.deposit.outpoint.vout,
      );
  }

  /** The commit that spent the deposit (mempool or confirmed), if any. */
  publishedCommit(): (SignedCommit & { txid: string; height: number | null }) | null {
    const spender = this.spenderOf(this.c.deposit.outpoint);
    if (!spender) return null;
    const out0 = decodeTransaction(spender.rawTx).outputs[0];
    const commit = this.signed.find(
      (s) => out0 && hex(p2shOutputScript(s.commitScript)) === hex(out0.script),
    );
    if (!commit) return null;
    return { ...commit, txid: spender.txid, height: spender.blockHeight };
  }

  private spenderOf(outpoint: { txid: string; vout: number }) {
    for (const record of this.c.chain.transactionsSpending(outpoint)) {
      if (record.status !== 'dropped') return record;
    }
    return null;
  }

  private trySubmit(what: string, build: () => Uint8Array): boolean {
    let raw: Uint8Array;
    try {
      raw = build();
    } catch (error) {
      if (error instanceof TransactionError) return false;
      throw error;
    }
    try {
      this.c.chain.submit(raw);
    } catch (error) {
      if (error instanceof ChainError) return false;
      throw error;
    }
    this.note(what);
    return true;
  }

  async mine(blocks: number): Promise<void> {
    for (let i = 0; i < blocks; i++) {
      this.c.chain.mine();
      await this.afterBlock();
    }
  }

  /** The adversary moves first, then every watching honest party. */
  private async afterBlock(): Promise<void> {
    this.adversary();
    if (this.dishonest !== 'payer' && this.c.chain.height >= this.payerAsleepUntil) {
      await this.payerWatch();
    }
    if (this.dishonest !== 'payee') this.payeeWatch();
  }

  /** Honest payer: revoke and sweep what it may, take the change, expire what is due. */
  async payerWatch(): Promise<void> {
    const { c } = this;
    const payer = c.payer;
    // Every output at a given-back commit's address goes back to the payer (no timelock).
    for (const commit of this.signed) {
      if (!this.learned.has(hex(hash160(commit.revokeSecret)))) continue;
      for (const output of c.chain.listUnspent(p2shOutputScript(commit.commitScript))) {
        this.trySubmit(`payer revokes ${output.txid.slice(0, 8)}:${output.vout}`, () => {
          return buildAssetRevokeTransaction({
            outpoint: output,
            value: output.value,
            destinationScript: payer.p2pkh,
            feeRate: 1,
            privateKey: payer.privateKey,
            commitScript: commit.commitScript,
            revokeSecret: commit.revokeSecret,
            quantity: commit.amount,
            terms: this.terms,
          }).rawTx;
        });
      }
    }
    const published = this.publishedCommit();
    if (published) {
      const payout = this.spenderOf({ txid: published.txid, vout: 0 });
      const secret = payout ? extractSpendSecret(payout.rawTx, published.commitScript) : null;
      if (secret) this.spendSecretKnown = secret;
    }
    // The deposit (or the remainder): change once the spend secret is out, else expire when due.
    const depositOut = p2shOutputScript(c.depositScript);
    for (const output of c.chain.listUnspent(depositOut)) {
      const isDeposit =
        output.txid === c.deposit.outpoint.txid && output.vout === c.deposit.outpoint.vout;
      const isRemainder = published !== null && output.txid === published.txid;
      if (!isDeposit && !isRemainder) continue;
      const common = {
        outpoint: output,
        value: output.value,
        destinationScript: payer.p2pkh,
        feeRate: this.params.payerFeeRate,
        privateKey: payer.privateKey,
        depositScript: c.depositScript,
        // A classic send moves at most the balance: the whole deposit quantity sweeps the rest.
        quantity: this.params.quantity,
        terms: this.terms,
      };
      const secret = this.spendSecretKnown;
      if (secret) {
        this.trySubmit(
          'payer change',
          () => buildAssetChangeTransaction({ ...common, spendSecret: secret }).rawTx,
        );
      } else {
        this.trySubmit('payer expire', () => buildAssetExpireTransaction(common).rawTx);
      }
    }
  }

  /** Honest payee: close at the clearance deadline (or when told), pay out when the delay allows. */
  payeeWatch(): void {
    const { c } = this;
    const deadline = this.depositHeight + this.params.expireTime - this.params.clearance;
    // The payee always closes by the clearance deadline; `command` mode is told to close earlier.
    if (c.chain.height >= deadline) this.payeeClosing = true;
    if (this.payeeClosing && !this.depositSpent()) {
      const best = this.active.at(-1);
      if (best) {
        this.trySubmit(`payee publishes ${best.amount}`, () =>
          completeCommit(best.rawTx, c.depositScript, c.payee.privateKey),
        );
      }
    }
    const published = this.publishedCommit();
    if (published && published.height !== null && this.active.includes(this.unwrap(published))) {
      this.tryPayouts(published);
    }
  }

  private unwrap(commit: SignedCommit): SignedCommit {
    return this.signed.find((s) => s.rawTx === commit.rawTx) ?? commit;
  }

  /** Pays out of every output at the commit's address the chain lets it spend. */
  private tryPayouts(commit: SignedCommit): void {
    for (const output of this.c.chain.listUnspent(p2shOutputScript(commit.commitScript))) {
      const ok = this.trySubmit(`payee pays out ${commit.amount} from ${output.vout}`, () => {
        return buildAssetPayoutTransaction({
          outpoint: output,
          value: output.value,
          destinationScript: this.c.payee.p2pkh,
          feeRate: this.params.payeeFeeRate,
          privateKey: this.c.payee.privateKey,
          commitScript: commit.commitScript,
          spendSecret: this.params.spendSecret,
          quantity: commit.amount,
          terms: this.terms,
        }).rawTx;
      });
      if (ok && this.dishonest === 'payee') {
        const at = this.c.chain.confirmations(output.txid) ?? 0;
        expect(at + 1, 'a payout before delay_time').toBeGreaterThanOrEqual(this.params.delayTime);
      }
    }
  }

  /** The dishonest party's move after each block. */
  private adversary(): void {
    if (this.dishonest === 'payee') {
      const published = this.publishedCommit();
      if (published) this.tryPayouts(this.unwrap(published));
    }
  }

  // ---- cheats -----------------------------------------------------------------------------

  publishHeld(pick: number, preferRevoked: boolean): void {
    if (this.held.length === 0) return;
    const pool = preferRevoked && this.givenBack.length > 0 ? this.givenBack : this.held;
    const commit = pool[pick % pool.length]!;
    this.trySubmit(`adversary publishes ${commit.amount}`, () =>
      completeCommit(commit.rawTx, this.c.depositScript, this.c.payee.privateKey),
    );
  }

  /** The payee parks BTC at a held commit's address; the faucet's block is watched like any. */
  async park(pick: number): Promise<void> {
    if (this.held.length === 0) return;
    const commit = this.held[pick % this.held.length]!;
    this.c.chain.fund(p2shOutputScript(commit.commitScript), PARK_VALUE);
    this.note(`adversary parks BTC at the commit ${commit.amount} address`);
    await this.afterBlock();
  }

  /** A payer-signed commit with one flaw, handed to the payee. */
  forge(forgery: Forgery, delta: number): void {
    if (this.payeeRefused) return;
    const { c } = this;
    const Q = this.params.quantity;
    const revokeSecret =
      forgery === 'unissued-hash'
        ? sha256(Uint8Array.of(delta & 0xff, 0xee))
        : this.nextRevokeSecret();
    const commitScript = c.commitScript(revokeSecret);
    const claimed =
      forgery === 'beyond-deposit' ? Q + BigInt(delta) + 1n : (BigInt(delta) % Q) + 1n;
    const sent =
      forgery === 'short-send' ? claimed - 1n : forgery === 'over-send' ? claimed + 1n : claimed;
    if (sent < 1n) return;
    const terms = forgery === 'other-asset' ? { ...TERMS, asset: 'XCP' } : TERMS;
    const commitValue =
      forgery === 'poor-commit-output' ? c.budget.commitValue - 1n : c.budget.commitValue;
    const commitOut = p2shOutputScript(commitScript);
    const outputs: TxOutput[] = assetSendOutputs(
      terms,
      sent,
      commitOut,
      commitValue < 540n ? 540n : commitValue,
      c.deposit.outpoint.txid,
    );
    const remainder = c.deposit.value - commitValue - c.budget.commitFee;
    if (forgery !== 'no-remainder')
      outputs.push({ value: remainder, script: p2shOutputScript(c.depositScript) });
    const unsigned = {
      version: 2,
      inputs: [
        {
          txid: hexToBytes(c.deposit.outpoint.txid),
          index: c.deposit.outpoint.vout,
          scriptSig: new Uint8Array(0),
          sequence: FINAL_SEQUENCE,
        },
      ],
      outputs,
      lockTime: 0,
    };
    const payerSignature = signP2shInput(unsigned, 0, c.depositScript, c.payer.privateKey);
    const scriptSig = buildUnlockingScript({
      kind: 'commit',
      payerSignature,
      payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
      depositScript: c.depositScript,
    });
    const rawTx = encodeTransaction(withScriptSig(unsigned, 0, scriptSig));
    this.note(`payer forges ${forgery}`);
    this.deliverCommit({ amount: claimed, rawTx, commitScript, revokeSecret }, 'forged');
  }

  /**
   * The payer's early expire of every output at the deposit address (the deposit, and BTC it
   * parked there): the chain must refuse any before expire_time, and the one it accepts moves
   * the address's whole asset balance.
   */
  earlyExpire(): void {
    const { c } = this;
    for (const output of c.chain.listUnspent(p2shOutputScript(c.depositScript))) {
      const ok = this.trySubmit(
        `payer expires ${output.txid.slice(0, 8)}:${output.vout}`,
        () =>
          buildAssetExpireTransaction({
            outpoint: output,
            value: output.value,
            destinationScript: c.payer.p2pkh,
            feeRate: this.params.payerFeeRate,
            privateKey: c.payer.privateKey,
            depositScript: c.depositScript,
            quantity: this.params.quantity,
            terms: TERMS,
          }).rawTx,
      );
      if (ok) {
        const confirmations = c.chain.confirmations(output.txid) ?? 0;
        expect(confirmations + 1, 'an expire before expire_time').toBeGreaterThanOrEqual(
          this.params.expireTime,
        );
      }
    }
  }
}

// ---- arbitraries ------------------------------------------------------------------------

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

/** Random parameters within the ranges the suite exercises. */
export const assetParamsArb: fc.Arbitrary<AssetModelParams> = fc.record({
  quantity: fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 1n, max: 2n ** 62n })),
  held: fc.bigInt({ min: 0n, max: 10_000n }),
  expireTime: fc.integer({ min: 14, max: 40 }),
  delayTime: fc.integer({ min: 2, max: 6 }),
  clearance: fc.integer({ min: 3, max: 6 }),
  payerFeeRate: fc.integer({ min: 1, max: 5 }),
  payeeFeeRate: fc.integer({ min: 1, max: 5 }),
  extraBtc: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 50_000n })),
  spendSecret: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  revokeSeed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  closeMode: fc.constantFrom('command' as const, 'deadline' as const),
  cheatAtClose: fc.boolean(),
  parkDeposit: fc.constantFrom(false, false, false, true),
});

/** The actions of a run with the given dishonest party. */
export function assetActionsArb(dishonest: Dishonest, max: number): fc.Arbitrary<AssetAction[]> {
  const actions: { weight: number; arbitrary: fc.Arbitrary<AssetAction> }[] = [
    w(
      6,
      fc.record({
        kind: fc.constant('pay' as const),
        share: fc.integer({ min: 0, max: 300 }),
        lost: fc.constantFrom(false, false, false, true),
      }),
    ),
    w(
      3,
      fc.record({
        kind: fc.constant('give-back' as const),
        pick: fc.nat({ max: 100 }),
        surpass: fc.boolean(),
        lost: fc.constantFrom(false, false, false, true),
      }),
    ),
    w(3, fc.record({ kind: fc.constant('mine' as const), blocks: fc.integer({ min: 1, max: 4 }) })),
    w(
      1,
      fc.record({
        kind: fc.constant('payer-offline' as const),
        blocks: fc.integer({ min: 1, max: 4 }),
      }),
    ),
    w(1, fc.constant({ kind: 'payee-close' as const })),
  ];
  if (dishonest === 'payee') {
    actions.push(
      w(
        3,
        fc.record({
          kind: fc.constant('publish-held' as const),
          pick: fc.nat({ max: 100 }),
          preferRevoked: fc.constantFrom(true, true, false),
        }),
      ),
      w(2, fc.record({ kind: fc.constant('park' as const), pick: fc.nat({ max: 100 }) })),
    );
  }
  if (dishonest === 'payer') {
    actions.push(
      w(
        4,
        fc.record({
          kind: fc.constant('forge' as const),
          forgery: fc.constantFrom(...FORGERIES),
          delta: fc.nat({ max: 5000 }),
        }),
      ),
      w(1, fc.constant({ kind: 'early-expire' as const })),
    );
  }
  return fc.array(fc.oneof(...actions), { minLength: 6, maxLength: max, size: 'max' });
}

// ---- running and judging ----------------------------------------------------------------

/** Carries out one action. */
export async function performAssetAction(m: AssetModel, action: AssetAction): Promise<void> {
  switch (action.kind) {
    case 'pay':
      m.pay(action.share, action.lost);
      return;
    case 'give-back':
      await m.giveBack(action.pick, action.surpass, action.lost);
      return;
    case 'mine':
      await m.mine(action.blocks);
      return;
    case 'payer-offline': {
      // The watching assumption: a revoke sent this late still beats the earliest payout.
      const blocks = Math.min(action.blocks, Math.max(0, m.params.delayTime - 2));
      m.payerAsleepUntil = m.c.chain.height + blocks;
      m.note(`payer offline for ${blocks} blocks`);
      return;
    }
    case 'payee-close':
      if (m.dishonest !== 'payee') m.payeeClosing = true;
      return;
    case 'publish-held':
      m.publishHeld(action.pick, action.preferRevoked);
      return;
    case 'park':
      await m.park(action.pick);
      return;
    case 'forge':
      m.forge(action.forgery, action.delta);
      return;
    case 'early-expire':
      m.earlyExpire();
      return;
  }
}

/** Addresses of every commit the payer signed, once each. */
function commitAddresses(m: AssetModel): string[] {
  return [...new Set(m.signed.map((s) => m.c.commitAddress(s.commitScript)))];
}

async function channelAssets(m: AssetModel): Promise<bigint> {
  let total = await m.c.balance(m.c.depositAddress);
  for (const address of commitAddresses(m)) total += await m.c.balance(address);
  return total;
}

/** Drives the channel to its end: the payee closes, blocks come until nothing is left. */
export async function recoverAsset(m: AssetModel): Promise<void> {
  m.note('recovery');
  m.payerAsleepUntil = 0;
  if (m.dishonest === 'payee' && m.params.cheatAtClose) m.publishHeld(0, true);
  if (m.dishonest !== 'payee' && m.params.closeMode === 'command') m.payeeClosing = true;
  const bound = 2 * m.params.expireTime + m.params.delayTime + 30;
  for (let i = 0; i < bound; i++) {
    await m.mine(1);
    if ((await channelAssets(m)) === 0n) break;
  }
  await m.mine(2);
}

/** Where the BTC of the channel's addresses went, traced through confirmed blocks. */
export interface BtcSettlement {
  /** BTC paid to channel addresses from outside: the deposit output and any parked BTC. */
  readonly inflow: bigint;
  readonly payer: bigint;
  readonly payee: bigint;
  readonly fees: bigint;
  readonly foreign: bigint;
  /** Unspent BTC still at channel addresses. */
  readonly leftover: bigint;
}

export function traceBtc(m: AssetModel): BtcSettlement {
  const { chain } = m.c;
  const scripts = new Set([
    hex(p2shOutputScript(m.c.depositScript)),
    ...m.signed.map((s) => hex(p2shOutputScript(s.commitScript))),
  ]);
  const unspent = new Map<string, bigint>();
  let inflow = 0n;
  let payer = 0n;
  let payee = 0n;
  let fees = 0n;
  let foreign = 0n;
  for (let height = m.depositHeight; height <= chain.height; height++) {
    for (const txid of chain.block(height)?.txids ?? []) {
      const tx = decodeTransaction(chain.rawTransaction(txid)!);
      let spent = 0n;
      let channelInputs = 0;
      for (const input of tx.inputs) {
        const key = `${hex(input.txid)}:${input.index}`;
        const value = unspent.get(key);
        if (value === undefined) continue;
        channelInputs++;
        spent += value;
        unspent.delete(key);
      }
      if (channelInputs > 0) {
        expect(channelInputs, 'a channel transaction spends one input').toBe(tx.inputs.length);
      }
      let paid = 0n;
      tx.outputs.forEach((output, vout) => {
        paid += output.value;
        const script = hex(output.script);
        if (scripts.has(script)) {
          unspent.set(`${txid}:${vout}`, output.value);
          if (channelInputs === 0) inflow += output.value;
        } else if (channelInputs > 0) {
          if (script === hex(m.c.payer.p2pkh)) payer += output.value;
          else if (script === hex(m.c.payee.p2pkh)) payee += output.value;
          else foreign += output.value;
        }
      });
      if (channelInputs > 0) fees += spent - paid;
    }
  }
  const leftover = [...unspent.values()].reduce((a, b) => a + b, 0n);
  return { inflow, payer, payee, fees, foreign, leftover };
}

/**
 * PROTOCOL.md §8 in asset units: conservation of the asset (nothing created, nothing lost:
 * BTC pays every fee), liveness (no asset an honest party can claim is left at a channel
 * address), payer safety (at least the deposit less its highest commit not safely given back;
 * everything when a safely given-back commit was published), payee safety (at least its highest
 * accepted commit not given back). BTC is accounted separately: what entered the channel's
 * addresses left to a party, to fees, or is still there.
 */
export async function checkAssetOutcome(m: AssetModel): Promise<void> {
  const Q = m.params.quantity;
  const payerEnd = (await m.c.balance(m.c.payer.address)) - m.params.held;
  const payeeEnd = await m.c.balance(m.c.payee.address);
  const left = await channelAssets(m);
  expect(payerEnd + payeeEnd + left, 'asset conservation').toBe(Q);
  const published = m.publishedCommit();
  const honestPayer = m.dishonest !== 'payer';
  const honestPayee = m.dishonest !== 'payee';
  if (honestPayer) {
    expect(await m.c.balance(m.c.depositAddress), 'asset left at the deposit address').toBe(0n);
    let exposure = 0n;
    for (const s of m.signed) {
      const trusted = m.learned.get(hex(hash160(s.revokeSecret)));
      if (trusted !== true && s.amount > exposure) exposure = s.amount;
    }
    expect(payerEnd, `payer safety: exposure ${exposure}`).toBeGreaterThanOrEqual(Q - exposure);
    if (published && m.learned.get(hex(hash160(published.revokeSecret))) === true) {
      expect(payerEnd, 'a safely given-back commit was published').toBe(Q);
    }
  }
  if (honestPayee) {
    const entitled = m.payeeEntitled.reduce((a, b) => (b > a ? b : a), 0n);
    expect(payeeEnd, `payee safety: entitled ${entitled}`).toBeGreaterThanOrEqual(entitled);
    if (published) {
      expect(await m.c.balance(m.c.commitAddress(published.commitScript))).toBe(0n);
    }
  }
  if (honestPayer && honestPayee) expect(left, 'asset left in the channel').toBe(0n);
  const btc = traceBtc(m);
  expect(btc.foreign, 'BTC paid to neither party').toBe(0n);
  expect(btc.payer + btc.payee + btc.fees + btc.leftover, 'BTC conservation').toBe(btc.inflow);
}

/** A whole run: open, act, recover, judge; the log's tail joins a failure's message. */
export async function runAssetScenario(
  params: AssetModelParams,
  dishonest: Dishonest,
  actions: readonly AssetAction[],
): Promise<AssetModel> {
  const m = new AssetModel(params, dishonest);
  try {
    await m.open();
    for (const action of actions) await performAssetAction(m, action);
    await recoverAsset(m);
    await checkAssetOutcome(m);
  } catch (error) {
    if (error instanceof Error) {
      error.message = `${error.message}\n--- run log (last 40) ---\n${m.log.slice(-40).join('\n')}`;
    }
    throw error;
  }
  return m;
}
