/**
 * A built web app served on the RPC's own port (`createRpcServer({ ui })`, `hush start --ui`), so
 * the page, its JSON-RPC calls and its WebSocket share one origin. Only files under the root are
 * served (GET and HEAD); a path without an extension that names no file gets `index.html`, as a
 * single-page app expects.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * What the page may load and call: its own files and its own origin only (the node's RPC and
 * WebSocket), nothing from elsewhere, and no framing by other sites.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/** The file a request path names under `root`, or `undefined` when it leaves the root. */
function filePath(root: string, urlPath: string): string | undefined {
  let path: string
  try {
    path = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  const file = resolve(join(root, path))
  return file === root || file.startsWith(root + sep) ? file : undefined
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false
  )
}

/** Answers a GET or HEAD for a file of the app under `root` (an absolute directory). */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string): Promise<void> {
  const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname
  let file = filePath(root, urlPath)
  if (file === undefined) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
    return void res.end('bad path\n')
  }
  if (!(await isFile(file))) {
    // A directory, or a route of the app: its index page. A missing asset: 404.
    if (extname(file) !== '' && !(await stat(file).then((s) => s.isDirectory(), () => false))) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      return void res.end('not found\n')
    }
    file = join(root, 'index.html')
    if (!(await isFile(file))) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      return void res.end('no index.html in the app directory\n')
    }
  }
  const { size } = await stat(file)
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(size),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
  })
  if (req.method === 'HEAD') return void res.end()
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(file)
    stream.once('error', fail)
    res.once('close', () => {
      stream.destroy()
      done()
    })
    stream.pipe(res)
  })
}

/**
 * The origins a page served by this server has (the loopback names of its port, and the bound
 * address): allowed to call, as the page's own. Not any `Host` the request claims, which a
 * DNS-rebinding page controls.
 */
export function ownOrigins(boundHost: string, port: number): string[] {
  const host = boundHost.includes(':') ? `[${boundHost}]` : boundHost
  return [...new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`, `http://${host}:${port}`])]
}
