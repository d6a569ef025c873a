/** The pure-TypeScript crypto backend: @noble/hashes, @noble/ciphers and @noble/secp256k1. */
import { ctr, gcm } from '@noble/ciphers/aes.js'
import { hmac } from '@noble/hashes/hmac.js'
import { pbkdf2, pbkdf2Async } from '@noble/hashes/pbkdf2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { getSharedSecret } from '@noble/secp256k1'
import type { CryptoBackend } from './backend.ts'

/** The noble backend: pure TypeScript, identical output on every runtime. */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  sha256: (data) => sha256(data),
  hmacSha256: (key, data) => hmac(sha256, key, data),
  aes128Ctr: (key, iv, data) => ctr(key, iv).encrypt(data),
  aes256GcmEncrypt: (key, nonce, plaintext) => gcm(key, nonce).encrypt(plaintext),
  aes256GcmDecrypt(key, nonce, sealed) {
    try {
      return gcm(key, nonce).decrypt(sealed)
    } catch {
      return undefined
    }
  },
  ecdhX(privateKey, publicKey) {
    try {
      // getSharedSecret gives the compressed point 0x02/0x03 ‖ X (deps.md §5): keep X.
      return getSharedSecret(privateKey, publicKey).subarray(1)
    } catch {
      return undefined
    }
  },
  pbkdf2Sha256: (password, salt, iterations, lengthBytes) =>
    pbkdf2(sha256, password, salt, { c: iterations, dkLen: lengthBytes }),
  // noble yields to the event loop (setTimeout 0 or scheduler.yield) every 10 ms of work.
  pbkdf2Sha256Async: (password, salt, iterations, lengthBytes) =>
    pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: lengthBytes }),
}
