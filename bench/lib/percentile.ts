/**
 * The `p` quantile (0 to 1) of ascending `sorted` values, nearest rank below; `NaN` when empty.
 * @example percentile([1, 2, 3, 4], 0.5) // 3
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}
