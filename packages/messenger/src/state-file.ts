/**
 * `messenger.state` (docs/SESSION.md §21.3): which friend each conversation and invitation is
 * with, the requests not answered yet, the ids of requests already seen, and when the request
 * topic was last caught up. Encrypted under the account's state key, written atomically:
 *
 * ```
 * "HUSHMSG1"(8) ‖ nonce(12) ‖ AES-256-GCM(stateKey, nonce, aad = "HUSHMSG1", JSON) ‖ tag(16)
 * ```
 */
import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '@hush/session'
import { gcm } from '@noble/ciphers/aes.js'
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js'

/** One conversation or invitation, by id. */
export interface ConversationRecord {
  /** The other person's account public key (`0x` hex). */
  readonly friend: string
  /** `opener`: we invited (the inviter of §4); `accepter`: we joined their invitation. */
  readonly role: 'opener' | 'accepter'
  readonly createdAtMs: number
  /** The opener's invitation URI, while no one has joined it. */
  uri?: string
}

/** A request waiting for the user (§21.1). */
interface RequestRecord {
  /** The signer's public key (`0x` hex). */
  readonly from: string
  readonly uri: string
  readonly receivedAtMs: number
  /** When the invitation expires (unix ms); the request goes then. */
  readonly expiresAtMs: number
}

/** The whole file. */
export interface MessengerState {
  conversations: Record<string, ConversationRecord>
  requests: Record<string, RequestRecord>
  /** Request ids already handled → when they may be forgotten (unix ms, the invitation's expiry). */
  seen: Record<string, number>
  /** Up to when the request topic was caught up from a mail server (unix ms); 0 = never. */
  caughtUpMs: number
}

const MAGIC = utf8ToBytes('HUSHMSG1')
const NONCE_BYTES = 12

/** An empty state. */
function emptyState(): MessengerState {
  return { conversations: {}, requests: {}, seen: {}, caughtUpMs: 0 }
}

/**
 * Reads the state at `path` (an empty one when there is no file).
 * @throws {Error} when the file is not a messenger state under this key
 */
export async function loadState(path: string, stateKey: Uint8Array): Promise<MessengerState> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState()
    throw err
  }
  if (bytes.length < MAGIC.length + NONCE_BYTES + 16 || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${path} is not a messenger state file`)
  const nonce = bytes.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES)
  const plaintext = gcm(stateKey, nonce, MAGIC).decrypt(bytes.subarray(MAGIC.length + NONCE_BYTES))
  const value = JSON.parse(new TextDecoder().decode(plaintext)) as MessengerState
  plaintext.fill(0)
  return { ...emptyState(), ...value }
}

/** Encrypts and writes the state atomically. */
export async function saveState(path: string, stateKey: Uint8Array, state: MessengerState): Promise<void> {
  const nonce = randomBytes(NONCE_BYTES)
  const plaintext = utf8ToBytes(JSON.stringify(state))
  const sealed = gcm(stateKey, nonce, MAGIC).encrypt(plaintext)
  plaintext.fill(0)
  const out = new Uint8Array(MAGIC.length + NONCE_BYTES + sealed.length)
  out.set(MAGIC, 0)
  out.set(nonce, MAGIC.length)
  out.set(sealed, MAGIC.length + NONCE_BYTES)
  await writeFileAtomic(path, out)
}
