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

/**
 * A duration rounded for people: `850 ms`, `4.2 s`, `43 s`, `4 min 23 s`, `3 h 12 min`, `5 d 3 h`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'forever'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 9950) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  const m = Math.round(s / 60)
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  if (m < 48 * 60) return `${Math.floor(m / 60)} h ${m % 60} min`
  const h = Math.round(m / 60)
  return `${Math.floor(h / 24)} d ${h % 24} h`
}

/** A PoW value to three significant digits: `0.2`, `1.74`, `1740`. */
export function formatPow(pow: number): string {
  return String(Number(pow.toPrecision(3)))
}

/** Bytes as `123 B`, `12.3 KiB` or `1.23 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`
}
