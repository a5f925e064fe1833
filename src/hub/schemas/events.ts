import { type Static, Type } from '@sinclair/typebox';
import { Handle, Signature, described } from './common.js';
import { DeliveredPayment } from './sync.js';

/**
 * Query of `GET /events`: a subscription token signed by the connection's client key over
 * sha256 of the canonical JSON of `["picopayments-hub-events", hubId, handle, expiry]`.
 */
export const EventsQuery = Type.Object(
  {
    handle: Handle,
    expiry: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        'Unix time, seconds; the hub refuses a token past it or more than an hour ahead.',
    }),
    signature: Signature,
  },
  { additionalProperties: false, title: 'EventsQuery' },
);

/** `event: payment`: a payment queued for this connection; it is handed over on the next sync. */
export const PaymentEvent = Type.Object(
  { ...DeliveredPayment.properties, to: described(Handle, 'This connection.') },
  { title: 'PaymentEvent' },
);

/** Static type of {@link PaymentEvent}. */
export type PaymentEventJson = Static<typeof PaymentEvent>;
