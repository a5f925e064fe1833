/** Terms of one asset as published in the hub's status. */
export interface AssetTerms {
  readonly depositMin: bigint;
  readonly depositMax: bigint;
  readonly depositRatioPercent: number;
  readonly expireMin: number;
  readonly expireMax: number;
  readonly delayMin: number;
  readonly delayMax: number;
  readonly paymentFee: bigint;
}

/** The hub's public status. */
export interface HubStatus {
  readonly hubId: string;
  readonly hubPublicKey: string;
  readonly network: string;
  readonly height: number;
  readonly terms: Readonly<Record<string, AssetTerms>>;
}

/** A new connection. */
export interface ConnectionInfo {
  readonly handle: string;
  readonly asset: string;
  readonly clientToHubChannel: string;
  readonly hubToClientChannel: string;
  readonly deposit: bigint;
  readonly hubDeposit: bigint;
}

/** A payment the hub accepted and queued for the payee. */
export interface PaymentReceipt {
  readonly token: string;
  readonly from: string;
  readonly to: string;
  readonly amount: bigint;
}

/** What one connection's sync did. */
export interface SyncResult {
  readonly handle: string;
  /** Payments handed to this connection in this sync. */
  readonly received: readonly { token: string; from: string; amount: bigint; memo?: string }[];
  readonly messagesSent: number;
  readonly messagesReceived: number;
}

/** One connection as the client sees it. */
export interface ConnectionStatus {
  readonly handle: string;
  readonly asset: string;
  readonly state: string;
  /** Cumulative sent to the hub on the client->hub channel. */
  readonly sent: bigint;
  /** Cumulative received from the hub on the hub->client channel. */
  readonly received: bigint;
  readonly deposit: bigint;
  readonly hubDeposit: bigint;
  readonly balance: bigint;
  readonly blocksUntilExpiry: number | null;
  readonly closed: boolean;
}

/** A payment in the client's history. */
export interface PaymentRecord {
  readonly token: string;
  readonly handle: string;
  readonly direction: 'sent' | 'received';
  readonly counterparty: string;
  readonly amount: bigint;
  readonly memo?: string;
  readonly state: 'queued' | 'delivered' | 'cancelled';
}
