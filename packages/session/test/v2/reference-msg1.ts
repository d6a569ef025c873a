/**
 * An independent msg1 writer (docs/SESSION.md §5.1–5.2) on node:crypto alone (SHA-256, HKDF,
 * AES-GCM, X25519 through DER), taking every DH output as an input: the handshake tests use it to
 * cross-check the code, to forge (deniability), and to build the hostile cases.
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto'
import { type Invitation, invitationBody } from '../../src/v2/invitation.ts'
import type { X25519KeyPair } from '../../src/v2/x25519.ts'
import { testRandom } from './test-rng.ts'

const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI = Buffer.from('302a300506032b656e032100', 'hex')
const privateKeyObject = (priv: Uint8Array) => createPrivateKey({ key: Buffer.concat([PKCS8, priv]), format: 'der', type: 'pkcs8' })
/** X25519 on node:crypto. */
export const dh = (priv: Uint8Array, pub: Uint8Array): Buffer =>
  diffieHellman({ privateKey: privateKeyObject(priv), publicKey: createPublicKey({ key: Buffer.concat([SPKI, pub]), format: 'der', type: 'spki' }) })
/** The X25519 public key of `priv`, on node:crypto. */
export const publicOf = (priv: Uint8Array): Buffer => createPublicKey(privateKeyObject(priv)).export({ format: 'der', type: 'spki' }).subarray(12)
/** SHA-256 of the parts, concatenated. */
export const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}
const hkdf = (salt: Uint8Array, ikm: Uint8Array, info: string, length: number): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, info, length))
const NONCE_0 = Buffer.alloc(12)
const gcmSeal = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Buffer => {
  const c = createCipheriv('aes-256-gcm', key, nonce)
  c.setAAD(aad)
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()])
}
/** AES-256-GCM open (`undefined` when the tag does not verify). */
export const gcmOpen = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | undefined => {
  const d = createDecipheriv('aes-256-gcm', key, nonce)
  d.setAAD(aad)
  d.setAuthTag(sealed.subarray(sealed.length - 16))
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()])
  } catch {
    return undefined
  }
}
const mix = (ck: Uint8Array, ikm: Uint8Array): [Buffer, Buffer] => {
  const okm = hkdf(ck, ikm, 'hush/session/v2/mix-key', 64)
  return [okm.subarray(0, 32), okm.subarray(32)]
}
/** `k_rdv` of an invitation body (§3). */
export const rendezvous = (body: Uint8Array): Buffer => hkdf(Buffer.alloc(32), body, 'hush/session/v2/rendezvous', 32)

/** `h` after the pre-messages and `e`: the prologue of §5.1 steps 2–3. */
function transcriptAfterE(invitation: Invitation, ePub: Uint8Array): Buffer {
  const h0 = sha(Buffer.from('hush/session/v2/handshake'))
  return sha(sha(sha(sha(h0, invitationBody(invitation)), invitation.staticKey), invitation.oneTimeKey), ePub)
}

/** What the writer takes: every DH output is an input, so a test can put in any it likes. */
interface ReferenceInput {
  invitation: Invitation
  ePub: Uint8Array
  es: Uint8Array
  ei: Uint8Array
  sAPub: Uint8Array
  /** `DH(S_A, S_B)`; without it `c_p` is random bytes. */
  ss?: Uint8Array | undefined
  /** The init frame sealed in `c_p`. */
  frame: Uint8Array
  outerPlain?: Uint8Array
  nonce: Uint8Array
}

/** msg1 per §5.1–5.2, and the Split output (160 bytes) and AD, from node:crypto alone. */
export function referenceMessage1(p: ReferenceInput): { msg1: Buffer; split: Buffer; ad: Buffer } {
  let h = transcriptAfterE(p.invitation, p.ePub)
  let ck: Buffer = sha(Buffer.from('hush/session/v2/handshake'))
  let k: Buffer
  ;[ck, k] = mix(ck, p.es)
  ;[ck, k] = mix(ck, p.ei)
  const cs = gcmSeal(k, NONCE_0, h, p.sAPub)
  h = sha(h, cs)
  let cp: Buffer
  if (p.ss === undefined) cp = Buffer.from(testRandom()(224))
  else {
    ;[ck, k] = mix(ck, p.ss)
    cp = gcmSeal(k, NONCE_0, h, p.frame)
    h = sha(h, cp)
  }
  const outerPlain = p.outerPlain ?? Buffer.concat([p.ePub, Buffer.alloc(8)])
  const outer = Buffer.concat([gcmSeal(rendezvous(invitationBody(p.invitation)), p.nonce, Buffer.alloc(0), outerPlain), p.nonce])
  return { msg1: Buffer.concat([outer, cs, cp]), split: hkdf(ck, Buffer.alloc(0), 'hush/session/v2/split', 160), ad: h }
}

/** The honest joiner's input to {@link referenceMessage1}: every DH output from A's private keys `e_A` and `S_A`. */
export function joinerInput(invitation: Invitation, e: X25519KeyPair, staticA: X25519KeyPair, nonce: Uint8Array, frame: Uint8Array): ReferenceInput {
  return {
    invitation,
    ePub: e.publicKey,
    es: dh(e.privateKey, invitation.staticKey),
    ei: dh(e.privateKey, invitation.oneTimeKey),
    sAPub: staticA.publicKey,
    ss: dh(staticA.privateKey, invitation.staticKey),
    frame,
    nonce,
  }
}

/** An attacker's attempt at `c_s`: the DH outputs it can compute, mixed in order. */
export function tryOpenStatic(invitation: Invitation, msg1: Uint8Array, dhs: Uint8Array[]): Buffer | undefined {
  const ePub = gcmOpen(rendezvous(invitationBody(invitation)), msg1.subarray(56, 68), Buffer.alloc(0), msg1.subarray(0, 56))?.subarray(0, 32)
  if (ePub === undefined) return undefined
  let ck: Buffer = sha(Buffer.from('hush/session/v2/handshake'))
  let k: Buffer = Buffer.alloc(32)
  for (const d of dhs) [ck, k] = mix(ck, d)
  return gcmOpen(k, NONCE_0, transcriptAfterE(invitation, ePub), msg1.subarray(68, 116))
}
