/*
 * createRpcServer({ ui }): a built app served on the RPC's port, one origin for the page, its
 * calls and its WebSocket; nothing outside the app directory; other origins still refused.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type RpcServer, createRpcServer } from '../src/server.ts'
import { ownOrigins } from '../src/static-files.ts'
import { fakeShh } from './fixtures/fake-shh.ts'

/** A raw GET (fetch would normalise `..` away), resolved with the status, headers and body. */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('createRpcServer with ui', () => {
  let root = ''
  let outside = ''
  let server: RpcServer
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hush-ui-'))
    root = join(dir, 'app')
    outside = dir
    await mkdir(join(root, 'assets'), { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html><title>board</title>')
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(join(dir, 'secret.txt'), 'outside the app')
    server = await createRpcServer({ shh: fakeShh(), port: 0, ui: { root } })
  })
  afterAll(async () => {
    await server.close()
    await rm(outside, { recursive: true, force: true })
  })

  it('serves index.html at / and for app routes, assets with their type, HEAD without a body, and a locked-down policy', async () => {
    const index = await get(server.url, '/')
    expect(index).toMatchObject({ status: 200, body: '<!doctype html><title>board</title>' })
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['content-security-policy']).toContain("connect-src 'self'")
    expect(index.headers['x-content-type-options']).toBe('nosniff')
    expect((await get(server.url, '/board/settings')).body).toBe('<!doctype html><title>board</title>')
    const js = await get(server.url, '/assets/app.js')
    expect(js).toMatchObject({ status: 200, body: 'console.log(1)' })
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(await get(server.url, '/assets/app.js', 'HEAD')).toMatchObject({ status: 200, body: '' })
    expect((await get(server.url, '/assets/missing.js')).status).toBe(404)
  })

  it('serves nothing outside the app directory', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00', '/%E0%A4%A']) {
      const { status, body } = await get(server.url, path)
      expect(body).not.toContain('outside the app')
      expect([400, 404, 200]).toContain(status)
      if (status === 200) expect(body).toBe('<!doctype html><title>board</title>')
    }
  })

  it('lets the page call from its own origin, over POST and WebSocket, and still refuses other origins', async () => {
    const port = server.address.port
    const post = (origin: string) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: '{"jsonrpc":"2.0","id":1,"method":"shh_version","params":[]}' })
    expect((await post(`http://127.0.0.1:${port}`)).status).toBe(200)
    expect((await post(`http://localhost:${port}`)).status).toBe(200)
    expect((await post('http://evil.example')).status).toBe(403)
    // A DNS-rebinding page names our port under its own host: refused.
    expect((await post(`http://evil.example:${port}`)).status).toBe(403)
    const ws = new WebSocket(server.wsUrl as string, { origin: `http://127.0.0.1:${port}` })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    ws.close()
    const refused = new WebSocket(server.wsUrl as string, { origin: 'http://evil.example' })
    const status = await new Promise((resolve) => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode)).once('error', () => resolve('error')))
    expect(status).toBe(403)
  })

  it('answers GET with 405 when no app is served, and refuses a malformed ui', async () => {
    const plain = await createRpcServer({ shh: fakeShh(), port: 0 })
    try {
      expect((await get(plain.url, '/')).status).toBe(405)
    } finally {
      await plain.close()
    }
    await expect(createRpcServer({ shh: fakeShh(), port: 0, ui: { root: '' } })).rejects.toThrow(new TypeError('init.ui must be an object with a non-empty root directory'))
  })

  it('names the loopback origins of its port and its bound address', () => {
    expect(ownOrigins('127.0.0.1', 8545)).toEqual(['http://127.0.0.1:8545', 'http://localhost:8545', 'http://[::1]:8545'])
    expect(ownOrigins('::1', 8545)).toContain('http://[::1]:8545')
    expect(ownOrigins('10.0.0.5', 8545)).toContain('http://10.0.0.5:8545')
  })
})
