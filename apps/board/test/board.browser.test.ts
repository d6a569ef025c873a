/**
 * The board in headless Chromium (Debian's), on two `hush start --ui` nodes started here: posts
 * from two browsers, malformed messages, mining with progress and a cancel, a node restarted and
 * resynced (from its peers, then from a mail server), a missing link. The board's screenshots
 * are taken here too: into docs/screenshots/ with HUSH_SCREENSHOTS=1, else into a temporary
 * directory.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type AppPage, type Browser, buildApp, launchChromium, type Locator, openPage, type Page, peered, rpc, until } from '@hush/test-browser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartedNode, startHush } from '../../../packages/cli/test/fixtures/hush-node.ts'
import { BOARD_PASSWORD, BOARD_TOPIC, encodePost } from '../src/board.ts'

const APP_DIR = fileURLToPath(new URL('..', import.meta.url))
const SCREENSHOTS = process.env.HUSH_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url)) : mkdtempSync(join(tmpdir(), 'hush-board-shots-'))
const MAIL_PASSWORD = 'board test mail server password'
/** Each scenario's limit: nodes, a browser and mining outlast the default 30 s on a loaded machine. */
const TIMEOUT = 180_000
/** The PoW target of the chain's posts: low, so the tests spend little time sealing. */
const QUICK_POW = 0.05

/**
 * Posts `text` as `name` from the page's form at `pow`; returns the line that will say how it
 * ended (the result of this attempt, not an earlier one).
 */
async function write(page: Page, name: string, text: string, pow: number): Promise<Locator> {
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Post', { exact: true }).fill(text)
  await page.getByLabel('PoW target', { exact: true }).fill(String(pow))
  const attempt = Number(await page.locator('form').getAttribute('data-attempts')) + 1
  await page.getByRole('button', { name: 'Mine and post' }).click()
  return page.locator(`[data-testid=result][data-attempt="${attempt}"]`)
}

const resultText = (result: Locator): Promise<string> => result.innerText({ timeout: 120_000 })

/** The board's posts, in the order shown: text, hash, and whether flagged as a missing link. */
function board(page: Page): Promise<Array<{ text: string; hash: string; height: string; missing: boolean }>> {
  return page.locator('[data-testid=post]').evaluateAll((items) =>
    items.map((item) => ({
      text: item.querySelector('[data-testid=post-text]')?.textContent ?? '',
      hash: item.getAttribute('data-hash') ?? '',
      height: item.querySelector('.height')?.textContent ?? '',
      missing: item.querySelector('[data-testid=missing-link]') !== null,
    })),
  )
}

/** Waits until the page shows exactly these post texts, in this order. */
async function showsTexts(page: Page, texts: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => JSON.stringify([...document.querySelectorAll('[data-testid=post-text]')].map((e) => e.textContent)) === JSON.stringify(expected),
    texts,
    { timeout: 60_000 },
  )
}

const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })

/** Two significant digits: a PoW target a person would type. */
const round = (target: number): number => Number(target.toPrecision(2))

const hex = (text: string): string => `0x${Buffer.from(text, 'utf8').toString('hex')}`

