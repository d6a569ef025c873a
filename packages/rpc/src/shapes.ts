/**
 * Codecs for geth's shh JSON objects (spec §8.2 `NewMessage`, §8.3 `Criteria`, §6.3 `Message`,
 * §8.1 `Info`) to and from the node's types. Pure functions: decoders throw `InvalidParamsError`
 * for values that do not decode (−32602); semantic checks (unknown keys, invalid public keys)
 * stay with the node, as in geth.
 */
import type { ShhCriteria, ShhInfo, ShhMessage, ShhPostParams } from './shh-api.ts'
import { InvalidParamsError } from './errors.ts'
import { bytesToHex, hexToBytes, parseBool, parseFloat64, parseString, parseUint32 } from './hex.ts'

const TOPIC_LENGTH_BYTES = 4

/** geth's RPC `Message` (spec §6.3): hex fields `0x`-prefixed lowercase; `sig` and `recipientPublicKey` omitted when absent. */
export interface RpcMessage {
  /** The signer's 65-byte public key; omitted when unsigned. */
  sig?: string
  /** Envelope TTL in seconds. */
  ttl: number
  /** Sent time (expiry − TTL), unix seconds. */
  timestamp: number
  /** The 4-byte topic. */
  topic: string
  /** The application bytes. */
  payload: string
  /** The padding bytes. */
  padding: string
  /** The envelope's PoW. */
  pow: number
  /** The 32-byte envelope hash. */
  hash: string
  /** The decrypting identity's 65-byte public key; omitted for symmetric messages. */
  recipientPublicKey?: string
}

/** geth's `shh_info` result (spec §8.1). */
export interface RpcInfo {
  /** Bytes of pooled envelopes. */
  memory: number
  /** Envelopes in the pool (geth: envelopes waiting for delivery; Hush delivers synchronously). */
  messages: number
  /** The node's minimum PoW. */
  minPow: number
  /** The node's largest accepted envelope, in bytes. */
  maxMessageSize: number
}

function asObject(value: unknown, label: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidParamsError(`invalid ${label}: expected an object`)
  }
  return value as Record<string, unknown>
}

/** A field counts as absent when missing or null (Go leaves the zero value). */
function field(obj: Record<string, unknown>, key: string): unknown {
  const value = obj[key]
  return value === null ? undefined : value
}

/** An id field: absent, null and "" all mean "not set" (geth tests `len(id) > 0`). */
function optionalId(obj: Record<string, unknown>, key: string, label: string): string | undefined {
  const value = field(obj, key)
  if (value === undefined) return undefined
  const id = parseString(value, `${label}: ${key}`)
  return id === '' ? undefined : id
}

/**
 * Decodes a `NewMessage` (shh_post) into {@link ShhPostParams}. Exactly-one-key and topic rules
 * are checked by the caller, which answers them with geth's text.
 * @param value - the JSON object
 * @param label - names the argument in errors, e.g. `argument 0`
 * @throws {InvalidParamsError} when a field does not decode
 */
export function parseNewMessage(value: unknown, label: string): ShhPostParams {
  const obj = asObject(value, label)
  const at = (key: string): string => `${label}: ${key}`
  const symKeyID = optionalId(obj, 'symKeyID', label)
  const sig = optionalId(obj, 'sig', label)
  const targetPeer = optionalId(obj, 'targetPeer', label)
  const pubKey = field(obj, 'pubKey')
  const ttl = field(obj, 'ttl')
  const topic = field(obj, 'topic')
  const payload = field(obj, 'payload')
  const padding = field(obj, 'padding')
  const powTime = field(obj, 'powTime')
  const powTarget = field(obj, 'powTarget')
  const params: ShhPostParams = { payload: payload === undefined ? new Uint8Array(0) : hexToBytes(payload, at('payload')) }
  if (symKeyID !== undefined) params.symKeyID = symKeyID
  if (sig !== undefined) params.sig = sig
  if (targetPeer !== undefined) params.targetPeer = targetPeer
  if (pubKey !== undefined) {
    const bytes = hexToBytes(pubKey, at('pubKey'))
    if (bytes.length > 0) params.pubKey = bytes
  }
  // geth: a TTL of 0 means the default (50 s).
  if (ttl !== undefined && parseUint32(ttl, at('ttl')) > 0) params.ttl = ttl as number
  if (topic !== undefined) params.topic = hexToBytes(topic, at('topic'), TOPIC_LENGTH_BYTES)
  if (padding !== undefined) {
    const bytes = hexToBytes(padding, at('padding'))
    if (bytes.length > 0) params.padding = bytes
  }
  if (powTime !== undefined && parseUint32(powTime, at('powTime')) > 0) params.powTime = powTime as number
  if (powTarget !== undefined) params.powTarget = parseFloat64(powTarget, at('powTarget'))
  return params
}

/**
 * Decodes a `Criteria` (shh_newMessageFilter, shh_subscribe) into {@link ShhCriteria}.
 * @throws {InvalidParamsError} when a field does not decode
 */
export function parseCriteria(value: unknown, label: string): ShhCriteria {
  const obj = asObject(value, label)
  const at = (key: string): string => `${label}: ${key}`
  const criteria: ShhCriteria = {}
  const symKeyID = optionalId(obj, 'symKeyID', label)
  const privateKeyID = optionalId(obj, 'privateKeyID', label)
  if (symKeyID !== undefined) criteria.symKeyID = symKeyID
  if (privateKeyID !== undefined) criteria.privateKeyID = privateKeyID
  const sig = field(obj, 'sig')
  if (sig !== undefined) {
    const bytes = hexToBytes(sig, at('sig'))
    if (bytes.length > 0) criteria.sig = bytes
  }
  const minPow = field(obj, 'minPow')
  if (minPow !== undefined) criteria.minPow = parseFloat64(minPow, at('minPow'))
  const topics = field(obj, 'topics')
  if (topics !== undefined) {
    if (!Array.isArray(topics)) throw new InvalidParamsError(`invalid ${at('topics')}: expected an array`)
    criteria.topics = topics.map((t, i) => hexToBytes(t, `${at('topics')}[${i}]`, TOPIC_LENGTH_BYTES))
  }
  const allowP2P = field(obj, 'allowP2P')
  if (allowP2P !== undefined) criteria.allowP2P = parseBool(allowP2P, at('allowP2P'))
  return criteria
}

/**
 * Encodes a received message as geth's RPC `Message`, keys in geth's order.
 * @example
 * ```ts
 * formatMessage(message).payload // '0x68656c6c6f'
 * ```
 */
export function formatMessage(message: ShhMessage): RpcMessage {
  const out: RpcMessage = {
    ...(message.senderPublicKey !== undefined && { sig: bytesToHex(message.senderPublicKey) }),
    ttl: message.ttl,
    timestamp: message.timestamp,
    topic: bytesToHex(message.topic),
    payload: bytesToHex(message.payload),
    padding: bytesToHex(message.padding),
    pow: message.pow,
    hash: bytesToHex(message.hash),
  }
  if (message.recipientPublicKey !== undefined) out.recipientPublicKey = bytesToHex(message.recipientPublicKey)
  return out
}

/**
 * Maps the node's `info()` to geth's `shh_info`. `messages` is the pool's envelope count: Hush
 * delivers to filters synchronously, so it has no delivery queue to report as geth does.
 */
export function formatInfo(info: ShhInfo): RpcInfo {
  return { memory: info.memory, messages: info.envelopes, minPow: info.minPow, maxMessageSize: info.maxMessageSize }
}
