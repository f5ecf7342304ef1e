/** A mean score with its 95% interval. */
export interface MeanScore {
  mean: number;
  lower: number;
  upper: number;
  count: number;
}

/**
 * The mean of scores on a bounded scale with a 95% interval (normal approximation with the
 * sample's spread), clipped to the scale. One score says nothing about the spread: its interval
 * is the whole scale. No scores gives NaN.
 */
export function meanInterval(scores: readonly number[], min: number, max: number): MeanScore {
  const count = scores.length;
  if (count === 0) return { mean: NaN, lower: min, upper: max, count };
  const mean = scores.reduce((sum, score) => sum + score, 0) / count;
  if (count === 1) return { mean, lower: min, upper: max, count };
  const variance = scores.reduce((sum, score) => sum + (score - mean) ** 2, 0) / (count - 1);
  const half = 1.959963984540054 * Math.sqrt(variance / count);
  return { mean, lower: Math.max(min, mean - half), upper: Math.min(max, mean + half), count };
}
