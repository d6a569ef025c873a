/**
 * Base64url without padding (RFC 4648 §5), strict: the text forms of invitations
 * (docs/SESSION.md §4.2). Written here rather than taken from `Buffer`, which is Node-only and
 * skips characters outside the alphabet instead of refusing them.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1)
  for (let i = 0; i < ALPHABET.length; i++) values[ALPHABET.charCodeAt(i)] = i
  return values
})()

/** `bytes` in base64url without padding. */
export function toBase64url(bytes: Uint8Array): string {
  let out = ''
  let acc = 0
  let bits = 0
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 6) {
      bits -= 6
      out += ALPHABET[(acc >> bits) & 63]
    }
    acc &= (1 << bits) - 1
  }
  if (bits > 0) out += ALPHABET[(acc << (6 - bits)) & 63]
  return out
}

/**
 * The bytes of `text` (base64url without padding), or `undefined` when it holds a character
 * outside the alphabet, has an impossible length (1 mod 4), or non-zero trailing bits (a
 * non-canonical encoding).
 */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((text.length * 6) / 8))
  let acc = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const v = code < 128 ? VALUES[code] : -1
    if (v < 0) return undefined
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
    }
    acc &= (1 << bits) - 1
  }
  return acc === 0 ? out : undefined
}
