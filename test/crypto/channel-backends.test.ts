/**
 * A whole channel on each backend, bitcore's interpreter checking every transaction: deposit,
 * payments, close, payout and change.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { activeSecp256k1Backend, useSecp256k1Backend } from '../../src/crypto/index.js';
import { mine, openTestChannel, settle } from '../support/channel-harness.js';
import { BACKEND_NAMES } from './backends.js';

afterAll(async () => {
  await useSecp256k1Backend('noble');
});

describe('a channel lifecycle with each secp256k1 backend', () => {
  test.each(BACKEND_NAMES)('%s: pays, closes and pays out, every spend valid', async (name) => {
    await useSecp256k1Backend(name);
    expect(activeSecp256k1Backend().name).toBe(name);
    const t = await openTestChannel();
    await settle(t);
    await mine(t, 1);
    for (let i = 0; i < 5; i++) {
      await t.payer.pay(1_000n);
      await settle(t);
    }
    await t.payee.close();
    await settle(t);
    await mine(t, 12);
    expect(t.payee.status().outcome).toBe('paid-out');
    expect(t.payer.status().outcome).toBe('settled');
    expect(t.payee.status().transferred).toBe(5_000n);
    expect([...t.payee.runtime.rejections, ...t.payer.runtime.rejections]).toEqual([]);
  });
});
