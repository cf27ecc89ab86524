// Reading kubectl's human output the way a learner reads it.

/** Splits `kubectl get` table output into the header's columns and one record per row. */
export function parseTable(stdout: string): { header: string[]; rows: Record<string, string>[]; lines: string[] } {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { header: [], rows: [], lines };
  const headerLine = lines[0]!;
  // Column starts are where the header's words start; cells are the text between them.
  const starts: number[] = [];
  const header: string[] = [];
  for (const m of headerLine.matchAll(/\S+/g)) {
    starts.push(m.index!);
    header.push(m[0]);
  }
  const rows = lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    header.forEach((h, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]! : line.length;
      row[h] = line.slice(starts[i], end).trim();
    });
    return row;
  });
  return { header, rows, lines };
}
