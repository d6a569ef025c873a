/** Terminal output helpers: hex, short ids, a progress bar. */

/** `0x`-prefixed lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`
}

/** Bytes from `0x`-prefixed (or bare) hex. @throws {TypeError} naming `label` */
export function fromHex(hex: string, label: string): Uint8Array {
  const body = hex.startsWith('0x') ? hex.slice(2) : hex
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new TypeError(`${label} must be hex, got ${JSON.stringify(hex)}`)
  return Uint8Array.from(Buffer.from(body, 'hex'))
}

/** The first and last few hex digits of long bytes, for logs. */
export function shortHex(bytes: Uint8Array, chars = 8): string {
  const hex = Buffer.from(bytes).toString('hex')
  return hex.length <= chars * 2 ? hex : `${hex.slice(0, chars)}…${hex.slice(-4)}`
}

/** A text progress bar: `[#####-----] 50%`. */
export function progressBar(fraction: number, width = 24): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0))
  const full = Math.round(f * width)
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${Math.round(f * 100)
    .toString()
    .padStart(3)}%`
}

/** Milliseconds as `12.3 ms` or `1.23 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`
}

/** Bytes as `123 B`, `12.3 KiB` or `1.23 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`
}
