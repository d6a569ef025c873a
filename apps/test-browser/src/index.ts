/**
 * Browser-test fixtures for the apps: Debian's Chromium (`/usr/bin/chromium`, installed by
 * `.ci/run` with apt-get) driven by playwright-core, with no browser download, and a Vite build of
 * an app directory for `hush start --ui`.
 *
 * @packageDocumentation
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { build } from 'vite'

export type { Browser, Locator, Page } from 'playwright-core'

/** Where Debian's `chromium` package puts the browser; `CHROMIUM` overrides it. */
export const CHROMIUM_PATH: string = process.env.CHROMIUM ?? '/usr/bin/chromium'

/**
 * The flags the browser runs with: headless without a sandbox or GPU (containers, CI), and none
 * of Chromium's own network traffic (QUIC probes, component and sync updates), which would
 * otherwise flood a closed network with refused connections.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Launches Debian's Chromium headless with {@link CHROMIUM_FLAGS}; playwright gives it a fresh,
 * temporary `--user-data-dir`, removed on `close()`.
 * @throws {Error} naming the path and the apt-get command when the browser is not installed
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no browser at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium), or set CHROMIUM to its path`)
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_FLAGS], timeout: 60_000 })
}

/** A page in a context of its own (its own storage), which records the page's console errors and uncaught exceptions. */
export interface AppPage {
  context: BrowserContext
  page: Page
  /** Console errors and uncaught exceptions so far. */
  errors: string[]
}

/**
 * Opens a page at `url` in a new context of `browser` (1000×800, en-US, UTC: screenshots look
 * alike everywhere), recording its errors. `beforeLoad` runs on the page before it loads, e.g. to
 * route its WebSocket (`page.routeWebSocket`).
 */
export async function openPage(browser: Browser, url: string, beforeLoad?: (page: Page) => Promise<void>): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, locale: 'en-US', timezoneId: 'UTC' })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  await beforeLoad?.(page)
  await page.goto(url)
  return { context, page, errors }
}

/**
 * Builds the Vite app in `appDir` (its own `vite.config.ts`) into `<appDir>/dist` and returns
 * that directory, for `hush start --ui`.
 */
export async function buildApp(appDir: string): Promise<string> {
  const outDir = join(appDir, 'dist')
  mkdirSync(outDir, { recursive: true })
  await build({ root: appDir, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  return outDir
}

/** A node the tests reach over HTTP: its JSON-RPC URL (a started node's `rpc`). */
export interface RpcNode {
  rpc: string
}

/**
 * One JSON-RPC call to `node` over HTTP, without an Origin header (a local tool, as `hush`
 * itself), resolving with the result.
 * @throws {Error} `<method>: <message>` when the node answers with an error
 */
export async function rpc<T>(node: RpcNode, method: string, ...params: unknown[]): Promise<T> {
  const res = await fetch(node.rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result as T
}

/**
 * Waits, at most `ms`, for `check` to hold, asking every 100 ms.
 * @throws {Error} `timed out waiting for <what>` after `ms`
 */
export async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Waits (at most 30 s) until `node` has a peer (`net_peerCount` above zero). */
export const peered = (node: RpcNode): Promise<void> => until('a peer', async () => (await rpc<string>(node, 'net_peerCount')) !== '0x0')
