import { concatBytes } from '../bytes.js';
import { CounterpartyError } from './errors.js';

/** Most data bytes an OP_RETURN output may carry under Bitcoin Core's default policy. */
export const MAX_OP_RETURN_DATA = 80;

const OP_RETURN = 0x6a;
const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_PUSHDATA4 = 0x4e;

/**
 * `OP_RETURN <data>` with the shortest push.
 *
 * @throws {@link CounterpartyError} `DATA_TOO_LONG` above 80 bytes, `INVALID_ARGUMENT` for
 *   empty or non-bytes data.
 */
export function opReturnScript(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array) || data.length === 0) {
    throw new CounterpartyError('INVALID_ARGUMENT', 'OP_RETURN data must be non-empty bytes');
  }
  if (data.length > MAX_OP_RETURN_DATA) {
    throw new CounterpartyError('DATA_TOO_LONG', `${data.length} bytes exceed 80`);
  }
  const push = data.length < OP_PUSHDATA1 ? [data.length] : [OP_PUSHDATA1, data.length];
  return concatBytes(Uint8Array.of(OP_RETURN, ...push), data);
}

/** True when a script starts with OP_RETURN. */
export function isOpReturn(script: Uint8Array): boolean {
  return script[0] === OP_RETURN;
}

/**
 * The data of an `OP_RETURN <one push>` script. Any push opcode is read (Counterparty does not
 * insist on the shortest), but the data may not exceed 80 bytes.
 *
 * @throws {@link CounterpartyError} `OP_RETURN_MALFORMED` or `DATA_TOO_LONG`.
 */
export function opReturnData(script: Uint8Array): Uint8Array {
  if (script[0] !== OP_RETURN || script.length < 2) {
    throw new CounterpartyError('OP_RETURN_MALFORMED', 'not OP_RETURN followed by a push');
  }
  const op = script[1]!;
  let start: number;
  let length: number;
  if (op <= 0x4b) {
    start = 2;
    length = op;
  } else if (op === OP_PUSHDATA1 && script.length >= 3) {
    start = 3;
    length = script[2]!;
  } else if (op === OP_PUSHDATA2 && script.length >= 4) {
    start = 4;
    length = script[2]! | (script[3]! << 8);
  } else if (op === OP_PUSHDATA4 && script.length >= 6) {
    start = 6;
    length = (script[2]! | (script[3]! << 8) | (script[4]! << 16) | (script[5]! << 24)) >>> 0;
  } else {
    throw new CounterpartyError('OP_RETURN_MALFORMED', 'OP_RETURN is not followed by a push');
  }
  if (script.length !== start + length) {
    throw new CounterpartyError('OP_RETURN_MALFORMED', 'OP_RETURN must hold exactly one push');
  }
  if (length > MAX_OP_RETURN_DATA) {
    throw new CounterpartyError('DATA_TOO_LONG', `${length} bytes exceed 80`);
  }
  return script.subarray(start);
}
