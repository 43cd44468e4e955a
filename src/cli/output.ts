/** `--output table|json`: aligned columns for people, one JSON document for programs. */
export type OutputFormat = 'table' | 'json';

export function printTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
): void {
  if (rows.length === 0) {
    console.log('(none)');
    return;
  }
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((line) => (line[i] as string).length)));
  const line = (values: readonly string[]): string =>
    values.map((value, i) => value.padEnd(widths[i] as number)).join('  ').trimEnd();
  console.log(line(columns.map((column) => column.toUpperCase())));
  for (const row of cells) console.log(line(row));
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${String(v)}`).join(',');
  }
  return String(value);
}

/** proto-loader's virtual oneof fields (`_weight`) are not data: left out. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value,
    (key, item: unknown) => (key.startsWith('_') ? undefined : item), 2));
}

export function print(format: OutputFormat, value: unknown, table: () => void): void {
  if (format === 'json') printJson(value);
  else table();
}
