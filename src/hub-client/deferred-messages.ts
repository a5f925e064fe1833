/**
 * Which of a client's queued channel messages may wait for its next request instead of a
 * request of their own.
 *
 * The client is the payee of its hub->client channel. Each commit the hub pays it with is
 * answered by the payee's next revoke hash, which the hub needs for its next commit and for
 * nothing else. The hub commits to a client only in that client's `hub_sync`, after it has
 * taken the messages the request carries; so a revoke hash sent with the client's next request
 * (a sync, a payment or a close) always arrives before the hub needs it, and a round of its own
 * would cost a request (a signature and a verify on each side, an HTTP exchange and a journal
 * transaction) for nothing.
 *
 * A revoke hash that never leaves (the process ends first) is not lost either: the payee
 * channel sends its newest outstanding hash again at every block, and once when a new process
 * starts its channels.
 */

/**
 * True when `text`, queued by this client for the hub, must be sent now: anything but a
 * `revoke-hash` of the hub->client channel `hubToClient`.
 */
export function mustSendNow(text: string, hubToClient: string): boolean {
  let message: { type?: unknown; channelId?: unknown };
  try {
    message = JSON.parse(text) as typeof message;
  } catch {
    // Not ours to judge: whatever it is goes now, as before.
    return true;
  }
  return !(message.type === 'revoke-hash' && message.channelId === hubToClient);
}
