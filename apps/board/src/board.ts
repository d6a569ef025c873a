/**
 * The board's data: the post format carried in envelope payloads, and the chain the posts make.
 * Pure functions, no I/O: the page and the tests share them.
 *
 * Every post names the envelope hash of the newest post its author had seen (`prev`), so posts
 * form a chain (a tree where two authors posted on the same head). Every board orders the posts
 * it holds the same way: by height in the chain, then by sent time, then by hash. A post whose
 * predecessor has not reached this node is a missing link: it is shown, and flagged.
 */

/** The topic name: the board's topic is the first 4 bytes of Keccak-256 of it (geth's convention). */
export const BOARD_TOPIC_NAME = 'hush-board'
/** `BOARD_TOPIC_NAME` as a topic. */
export const BOARD_TOPIC = '0x2a00272e'
/** The well-known password the board's symmetric key is derived from (`shh_generateSymKeyFromPassword`). */
export const BOARD_PASSWORD = 'hush-board'
/** The post format version this page writes and reads. */
const POST_VERSION = 1
/** Longest display name, in characters. */
export const MAX_NAME = 40
/** Longest post text, in characters. */
export const MAX_TEXT = 2000

/** A message as the node's RPC gives it (`shh_subscription`, `shh_getFilterMessages`, `hush_pooledMessages`). */
export interface RpcMessage {
  hash: string
  payload: string
  timestamp: number
  ttl: number
  topic: string
  pow: number
}

/** What an author writes: the payload of a post, as JSON `{ v: 1, name, text, prev }`. */
export interface PostBody {
  name: string
  text: string
  /** The envelope hash of the newest post the author had seen, or null for the first post. */
  prev: string | null
}

/** A readable post: its body and its envelope's hash, sent time (unix seconds) and PoW. */
export interface Post extends PostBody {
  hash: string
  sent: number
  pow: number
}

/** A post in chain order: its height (0 for the first post) and whether its predecessor is missing here. */
export interface ChainEntry {
  post: Post
  height: number
  missingLink: boolean
}

const HASH = /^0x[0-9a-f]{64}$/

/** The UTF-8 bytes of `text` as `0x` hex (a `shh_post` payload). */
export function encodePost(body: PostBody): string {
  const json = JSON.stringify({ v: POST_VERSION, name: body.name, text: body.text, prev: body.prev })
  let hex = '0x'
  for (const byte of new TextEncoder().encode(json)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/**
 * The post in an RPC message, or null when its payload is not a version-1 post (not hex, not
 * UTF-8, not JSON, a field missing or of the wrong type or length). Never throws.
 */
export function decodePost(message: RpcMessage): Post | null {
  if (typeof message !== 'object' || message === null || typeof message.hash !== 'string') return null
  const hex = message.payload
  if (typeof hex !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(hex)) return null
  const bytes = new Uint8Array((hex.length - 2) / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16)
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return null
  }
  if (typeof body !== 'object' || body === null) return null
  const { v, name, text, prev } = body as Record<string, unknown>
  if (v !== POST_VERSION) return null
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME) return null
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT) return null
  if (prev !== null && (typeof prev !== 'string' || !HASH.test(prev))) return null
  return { name, text, prev, hash: message.hash.toLowerCase(), sent: Number(message.timestamp), pow: Number(message.pow) }
}

/** Every post and unreadable message this page has seen, by envelope hash. */
export class Chain {
  readonly #posts = new Map<string, Post>()
  readonly #unreadable = new Set<string>()

  /** Adds a message (a repeat is ignored); returns false when it was already known. */
  add(message: RpcMessage): boolean {
    const hash = typeof message?.hash === 'string' ? message.hash.toLowerCase() : ''
    if (this.#posts.has(hash) || this.#unreadable.has(hash)) return false
    const post = decodePost(message)
    if (post === null) this.#unreadable.add(hash)
    else this.#posts.set(hash, post)
    return true
  }

  /** Messages on the board's topic and key that are not readable posts. */
  get unreadable(): number {
    return this.#unreadable.size
  }

  /** Readable posts. */
  get size(): number {
    return this.#posts.size
  }

  /** The posts in chain order: by height, then sent time, then hash. */
  entries(): ChainEntry[] {
    const heights = new Map<string, number>()
    const missing = new Set<string>()
    const height = (post: Post, depth: number): number => {
      const known = heights.get(post.hash)
      if (known !== undefined) return known
      const prev = post.prev === null ? undefined : this.#posts.get(post.prev)
      let h: number
      if (post.prev === null) h = 0
      else if (prev === undefined || depth > this.#posts.size) {
        missing.add(post.hash)
        h = 1
      } else h = height(prev, depth + 1) + 1
      heights.set(post.hash, h)
      return h
    }
    const entries = [...this.#posts.values()].map((post) => ({ post, height: height(post, 0) }))
    entries.sort((a, b) => a.height - b.height || a.post.sent - b.post.sent || (a.post.hash < b.post.hash ? -1 : a.post.hash > b.post.hash ? 1 : 0))
    return entries.map(({ post, height: h }) => ({ post, height: h, missingLink: missing.has(post.hash) }))
  }

  /** The hash of the newest post in chain order (what a new post names as `prev`), or null on an empty board. */
  head(): string | null {
    const entries = this.entries()
    return entries.length === 0 ? null : (entries[entries.length - 1] as ChainEntry).post.hash
  }
}
