/**
 * Request checks shared by HTTP and the WebSocket upgrade: the bearer token and the browser
 * `Origin`. Pure functions over header values.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/**
 * Whether an `Authorization` header carries `Bearer <token>`. Compares digests in constant time.
 * With no token configured every request passes.
 */
export function isAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true
  if (header === undefined) return false
  const match = /^Bearer +(.+)$/i.exec(header.trim())
  if (match === null) return false
  return timingSafeEqual(digest(match[1]), digest(token))
}

/**
 * Whether a request's `Origin` may use the server. Clients outside a browser send none and pass;
 * a browser page must be listed, which keeps other web pages (and DNS-rebinding pages) from
 * calling a loopback node.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true
  return allowed.includes('*') || allowed.includes(origin)
}