describe('the board in a browser, on two nodes', () => {
  let browser: Browser
  let dist: string
  let a: StartedNode
  let b: StartedNode
  let pageA: AppPage
  let pageB: AppPage
  const texts: string[] = []

  beforeAll(async () => {
    dist = await buildApp(APP_DIR)
    browser = await launchChromium()
    const passwordFile = join(mkdtempSync(join(tmpdir(), 'hush-board-mail-')), 'password')
    writeFileSync(passwordFile, MAIL_PASSWORD)
    a = await startHush(['--ui', dist, '--mail', '--mail-password-file', passwordFile])
    b = await startHush(['--ui', dist, '--bootstrap', a.listen])
    await Promise.all([peered(a), peered(b)])
    pageA = await openPage(browser, a.rpc)
    pageB = await openPage(browser, b.rpc)
  }, TIMEOUT)

  afterAll(async () => {
    await browser?.close()
    for (const node of [a, b]) {
      node?.child.kill()
      await node?.exited
    }
  }, TIMEOUT)

  it('shows posts from two browsers on two nodes on both boards, in the same chain order', async () => {
    const authors: Array<[AppPage, string, string]> = [
      [pageA, 'Alice', 'Hello, board: the first block'],
      [pageB, 'Bob', 'Bob here, replying to Alice'],
      [pageA, 'Alice', 'Every post names the one before it'],
      [pageB, 'Bob', 'so every node shows the same order'],
    ]
    for (const [{ page }, name, text] of authors) {
      expect(await resultText(await write(page, name, text, QUICK_POW))).toMatch(/^Mined and sent: 0x/)
      texts.push(text)
      await Promise.all([showsTexts(pageA.page, texts), showsTexts(pageB.page, texts)])
    }
    const [onA, onB] = await Promise.all([board(pageA.page), board(pageB.page)])
    expect(onB).toEqual(onA)
    expect(onA.map((p) => [p.height, p.missing])).toEqual([
      ['#0', false],
      ['#1', false],
      ['#2', false],
      ['#3', false],
    ])
    expect(await pageA.page.getByTestId('status').innerText()).toMatch(/1 peer ·/)
    await shoot(pageB.page, 'board-chain')
    expect([...pageA.errors, ...pageB.errors]).toEqual([])
  }, TIMEOUT)

  it('counts malformed messages on the board topic as unreadable and goes on', async () => {
    const symKeyID = await rpc<string>(a, 'shh_generateSymKeyFromPassword', BOARD_PASSWORD)
    for (const payload of [hex('not a post at all'), hex(JSON.stringify({ v: 1, name: 'Mallory' })), '0xfffe']) {
      await rpc(a, 'shh_post', { symKeyID, topic: BOARD_TOPIC, payload, ttl: 3600, powTarget: QUICK_POW, powTime: 30 })
    }
    for (const { page } of [pageA, pageB]) {
      await page.getByText('3 unreadable messages skipped').waitFor({ timeout: 30_000 })
      expect((await board(page)).map((p) => p.text)).toEqual(texts)
    }
    expect([...pageA.errors, ...pageB.errors]).toEqual([])
  }, TIMEOUT)

  it('mines a post with a moving progress bar and an estimate, and a cancelled post reaches no board', async () => {
    const { page } = pageA
    // Targets from this node's own estimate for a post of this size: one that would take minutes
    // (cancelled long before), one of seconds. (Sealing works in powers of two, so the node's
    // estimate for the post itself may be up to twice or half of this.)
    const perUnit = (await rpc<{ expectedMs: number }>(a, 'hush_powEstimate', { sizeBytes: 316, ttl: 3600, powTarget: 1 })).expectedMs
    const cancelled = await write(page, 'Alice', 'this post is cancelled', round(600_000 / perUnit))
    await page.getByTestId('mining-text').filter({ hasText: /^Mining… .* of ≈ \d+ min$/ }).waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('estimate').innerText()).toMatch(/^≈ \d+ min to mine here \(.*H\/s, \d+ workers?\)$/)
    const progress = () => page.getByTestId('progress').evaluate((bar) => (bar as HTMLProgressElement).value)
    const first = await progress()
    await page.waitForFunction((before) => Number((document.querySelector('[data-testid=progress]') as HTMLProgressElement).value) > before, first, { timeout: 10_000 })
    await shoot(page, 'board-mining')
    await page.getByRole('button', { name: 'Cancel' }).click()
    expect(await resultText(cancelled)).toBe('Cancelled, nothing sent.')
    await expect(page.getByTestId('mining').count()).resolves.toBe(0)

    // A post of about three seconds, watched by sampling the bar: a seal can end long before its
    // expected time (PoW is luck), so one that ends before the bar moved is followed by a harder one.
    let moved = false
    for (let attempt = 1; attempt <= 3 && !moved; attempt++) {
      await page.evaluate(() => {
        const w = window as unknown as { samples: Array<[number, string]>; sampler: number }
        w.samples = []
        w.sampler = window.setInterval(() => {
          const bar = document.querySelector<HTMLProgressElement>('[data-testid=progress]')
          if (bar !== null) w.samples.push([bar.value, document.querySelector('[data-testid=mining-text]')?.textContent ?? ''])
        }, 20)
      })
      const text = `Mined with a progress bar (attempt ${attempt})`
      expect(await resultText(await write(page, 'Alice', text, round((3000 * 4 ** (attempt - 1)) / perUnit)))).toMatch(/^Mined and sent: 0x/)
      texts.push(text)
      const samples = await page.evaluate(() => {
        const w = window as unknown as { samples: Array<[number, string]>; sampler: number }
        clearInterval(w.sampler)
        return w.samples
      })
      expect(samples.some(([, label]) => /^Mining… .* of ≈ \d/.test(label))).toBe(true)
      moved = new Set(samples.map(([value]) => value).filter((value) => value > 0 && value < 1)).size >= 2
    }
    expect(moved).toBe(true)
    await Promise.all([showsTexts(pageA.page, texts), showsTexts(pageB.page, texts)])
    expect(texts).not.toContain('this post is cancelled')
    expect([...pageA.errors, ...pageB.errors]).toEqual([])
  }, TIMEOUT)

  it('says too late when the cancel reaches the node after the post was sealed, and the post reaches every board', async () => {
    // A third page on node A whose WebSocket the test routes: it holds back the node's answer to
    // the post (so the page still shows it mining) until the page's cancel has gone to the node.
    const held: { post?: number; answer?: string } = {}
    const late = await openPage(browser, a.rpc, (page) =>
      page.routeWebSocket(/.*/, (ws) => {
        const server = ws.connectToServer()
        ws.onMessage((message) => {
          const call = JSON.parse(String(message)) as { id: number; method: string }
          if (call.method === 'shh_post') held.post = call.id
          server.send(message)
          if (call.method === 'hush_cancelRequest' && held.answer !== undefined) ws.send(held.answer)
        })
        server.onMessage((message) => {
          if (held.post !== undefined && (JSON.parse(String(message)) as { id?: number }).id === held.post) held.answer = String(message)
          else ws.send(message)
        })
      }),
    )
    const { page } = late
    await showsTexts(page, texts)
    const text = 'Cancelled too late: this one went out'
    const result = await write(page, 'Alice', text, QUICK_POW)
    await until('the node to seal the post', async () => held.answer !== undefined)
    expect(JSON.parse(held.answer as string).result).toMatch(/^0x[0-9a-f]{64}$/)
    await page.getByRole('button', { name: 'Cancel' }).click()
    expect(await resultText(result)).toMatch(/^Too late: sent as 0x[0-9a-f]{8}…\.$/)
    texts.push(text)
    await Promise.all([showsTexts(pageA.page, texts), showsTexts(pageB.page, texts), showsTexts(page, texts)])
    expect([...late.errors, ...pageA.errors, ...pageB.errors]).toEqual([])
    await late.context.close()
  }, TIMEOUT)

  it('resyncs a restarted node: the whole chain from its peers, then from the mail server', async () => {
    b.child.kill()
    await b.exited
    for (const text of ['Posted while Bob was away', 'and one more']) {
      expect(await resultText(await write(pageA.page, 'Alice', text, QUICK_POW))).toMatch(/^Mined and sent: 0x/)
      texts.push(text)
    }
    await showsTexts(pageA.page, texts)

    b = await startHush(['--ui', dist, '--bootstrap', a.listen, '--data-dir', b.dataDir])
    await peered(b)
    // The restarted node holds what its peer sent it on connecting: every envelope on the topic.
    const symKeyID = await rpc<string>(b, 'shh_generateSymKeyFromPassword', BOARD_PASSWORD)
    await until('the peer s pool', async () => (await rpc<unknown[]>(b, 'hush_pooledMessages', { symKeyID, topics: [BOARD_TOPIC] })).length === texts.length + 3)
    await pageB.page.goto(b.rpc)
    pageB.errors.length = 0
    const { page } = pageB
    await page.getByRole('button', { name: 'Resync' }).click()
    await page.getByTestId('sync').filter({ hasText: /^Resynced: \d+ new from this node.s pool\.$/ }).waitFor({ timeout: 30_000 })
    await showsTexts(page, texts)
    expect(await board(page)).toEqual(await board(pageA.page))
    expect(await page.getByTestId('missing-link').count()).toBe(0)

    await page.getByLabel('Mail server peer id', { exact: true }).fill(a.peerId)
    await page.getByLabel('Mail server password', { exact: true }).fill(MAIL_PASSWORD)
    await page.getByRole('button', { name: 'Resync' }).click()
    const sync = page.getByTestId('sync').filter({ hasText: /^Resynced: / })
    await sync.filter({ hasText: /from the mail server/ }).waitFor({ timeout: 60_000 })
    // Every envelope on the board's topic went through the mail server's node: the posts and the 3 unreadable.
    expect(await sync.innerText()).toMatch(new RegExp(`^Resynced: 0 new from this node.s pool, ${texts.length + 3} from the mail server\\.$`))
    await shoot(page, 'board-resync')
    expect([...pageA.errors, ...pageB.errors]).toEqual([])
  }, TIMEOUT)

  it('flags a post whose predecessor never reached the node as a missing link', async () => {
    const symKeyID = await rpc<string>(a, 'shh_generateSymKeyFromPassword', BOARD_PASSWORD)
    const payload = encodePost({ name: 'Carol', text: 'Replying to a post nobody here has seen', prev: `0x${'ab'.repeat(32)}` })
    await rpc(a, 'shh_post', { symKeyID, topic: BOARD_TOPIC, payload, ttl: 3600, powTarget: QUICK_POW, powTime: 30 })
    for (const { page } of [pageA, pageB]) {
      await page.getByTestId('missing-link').waitFor({ timeout: 30_000 })
      expect(await page.getByTestId('summary').innerText()).toMatch(/1 missing link: Resync to fetch them/)
      const flagged = (await board(page)).filter((p) => p.missing).map((p) => p.text)
      expect(flagged).toEqual(['Replying to a post nobody here has seen'])
    }
    // The page polls the peer count every 3 s: wait for it to count the restarted node again.
    await pageA.page.getByTestId('status').filter({ hasText: /· 1 peer ·/ }).waitFor({ timeout: 30_000 })
    await shoot(pageA.page, 'board-missing-link')
    expect([...pageA.errors, ...pageB.errors]).toEqual([])
  }, TIMEOUT)
})
