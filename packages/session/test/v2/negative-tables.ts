/** The error `name` that `fn` throws, or 'none': negative tables assert on the name (house style 3.8). */
export function thrownName(fn: () => unknown): string {
  try {
    fn()
    return 'none'
  } catch (err) {
    return (err as Error).name
  }
}
