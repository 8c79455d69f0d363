/**
 * Go's text/tabwriter (without flags), which docker prints every table and
 * the version page through: tab-terminated cells are padded to the width of
 * their column block (consecutive lines that have a cell in that column);
 * the last cell of a line is not part of any column.
 */
export interface TabOptions {
  minWidth: number;
  padding: number;
}

/** docker's table formatter: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export const tableTabs: TabOptions = { minWidth: 10, padding: 3 };

export function tabwrite(text: string, opts: TabOptions): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  let out = '';
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const line = lines[i] as string[];
      out += line.map((cell, j) => (j < widths.length && j < line.length - 1 ? cell.padEnd(widths[j] as number) : cell)).join('');
      if (i < lines.length - 1) out += '\n';
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= (lines[cur] as string[]).length - 1) continue;
      writeLines(line0, cur);
      line0 = cur;
      let width = opts.minWidth;
      for (; cur < line1; cur++) {
        const line = lines[cur] as string[];
        if (column >= line.length - 1) break;
        width = Math.max(width, (line[column] as string).length + opts.padding);
      }
      widths.push(width);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--; // the loop's cur++ must look at the line that ended the block again
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out;
}
