/**
 * The messenger in headless Chromium (Debian's), on three `hush start --messenger --ui` nodes
 * started here, all on 127.0.0.1:
 *
 *   Alice's page ── node A ══ TCP ══ node B ── Bob's page
 *                     ║
 *                   node C ── Carol's page (a stranger to Bob)
 *
 * Accounts (the password asked twice), friends by public key (add, rename, remove, a refused
 * key), a session Alice opens with Bob (a friend's request, accepted by his node at once), 20
 * messages both ways with delivery ticks and an unread count, the close seen on both sides, a
 * stranger's request that Bob accepts, a reload (the node's memory of the conversation), and a
 * lock and unlock; and a node without `--messenger`. The screenshots are taken here too:
 * into docs/screenshots/ with HUSH_SCREENSHOTS=1, else into a temporary directory.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type AppPage, type Browser, buildApp, launchChromium, openPage, type Page, peered, rpc, until } from '@hush/test-browser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartedNode, startHush } from '../../../packages/cli/test/fixtures/hush-node.ts'

const APP_DIR = fileURLToPath(new URL('..', import.meta.url))
const SCREENSHOTS = process.env.HUSH_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url)) : mkdtempSync(join(tmpdir(), 'hush-messenger-shots-'))
/** Each scenario's limit: nodes, a browser and sessions outlast the default 30 s on a loaded machine. */
const TIMEOUT = 180_000
/** How long one thing may take to show on a page (a request, a message, a tick). */
const SHOW_MS = 60_000
/** Messages each way. */
const COUNT = 20

const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })

/** Creates the account from the page's form (the password typed twice) and returns its public key. */
async function createAccount(page: Page, password: string): Promise<string> {
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByLabel('Password again', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Create account' }).click()
  const key = page.getByLabel('Your public key', { exact: true })
  await key.waitFor({ timeout: SHOW_MS })
  return key.inputValue()
}

/** Adds a friend from the page's form and waits for the node's answer: the friend listed, or the form's error (returned). */
async function addFriend(page: Page, name: string, publicKey: string): Promise<string | undefined> {
  await page.getByRole('button', { name: /^Friends/ }).click()
  await page.getByLabel('Friend name', { exact: true }).fill(name)
  await page.getByLabel('Friend public key', { exact: true }).fill(publicKey)
  await page.getByRole('button', { name: 'Add friend' }).click()
  const listed = page.getByTestId('friend-name').filter({ hasText: new RegExp(`^${name}$`) })
  const error = page.getByTestId('friends-error')
  await listed.or(error).waitFor({ timeout: SHOW_MS })
  // The form is free again once the node answered and the list was read.
  await page.locator('form.add button:enabled').waitFor({ timeout: SHOW_MS })
  return (await error.count()) > 0 ? error.innerText() : undefined
}

const friendNames = (page: Page): Promise<string[]> => page.getByTestId('friend-name').allInnerTexts()

/** The conversation button in the list whose name is `name`. */
const conversation = (page: Page, name: string) => page.getByTestId('conversation').filter({ hasText: name })

/** Waits for the list to show the conversation with `name` in `state`. */
const inState = (page: Page, name: string, state: string) => page.locator(`[data-testid=conversation][data-state=${state}]`).filter({ hasText: name }).waitFor({ timeout: SHOW_MS })

/** Writes `text` in the open conversation and sends it with Enter. */
async function say(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true })
  await box.fill(text)
  await box.press('Enter')
}

/** The open conversation's message lines, in order. */
function messages(page: Page): Promise<Array<{ direction: string; seq: string; text: string; state: string | null }>> {
  return page.getByTestId('message').evaluateAll((items) =>
    items.map((item) => ({
      direction: item.getAttribute('data-direction') ?? '',
      seq: item.getAttribute('data-seq') ?? '',
      text: item.querySelector('.text')?.textContent ?? '',
      state: item.getAttribute('data-state'),
    })),
  )
}

/** Waits until the open conversation shows `count` messages, ours all delivered (✓✓). */
async function allDelivered(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const lines = [...document.querySelectorAll('[data-testid=message]')]
      return lines.length === n && lines.every((l) => l.getAttribute('data-direction') === 'in' || l.getAttribute('data-state') === 'delivered')
    },
    count,
    { timeout: SHOW_MS },
  )
}

