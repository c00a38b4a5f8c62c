/** Small statistics for benchmarks: they print figures, they never assert them. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function formatMs(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/** Times one async step in milliseconds. */
export async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await step();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}
