import { sats, satsColumn, shortTxid } from './format.js';
import type { ScenarioResult } from './scenario.js';

/** The closing report of a scenario: its transactions, final balances and checks. */
export function summaryLines(result: ScenarioResult): string[] {
  const { ledger } = result;
  const lines = [
    `-- ${result.title}: payer ${result.outcomes.payer}, payee ${result.outcomes.payee}`,
    '   transactions:',
    ...ledger.transactions.map(
      (t) =>
        `     ${t.label.padEnd(8)} ${shortTxid(t.txid)}  by ${t.who.padEnd(5)}  height ${t.height ?? 'mempool'}  fee ${sats(t.fee)}`,
    ),
    '   balances:',
    `     payer (wallet change + recovered)  ${satsColumn(ledger.payer)}   of which from the channel ${sats(ledger.payerRecovered)}`,
    `     payee (payout)                     ${satsColumn(ledger.payee)}`,
    `     fees                               ${satsColumn(ledger.fees)}`,
    `     total = payer's funding            ${satsColumn(ledger.payer + ledger.payee + ledger.fees)}   (${ledger.payer + ledger.payee + ledger.fees === ledger.funding ? 'adds up' : `MISMATCH: funding ${sats(ledger.funding)}`})`,
    `     the deposit: ${sats(ledger.deposit)} = payee ${sats(ledger.payee)} + payer ${sats(ledger.payerRecovered)} + channel fees ${sats(ledger.channelFees)} (${ledger.payee + ledger.payerRecovered + ledger.channelFees === ledger.deposit ? 'adds up' : 'MISMATCH'})`,
    '   checks:',
    ...result.checks.map((c) => `     ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
  ];
  return lines;
}
