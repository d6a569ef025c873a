/**
 * The request (docs/SESSION.md §21.1): a v2 invitation sent to a friend's account key as a
 * standard Whisper asymmetric message, signed with the opener's account key.
 *
 * ```
 * data = ECIES(recipient public key, flags ‖ size ‖ JSON ‖ padding ‖ signature)
 * JSON = {"v":1,"to":"0x<recipient public key>","invite":"hush:invite?d=…"}
 * ```
 */
import { decryptAsymmetric, encryptAsymmetric, unwrapPayload, wrapPayload } from '@hush/envelope'
import { type Invitation, parseInvitation } from '@hush/session'
import { bytesToHex } from '@noble/hashes/utils.js'
import { REQUEST_VERSION } from './constants.ts'

/** A request that opened, is signed, names us, and holds a valid invitation. */
export interface OpenedRequest {
  /** The signer's public key (65 bytes): who invites. */
  readonly from: Uint8Array
  /** The invitation URI. */
  readonly invite: string
  /** The invitation, parsed. */
  readonly invitation: Invitation
}

/** `0x` and lowercase hex. */
export function keyToHex(key: Uint8Array): string {
  return `0x${bytesToHex(key)}`
}

/**
 * The envelope data of a request from `signingKey` to `to` carrying `invite`.
 * @throws {RangeError} when a key is not valid
 */
export function sealRequest(init: { readonly to: Uint8Array; readonly invite: string; readonly signingKey: Uint8Array }): Uint8Array {
  const json = JSON.stringify({ v: REQUEST_VERSION, to: keyToHex(init.to), invite: init.invite })
  const plaintext = wrapPayload({ payload: new TextEncoder().encode(json), signingKey: init.signingKey })
  return encryptAsymmetric(plaintext, init.to)
}

/**
 * Opens envelope data from the request topic with our account keys. Returns `undefined` for
 * anything that is not a request to us: not ours to decrypt, unsigned, malformed, addressed to
 * someone else (a forwarded request, §21.2), or an invitation that is invalid or expires within
 * the joiner's 60 s margin.
 */
export function openRequest(data: Uint8Array, own: { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }, nowMs: number): OpenedRequest | undefined {
  let text: string
  let from: Uint8Array | undefined
  try {
    const unwrapped = unwrapPayload(decryptAsymmetric(data, own.privateKey))
    from = unwrapped.senderPublicKey
    text = new TextDecoder('utf-8', { fatal: true }).decode(unwrapped.payload)
  } catch {
    return undefined
  }
  if (from === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  const obj = value as { v?: unknown; to?: unknown; invite?: unknown }
  if (typeof obj !== 'object' || obj === null || obj.v !== REQUEST_VERSION || obj.to !== keyToHex(own.publicKey) || typeof obj.invite !== 'string') return undefined
  try {
    return { from, invite: obj.invite, invitation: parseInvitation(obj.invite, nowMs) }
  } catch {
    return undefined
  }
}
