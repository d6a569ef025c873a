/**
 * The Node.js crypto backend: `node:crypto` (OpenSSL) for SHA-256, HMAC, AES-128-CTR,
 * AES-256-GCM, PBKDF2 (sync, and async on libuv's thread pool) and secp256k1 ECDH, each measured faster than noble on Node 20
 * (bench/README.md).
 *
 * `node:crypto` is reached through `process.getBuiltinModule` (Node ≥ 20.16, Deno, Bun) rather
 * than an `import` statement, so this module loads in browsers and bundlers need neither a
 * polyfill nor an alias; there the lookup finds nothing and {@link getNodeBackend} returns
 * `undefined`. The type import below is erased on emit.
 */
import type * as NodeCrypto from 'node:crypto'
import type { CryptoBackend } from './backend.ts'

type NodeCryptoModule = typeof NodeCrypto

/** A plain Uint8Array over `buf`, copied when `buf` is a slice of a larger (possibly pooled) buffer. */
function toBytes(buf: Uint8Array): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) {
    return new Uint8Array(buf.buffer, 0, buf.byteLength)
  }
  return new Uint8Array(buf)
}

function createNodeBackend(c: NodeCryptoModule): CryptoBackend {
  return {
    name: 'node',
    sha256: (data) => toBytes(c.createHash('sha256').update(data).digest()),
    hmacSha256: (key, data) => toBytes(c.createHmac('sha256', key).update(data).digest()),
    aes128Ctr(key, iv, data) {
      // CTR has no final block: update() returns all of it.
      return toBytes(c.createCipheriv('aes-128-ctr', key, iv).update(data))
    },
    aes256GcmEncrypt(key, nonce, plaintext) {
      const cipher = c.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 })
      const out = new Uint8Array(plaintext.length + 16)
      out.set(cipher.update(plaintext), 0)
      cipher.final()
      out.set(cipher.getAuthTag(), plaintext.length)
      return out
    },
    aes256GcmDecrypt(key, nonce, sealed) {
      if (sealed.length < 16) return undefined
      const end = sealed.length - 16
      const decipher = c.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 })
      decipher.setAuthTag(sealed.subarray(end))
      const out = decipher.update(sealed.subarray(0, end))
      try {
        decipher.final()
      } catch {
        return undefined
      }
      return toBytes(out)
    },
    ecdhX(privateKey, publicKey) {
      const ecdh = c.createECDH('secp256k1')
      ecdh.setPrivateKey(privateKey)
      try {
        return toBytes(ecdh.computeSecret(publicKey))
      } catch {
        return undefined
      }
    },
    pbkdf2Sha256: (password, salt, iterations, lengthBytes) =>
      toBytes(c.pbkdf2Sync(password, salt, iterations, lengthBytes, 'sha256')),
    pbkdf2Sha256Async: (password, salt, iterations, lengthBytes) =>
      // Runs on libuv's thread pool: the event loop keeps turning while OpenSSL works.
      new Promise((resolve, reject) => {
        c.pbkdf2(password, salt, iterations, lengthBytes, 'sha256', (error, key) => (error === null ? resolve(toBytes(key)) : reject(error)))
      }),
  }
}

function loadNodeCrypto(): NodeCryptoModule | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCryptoModule | undefined
  // OpenSSL builds without secp256k1 exist (FIPS); then noble keeps the whole job.
  if (mod === undefined || !mod.getCurves().includes('secp256k1')) return undefined
  return mod
}

let cached: CryptoBackend | null | undefined

/**
 * The Node backend, or `undefined` when `node:crypto` is not reachable (browsers) or lacks
 * secp256k1. Created once.
 */
export function getNodeBackend(): CryptoBackend | undefined {
  if (cached === undefined) {
    const mod = loadNodeCrypto()
    cached = mod === undefined ? null : createNodeBackend(mod)
  }
  return cached ?? undefined
}
