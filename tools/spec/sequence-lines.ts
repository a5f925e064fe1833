import type { ChannelMessage } from '../../src/messages/schema.js';
import type { RecordedStep } from './demo-recording.js';

/** A Mermaid participant of the sequence diagram. */
export type Participant = 'Payer' | 'Payee' | 'Chain';

/**
 * One line of a sequence diagram before it is rendered: an arrow or a note whose text is a
 * template with `{}` for each number in `values`. Lines with the same `shape` differ only in
 * those numbers, which is what lets repeats be folded into a loop.
 */
export interface SequenceLine {
  readonly kind: 'arrow' | 'note';
  readonly from: Participant;
  /** Receiver of an arrow; for a note, the participant it is over. */
  readonly to: Participant;
  /** Dashed arrow: a resend of a message or transaction already sent. */
  readonly dashed: boolean;
  readonly template: string;
  readonly values: readonly bigint[];
}

const PARTICIPANT = { payer: 'Payer', payee: 'Payee' } as const;
const other = (p: Participant): Participant => (p === 'Payer' ? 'Payee' : 'Payer');

/** The deterministic part of a message: its type and its amounts or terms, never bytes. */
function messageText(message: ChannelMessage): { template: string; values: bigint[] } {
  switch (message.type) {
    case 'offer':
      return {
        template: 'offer: expire_time {}..{}, delay_time {}..{}, fee floor {} sat/vB',
        values: [
          message.expireTime.min,
          message.expireTime.max,
          message.delayTime.min,
          message.delayTime.max,
          message.minFeeRate,
        ].map(BigInt),
      };
    case 'deposit':
      return { template: 'deposit: script, delay_time {}', values: [BigInt(message.delayTime)] };
    case 'deposit-funded':
      return { template: 'deposit-funded: {} sat', values: [BigInt(message.value)] };
    case 'revoke-hash':
      return { template: 'revoke-hash', values: [] };
    case 'commit':
      return { template: 'commit: {} sat (cumulative)', values: [BigInt(message.amount)] };
    case 'revoke-secrets':
      return { template: 'revoke-secrets: {} secret(s)', values: [BigInt(message.secrets.length)] };
    case 'revoke-secrets-ack':
      return {
        template: 'revoke-secrets-ack: {} secret(s)',
        values: [BigInt(message.revokeSecretHashes.length)],
      };
    case 'close':
      return { template: 'close', values: [] };
  }
}

/** The diagram line of one recorded step. */
export function sequenceLine(step: RecordedStep): SequenceLine {
  switch (step.kind) {
    case 'message': {
      const from = PARTICIPANT[step.from];
      const text = messageText(step.message);
      return {
        kind: 'arrow',
        from,
        to: other(from),
        dashed: step.again,
        template: step.again ? `${text.template} (again)` : text.template,
        values: text.values,
      };
    }
    case 'transaction':
      return {
        kind: 'arrow',
        from: PARTICIPANT[step.from],
        to: 'Chain',
        dashed: step.again,
        template: `broadcast ${step.label}${step.again ? ' (again)' : ''}`,
        values: [],
      };
    case 'block':
      return {
        kind: 'note',
        from: 'Chain',
        to: 'Chain',
        dashed: false,
        template:
          step.confirms.length > 0 ? `block {}: confirms ${step.confirms.join(', ')}` : 'block {}',
        values: [BigInt(step.height)],
      };
    case 'command':
      return {
        kind: 'note',
        from: PARTICIPANT[step.party],
        to: PARTICIPANT[step.party],
        dashed: false,
        template: `${step.party} user: ${step.text.replace(/\d+/g, '{}')}`,
        values: (step.text.match(/\d+/g) ?? []).map(BigInt),
      };
    case 'finished':
      return {
        kind: 'note',
        from: PARTICIPANT[step.party],
        to: PARTICIPANT[step.party],
        dashed: false,
        template: `${step.party} finished: ${step.outcome}`,
        values: [],
      };
  }
}

/** What makes two lines the same up to their numbers. */
export function shapeOf(line: SequenceLine): string {
  return `${line.kind}|${line.from}|${line.to}|${line.dashed}|${line.template}`;
}
