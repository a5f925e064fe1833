/** JSON text of `value` with bigints as decimal strings and byte arrays as hex: the `--json` schema. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) =>
      typeof v === 'bigint'
        ? v.toString()
        : v instanceof Uint8Array
          ? Buffer.from(v).toString('hex')
          : v,
    2,
  );
}

/** A table: column headings and rows of cells, all text. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Columns aligned right (amounts). */
  readonly right?: readonly number[];
}

/** Aligned plain-text table, two spaces between columns, no trailing spaces. */
export function renderTable(table: Table): string {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        table.right?.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [line(table.columns), ...table.rows.map(line)].join('\n');
}

/** A two-column key/value table for single results. */
export function renderFields(fields: Readonly<Record<string, string>>): string {
  return renderTable({ columns: ['FIELD', 'VALUE'], rows: Object.entries(fields) });
}