describe('the messenger in a browser, on three nodes', () => {
  let browser: Browser
  let dist: string
  let nodes: StartedNode[] = []
  let alice: AppPage
  let bob: AppPage
  let carol: AppPage
  const keys = { alice: '', bob: '', carol: '' }
  const pages = () => [alice, bob, carol]

  beforeAll(async () => {
    dist = await buildApp(APP_DIR)
    browser = await launchChromium()
    const a = await startHush(['--messenger', '--ui', dist])
    const b = await startHush(['--messenger', '--ui', dist, '--bootstrap', a.listen])
    const c = await startHush(['--messenger', '--ui', dist, '--bootstrap', a.listen])
    nodes = [a, b, c]
    await Promise.all(nodes.map(peered))
    alice = await openPage(browser, a.rpc)
    bob = await openPage(browser, b.rpc)
    carol = await openPage(browser, c.rpc)
  }, TIMEOUT)

  afterAll(async () => {
    await browser?.close()
    for (const node of nodes) {
      node.child.kill()
      await node.exited
    }
  }, TIMEOUT)

  it('creates accounts with the password asked twice, and shows the node status and the key to share', async () => {
    const { page } = alice
    await page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: SHOW_MS })
    await page.getByTestId('status').filter({ hasText: /^Node: Whisper \S+ · minimum PoW 0\.01 · 2 peers$/ }).waitFor({ timeout: SHOW_MS })
    await shoot(page, 'messenger-account')
    await page.getByLabel('Password', { exact: true }).fill('alice password')
    await page.getByLabel('Password again', { exact: true }).fill('alice passwort')
    await page.getByRole('button', { name: 'Create account' }).click()
    expect(await page.getByTestId('account-error').innerText()).toBe('The two passwords differ: type the same password twice.')
    expect(await rpc(nodes[0], 'hush_accountInfo')).toEqual({ exists: false, unlocked: false })

    keys.alice = await createAccount(page, 'alice password')
    keys.bob = await createAccount(bob.page, 'bob password')
    keys.carol = await createAccount(carol.page, 'carol password')
    for (const key of Object.values(keys)) expect(key).toMatch(/^0x04[0-9a-f]{128}$/)
    expect(await rpc(nodes[1], 'hush_accountInfo')).toEqual({ exists: true, unlocked: true, publicKey: keys.bob })
    expect(pages().flatMap((p) => p.errors)).toEqual([])
  }, TIMEOUT)

  it('adds friends by name and public key, renames and removes one, and shows the node refusal of a bad key', async () => {
    expect(await addFriend(alice.page, 'Bob', keys.bob)).toBeUndefined()
    expect(await addFriend(bob.page, 'Alice', keys.alice)).toBeUndefined()
    expect(await friendNames(alice.page)).toEqual(['Bob'])

    const { page } = bob
    expect(await addFriend(page, 'Mallory', 'not a key')).toBe('invalid argument 1: expected a public key, 0x04 and 128 hex digits')
    expect(await addFriend(page, 'Someone', keys.carol)).toBeUndefined()
    await page.getByTestId('friend').filter({ hasText: 'Someone' }).getByRole('button', { name: 'Rename' }).click()
    await page.getByLabel('New name', { exact: true }).fill('Carol')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByTestId('friend-name').filter({ hasText: 'Carol' }).waitFor()
    expect(await friendNames(page)).toEqual(['Alice', 'Carol'])
    await page.getByTestId('friend').filter({ hasText: 'Carol' }).getByRole('button', { name: 'Remove' }).click()
    await page.getByTestId('friend-name').filter({ hasText: 'Carol' }).waitFor({ state: 'detached' })
    expect(await friendNames(page)).toEqual(['Alice'])
    // What the node keeps, in its encrypted account file.
    expect(await rpc(nodes[1], 'hush_friendList')).toEqual([{ name: 'Alice', publicKey: keys.alice }])
    await shoot(page, 'messenger-friends')
    expect(pages().flatMap((p) => p.errors)).toEqual([])
  }, TIMEOUT)

  it('opens a session with a friend and carries 20 messages both ways with delivery ticks and an unread count', async () => {
    await alice.page.getByTestId('friend').filter({ hasText: 'Bob' }).getByRole('button', { name: 'Message' }).click()
    await alice.page.getByTestId('chat-name').filter({ hasText: 'Bob' }).waitFor()
    // Bob's node accepts a friend's request at once: the conversation opens on both sides.
    await Promise.all([inState(alice.page, 'Bob', 'open'), inState(bob.page, 'Alice', 'open')])
    await alice.page.getByTestId('chat-state').filter({ hasText: /^open$/ }).waitFor({ timeout: SHOW_MS })

    // Bob is on his friends screen: Alice's first message is unread there.
    await say(alice.page, 'Alice 1')
    await conversation(bob.page, 'Alice').getByTestId('unread').filter({ hasText: /^1$/ }).waitFor({ timeout: SHOW_MS })
    await conversation(bob.page, 'Alice').click()
    await bob.page.getByTestId('message').filter({ hasText: 'Alice 1' }).waitFor()
    expect(await conversation(bob.page, 'Alice').getByTestId('unread').count()).toBe(0)

    for (let i = 1; i <= COUNT; i++) {
      if (i > 1) await say(alice.page, `Alice ${i}`)
      await say(bob.page, `Bob ${i}`)
    }
    await Promise.all([allDelivered(alice.page, 2 * COUNT), allDelivered(bob.page, 2 * COUNT)])
    const numbers = Array.from({ length: COUNT }, (_, i) => String(i + 1))
    for (const [page, me, them] of [
      [alice.page, 'Alice', 'Bob'],
      [bob.page, 'Bob', 'Alice'],
    ] as const) {
      const lines = await messages(page)
      const ours = lines.filter((l) => l.direction === 'out')
      const theirs = lines.filter((l) => l.direction === 'in')
      // Each way in message-number order, numbered 1…20 in the order written.
      expect(ours.map((l) => [l.seq, l.text])).toEqual(numbers.map((n) => [n, `${me} ${n}`]))
      expect(theirs.map((l) => [l.seq, l.text])).toEqual(numbers.map((n) => [n, `${them} ${n}`]))
      expect(new Set(ours.map((l) => l.state))).toEqual(new Set(['delivered']))
      expect(await page.getByTestId('tick').allInnerTexts()).toEqual(Array(COUNT).fill('✓✓'))
    }
    expect(await bob.page.getByTestId('safety-number').innerText()).toBe(await alice.page.getByTestId('safety-number').innerText())
    await shoot(bob.page, 'messenger-conversation')
    expect(pages().flatMap((p) => p.errors)).toEqual([])
  }, TIMEOUT)

  it('closes the conversation: both sides see it closed, keys wiped', async () => {
    await alice.page.getByRole('button', { name: 'Close', exact: true }).click()
    expect(await alice.page.getByTestId('closed').innerText({ timeout: SHOW_MS })).toBe('closed, keys wiped')
    expect(await bob.page.getByTestId('closed').innerText({ timeout: SHOW_MS })).toBe('Alice closed the conversation: closed, keys wiped')
    await Promise.all([inState(alice.page, 'Bob', 'closed'), inState(bob.page, 'Alice', 'closed')])
    for (const { page } of [alice, bob]) {
      expect(await page.getByLabel('Message', { exact: true }).count()).toBe(0)
      expect(await page.getByRole('button', { name: 'Close', exact: true }).count()).toBe(0)
    }
    expect(await rpc(nodes[0], 'hush_conversations')).toMatchObject([{ friend: keys.bob, state: 'closed' }])
    expect(pages().flatMap((p) => p.errors)).toEqual([])
  }, TIMEOUT)

  it('shows a stranger as a request to accept, and the accepted conversation carries messages', async () => {
    expect(await addFriend(carol.page, 'Bob', keys.bob)).toBeUndefined()
    await carol.page.getByTestId('friend').filter({ hasText: 'Bob' }).getByRole('button', { name: 'Message' }).click()
    await carol.page.getByTestId('chat-state').filter({ hasText: 'inviting: waiting for Bob to accept' }).waitFor({ timeout: SHOW_MS })
    expect(await carol.page.getByLabel('Message', { exact: true }).isDisabled()).toBe(true)
    await carol.page.getByRole('button', { name: 'Send the request again' }).click()
    await carol.page.getByRole('button', { name: 'Sent again' }).waitFor({ timeout: SHOW_MS })

    const { page } = bob
    await page.getByTestId('requests-count').filter({ hasText: /^1$/ }).waitFor({ timeout: SHOW_MS })
    await page.getByRole('button', { name: /^Requests/ }).click()
    const request = page.getByTestId('request')
    expect(await request.innerText()).toMatch(/^Someone not in your friends wants to talk: 0x04/)
    expect(await request.getByTestId('request-key').textContent()).toBe(keys.carol)
    await shoot(page, 'messenger-request')
    // The request sent twice is one request.
    await until('both copies of the request at Bob', async () => (await rpc<unknown[]>(nodes[1], 'hush_requests')).length === 1)
    expect(await request.count()).toBe(1)
    await request.getByRole('button', { name: 'Accept' }).click()
    const stranger = `unknown ${keys.carol.slice(0, 8)}…${keys.carol.slice(-4)}`
    await page.getByTestId('chat-name').filter({ hasText: stranger }).waitFor({ timeout: SHOW_MS })
    await Promise.all([inState(page, stranger, 'open'), inState(carol.page, 'Bob', 'open')])
    expect(await page.getByTestId('requests-count').count()).toBe(0)

    await say(carol.page, 'Hello Bob, Carol here')
    await page.getByTestId('message').filter({ hasText: 'Hello Bob, Carol here' }).waitFor({ timeout: SHOW_MS })
    await say(page, 'Hello Carol')
    await Promise.all([allDelivered(carol.page, 2), allDelivered(page, 2)])

    // Bob looks elsewhere: Carol's next message is unread in his list, beside the closed conversation.
    await page.getByRole('button', { name: /^Friends/ }).click()
    await say(carol.page, 'Are you there?')
    await conversation(page, stranger).getByTestId('unread').filter({ hasText: /^1$/ }).waitFor({ timeout: SHOW_MS })
    expect(await page.getByTestId('conversation').evaluateAll((items) => items.map((i) => i.getAttribute('data-state')))).toEqual(['open', 'closed'])
    await shoot(page, 'messenger-conversations')
    expect(pages().flatMap((p) => p.errors)).toEqual([])
  }, TIMEOUT)

  it('shows the conversation again after a reload, from what the node remembers since the unlock', async () => {
    const { page } = bob
    await page.goto(nodes[1].rpc)
    bob.errors.length = 0
    await conversation(page, 'unknown 0x04').click()
    await allDelivered(page, 3)
    expect((await messages(page)).map((l) => [l.direction, l.seq, l.text, l.state])).toEqual([
      ['in', '1', 'Hello Bob, Carol here', null],
      ['out', '1', 'Hello Carol', 'delivered'],
      ['in', '2', 'Are you there?', null],
    ])
    expect(pages().flatMap((p) => p.errors)).toEqual([])
  }, TIMEOUT)

  it('locks and unlocks the account, showing the node refusal of a wrong password, and follows a lock from elsewhere', async () => {
    const { page } = bob
    await page.getByRole('button', { name: 'Lock' }).click()
    await page.getByRole('heading', { name: 'Unlock your account' }).waitFor({ timeout: SHOW_MS })
    expect(await page.getByTestId('conversation').count()).toBe(0)
    await page.getByLabel('Password', { exact: true }).fill('not bob password')
    await page.getByRole('button', { name: 'Unlock' }).click()
    expect(await page.getByTestId('account-error').innerText({ timeout: SHOW_MS })).toBe('wrong password (or the account file was altered)')
    await page.getByLabel('Password', { exact: true }).fill('bob password')
    await page.getByRole('button', { name: 'Unlock' }).click()
    await page.getByLabel('Your public key', { exact: true }).waitFor({ timeout: SHOW_MS })
    expect(await page.getByLabel('Your public key', { exact: true }).inputValue()).toBe(keys.bob)
    // The conversation with Carol comes back from the node's encrypted state; the closed one does not.
    await inState(page, 'unknown 0x04', 'open')
    expect(await page.getByTestId('conversation').count()).toBe(1)

    // Locked and unlocked by another client of the node (another tab, a script): the page follows.
    await rpc(nodes[1], 'hush_accountLock')
    await page.getByRole('heading', { name: 'Unlock your account' }).waitFor({ timeout: SHOW_MS })
    expect(await page.getByTestId('conversation').count()).toBe(0)
    await rpc(nodes[1], 'hush_accountUnlock', 'bob password')
    await inState(page, 'unknown 0x04', 'open')
    expect(pages().flatMap((p) => p.errors)).toEqual([])
  }, TIMEOUT)
  it('says so when the node serves no messenger', async () => {
    const plain = await startHush(['--ui', dist])
    nodes.push(plain)
    const page = await openPage(browser, plain.rpc)
    await page.page.getByTestId('status').filter({ hasText: 'This node does not serve the messenger: start it with hush start --messenger.' }).waitFor({ timeout: SHOW_MS })
    await page.context.close()
  }, TIMEOUT)
})
