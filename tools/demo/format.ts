/** `3f2a9c…b1c0`: enough of a txid to tell transactions apart in a log. */
export function shortTxid(txid: string): string {
  return `${txid.slice(0, 6)}…${txid.slice(-4)}`;
}

/** `1,234,567 sat`. */
export function sats(value: bigint): string {
  const digits = (value < 0n ? -value : value).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0n ? '-' : ''}${grouped} sat`;
}

/** Right-aligns an amount in a column of `width` characters. */
export function satsColumn(value: bigint, width = 15): string {
  return sats(value).padStart(width);
}
