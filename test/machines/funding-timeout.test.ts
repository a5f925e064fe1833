import { describe, expect, test } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { destinationOf, testPrivateKey } from '../support/channel-harness.js';
import {
  START_HEIGHT,
  depositTransaction,
  messageEvent,
  messagesOf,
  openPair,
  payeeContext,
  payeeInput,
  payerInput,
  startPayee,
  startPayer,
  typesOf,
} from './fixture.js';

describe('payee: an offer not funded and confirmed in time is given up', () => {
  test('offering: at fundingTimeout blocks after the offer the payee ends timed-out and tells the payer', () => {
    const payee = startPayee(payeeInput({ fundingTimeout: 10 }));
    expect(payee.send({ type: 'BLOCK', height: START_HEIGHT + 9 })).toEqual([]);
    expect(payee.value()).toBe('offering');
    const effects = payee.send({ type: 'BLOCK', height: START_HEIGHT + 10 });
    expect(typesOf(effects)).toEqual(['send:close', 'persist', 'finished']);
    expect(payee.value()).toBe('timedOut');
    expect(payeeContext(payee).outcome).toBe('timed-out');
  });

  test('awaitingConfirmation: a deposit that never confirms is given up as well', () => {
    const payee = startPayee(payeeInput({ fundingTimeout: 20 }));
    const payer = startPayer(payerInput());
    const offer = messagesOf(payee.effects)[0]!;
    const afterOffer = payer.send(messageEvent(offer));
    const deposit = messagesOf(afterOffer).find((m) => m.type === 'deposit')!;
    payee.send(messageEvent(deposit));
    const fund = afterOffer.find((e) => e.type === 'fund-deposit');
    if (fund?.type !== 'fund-deposit') throw new Error('no funding');
    const tx = depositTransaction(fund.depositScript, BigInt(fund.amount));
    const funded = payer.send({ type: 'DEPOSIT_PUBLISHED', ...tx });
    payee.send(messageEvent(messagesOf(funded).find((m) => m.type === 'deposit-funded')!));
    expect(payee.value()).toBe('awaitingConfirmation');
    payee.send({ type: 'BLOCK', height: START_HEIGHT + 19 });
    expect(payee.value()).toBe('awaitingConfirmation');
    payee.send({ type: 'BLOCK', height: START_HEIGHT + 20 });
    expect(payeeContext(payee).outcome).toBe('timed-out');
  });

  test('an open channel is never given up by the funding timeout', () => {
    const pair = openPair({ payee: { fundingTimeout: 5 } });
    expect(pair.payee.value()).toBe('open');
    pair.payee.send({ type: 'BLOCK', height: START_HEIGHT + 10 });
    expect(pair.payee.value()).toBe('open');
  });
});

describe('payer: a failed funding says why', () => {
  test('the wallet error code reaches the caller as a FUNDING_FAILED rejection and the finished effect', async () => {
    const chain = new SimulatedChain();
    const link = new MemoryLink();
    const payerKey = testPrivateKey(31);
    const payeeKey = testPrivateKey(32);
    const effects: unknown[] = [];
    // A wallet with no coins cannot fund the deposit.
    const wallet = new SingleKeyWallet(chain, payerKey);
    const payer = await PayerChannel.create(
      {
        channelId: 'unfunded',
        network: 'regtest',
        depositAmount: 100_000n,
        feeRate: 2,
        expireTime: 40,
        delayTime: 5,
        privateKey: payerKey,
        destinationScript: destinationOf(payerKey),
        height: chain.height,
      },
      {
        chain,
        transport: link.endpoint('payer'),
        store: new MemoryStore(),
        storeKey: 'unfunded',
        wallet,
        onEffect: (e) => effects.push(e),
      },
    );
    await PayeeChannel.open(
      {
        channelId: 'unfunded',
        network: 'regtest',
        expireTimeRange: { min: 10, max: 100 },
        delayTimeRange: { min: 1, max: 10 },
        minFeeRate: 1,
        feeRate: 2,
        clearance: 6,
        privateKey: payeeKey,
        destinationScript: destinationOf(payeeKey),
        height: chain.height,
      },
      { chain, transport: link.endpoint('payee'), store: new MemoryStore(), storeKey: 'unfunded' },
    );
    const offer = link.queue.shift()!;
    const rejections = await payer.receive(offer.text);
    expect(rejections).toEqual([
      expect.objectContaining({ event: 'FUNDING_FAILED', code: 'TX_INSUFFICIENT_FUNDS' }),
    ]);
    expect(payer.context.outcome).toBe('aborted');
    expect(effects).toContainEqual(
      expect.objectContaining({
        type: 'finished',
        outcome: 'aborted',
        failure: expect.objectContaining({ code: 'TX_INSUFFICIENT_FUNDS' }),
      }),
    );
  });
});
