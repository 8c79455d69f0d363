/**
 * Go's text/tabwriter as runc configures it for `list`
 * (minwidth 12, tabwidth 1, padding 3, padchar ' '): every tab-terminated cell
 * is padded to its column's width; the last cell of a line is not a column.
 */
export function tabwrite(rows: string[][], minWidth = 12, padding = 3): string {
  const widths: number[] = [];
  for (const row of rows)
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, Math.max(cell.length + padding, minWidth));
    });
  return rows
    .map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] as number) : cell)).join(''))
    .map((l) => `${l}\n`)
    .join('');
}
