/** Small byte helpers for the node (public data only: not constant-time). */

/** Whether two byte arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A compact map key for a 32-byte hash: its lowercase hex. */
export function hashKey(hash: Uint8Array): string {
  let out = ''
  for (let i = 0; i < hash.length; i++) out += HEX[hash[i]]
  return out
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
