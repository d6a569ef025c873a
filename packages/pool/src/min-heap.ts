/**
 * A binary min-heap of numbers in a plain array: the seen cache's heap of expiry seconds.
 * `heap[0]` is the smallest.
 */

/** Pushes onto a binary min-heap of numbers. */
export function pushMin(heap: number[], value: number): void {
  let i = heap.length
  heap.push(value)
  while (i > 0) {
    const p = (i - 1) >> 1
    if (heap[p] <= value) break
    heap[i] = heap[p]
    i = p
  }
  heap[i] = value
}

/** Removes the smallest number of a binary min-heap. */
export function popMin(heap: number[]): void {
  const last = heap.pop() as number
  const n = heap.length
  if (n === 0) return
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    if (l >= n) break
    const c = l + 1 < n && heap[l + 1] < heap[l] ? l + 1 : l
    if (heap[c] >= last) break
    heap[i] = heap[c]
    i = c
  }
  heap[i] = last
}
