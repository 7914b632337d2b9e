/** counts[t][p]: how many test images of digit t the model took for digit p. */
export function confusionMatrix(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  classes: number,
): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predicted.length; i++) {
    const row = counts[truth[i] as number] as number[];
    const p = predicted[i] as number;
    row[p] = (row[p] as number) + 1;
  }
  return counts;
}

/** The matrix as a table: a row per true digit, a column per prediction, the diagonal being the hits. */
export function formatConfusion(counts: readonly (readonly number[])[]): string {
  const width = Math.max(4, ...counts.flat().map((n) => String(n).length + 1));
  const cell = (s: string | number) => String(s).padStart(width);
  const header = `${" ".repeat(6)}${counts.map((_, p) => cell(p)).join("")}`;
  const rows = counts.map((row, t) => `${String(t).padStart(5)} ${row.map(cell).join("")}`);
  return `Confusion matrix (rows: true digit, columns: predicted digit):\n${header}\n${rows.join("\n")}\n`;
}
