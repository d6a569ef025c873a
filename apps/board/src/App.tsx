/**
 * The board's page: the chain of posts, the form that mines a post (target, estimate, progress,
 * cancel), Resync, and the settings (mail server).
 */
import { type FormEvent, useCallback, useEffect, useReducer, useRef, useState } from 'react'
import { BOARD_TOPIC, BOARD_TOPIC_NAME, Chain, encodePost, MAX_NAME, MAX_TEXT, type RpcMessage } from './board.ts'
import { BoardNode, type MineOutcome, type Mining, type PowEstimate } from './node.ts'

/** Post lifetimes offered, in seconds. */
const TTLS: ReadonlyArray<[number, string]> = [
  [600, '10 minutes'],
  [3600, '1 hour'],
  [86_400, '1 day'],
]
/** How far back Resync asks a mail server for, in seconds (the longest TTL offered). */
const HISTORY_SECONDS = 86_400

function short(hash: string): string {
  return `${hash.slice(0, 10)}…`
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.round(ms))} ms`
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.round(ms / 60_000)} min`
}

function formatRate(hashRate: number): string {
  return hashRate >= 1e6 ? `${(hashRate / 1e6).toFixed(1)} MH/s` : `${Math.round(hashRate / 1e3)} kH/s`
}

function outcomeText(outcome: MineOutcome): string {
  switch (outcome.kind) {
    case 'sent':
      return `Mined and sent: ${short(outcome.hash)}`
    case 'cancelled':
      return 'Cancelled, nothing sent.'
    case 'too-late':
      return `Too late: sent as ${short(outcome.hash)}.`
    case 'failed':
      return `Not sent: ${outcome.message}`
  }
}

function stored(key: string, fallback: string): string {
  try {
    return localStorage.getItem(key) ?? fallback
  } catch {
    return fallback
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value)
  } catch {
    // storage unavailable (private mode): settings last for this page only
  }
}

interface MiningState {
  mining: Mining
  startedAt: number
  estimate: PowEstimate
}

/** The board. */
export function App() {
  const [node, setNode] = useState<BoardNode | null>(null)
  const [nodeError, setNodeError] = useState<string | null>(null)
  const [nodeId, setNodeId] = useState('')
  const [peers, setPeers] = useState<number | null>(null)
  const chain = useRef(new Chain())
  const [, redraw] = useReducer((n: number) => n + 1, 0)

  const [name, setName] = useState(() => stored('hush-board:name', ''))
  const [text, setText] = useState('')
  const [pow, setPow] = useState('')
  const [ttl, setTtl] = useState(3600)
  const [estimate, setEstimate] = useState<PowEstimate | null>(null)
  const [mining, setMining] = useState<MiningState | null>(null)
  const [progress, setProgress] = useState(0)
  const [result, setResult] = useState<string | null>(null)
  // Posts tried from this page: marks which attempt the result line is about.
  const [attempts, setAttempts] = useState(0)

  const [mailPeer, setMailPeer] = useState(() => stored('hush-board:mail-peer', ''))
  const [mailPassword, setMailPassword] = useState('')
  const [syncing, setSyncing] = useState(false)
  const [syncText, setSyncText] = useState<string | null>(null)

  const add = useCallback((messages: readonly RpcMessage[]): number => {
    let added = 0
    for (const message of messages) if (chain.current.add(message)) added++
    if (added > 0) redraw()
    return added
  }, [])

  // Connect once: the page and its node share an origin (`hush start --ui`).
  useEffect(() => {
    let closed = false
    let connected: BoardNode | undefined
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
    BoardNode.connect(`${protocol}//${location.host}`).then(
      (n) => {
        if (closed) return n.socket.close()
        connected = n
        n.socket.on('disconnect', () => setNodeError('The connection to the node closed. Start the node and reload this page.'))
        n.subscribe(
          (message) => add([message]),
          (err) => setNodeError(`Subscription failed: ${err.message}`),
        )
        setNode(n)
        setPow((p) => (p === '' ? String(Math.max(n.minPow, 0.2)) : p))
        n.nodeId().then(setNodeId, () => setNodeId('unknown'))
        // What this node already holds (its peers send their pool when they connect).
        n.pooled().then(add, (err: Error) => setSyncText(`Could not read the node's pool: ${err.message}`))
      },
      (err: Error) => setNodeError(`${err.message}. Is hush start --ui running?`),
    )
    return () => {
      closed = true
      connected?.socket.close()
    }
  }, [add])

  // Peer count, every 3 s.
  useEffect(() => {
    if (node === null) return
    const update = () => node.peerCount().then(setPeers, () => setPeers(null))
    void update()
    const timer = setInterval(update, 3000)
    return () => clearInterval(timer)
  }, [node])

  // The estimate for what is typed, recomputed as it changes.
  const powTarget = Number(pow)
  const payload = encodePost({ name: name.trim(), text, prev: chain.current.head() })
  useEffect(() => {
    if (node === null || !(powTarget > 0)) return setEstimate(null)
    let current = true
    node.estimate(payload, ttl, powTarget).then(
      (e) => current && setEstimate(e),
      () => current && setEstimate(null),
    )
    return () => {
      current = false
    }
  }, [node, payload, ttl, powTarget])

  // The progress bar: time spent over the expected time, held at 99% until the node answers.
  useEffect(() => {
    if (mining === null) return
    const tick = () => setProgress(Math.min(0.99, (performance.now() - mining.startedAt) / Math.max(1, mining.estimate.expectedMs)))
    tick()
    const timer = setInterval(tick, 100)
    return () => clearInterval(timer)
  }, [mining])

  const powError =
    node === null ? null : !(powTarget > 0) ? 'Enter a PoW target above 0.' : powTarget < node.minPow ? `This node refuses less than ${node.minPow}.` : null
  const canPost = node !== null && mining === null && name.trim() !== '' && text.trim() !== '' && powError === null

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (node === null || !canPost) return
    store('hush-board:name', name.trim())
    setAttempts((n) => n + 1)
    setResult(null)
    const body = { name: name.trim(), text, prev: chain.current.head() }
    const data = encodePost(body)
    let expected: PowEstimate
    try {
      expected = await node.estimate(data, ttl, powTarget)
    } catch (err) {
      setResult(`Not sent: ${(err as Error).message}`)
      return
    }
    const m = node.mine(data, ttl, powTarget, expected.expectedMs)
    setProgress(0)
    setMining({ mining: m, startedAt: performance.now(), estimate: expected })
    const outcome = await m.outcome
    setMining(null)
    setProgress(outcome.kind === 'sent' || outcome.kind === 'too-late' ? 1 : 0)
    setResult(outcomeText(outcome))
    if (outcome.kind === 'sent') setText('')
  }

  async function resync() {
    if (node === null) return
    setSyncing(true)
    setSyncText(null)
    const parts: string[] = []
    try {
      parts.push(`${add(await node.pooled())} new from this node's pool`)
      const peer = mailPeer.trim()
      if (peer !== '') {
        const sent = await node.fromMailServer(peer, mailPassword, HISTORY_SECONDS)
        parts.push(`${sent} from the mail server`)
      }
      setSyncText(`Resynced: ${parts.join(', ')}.`)
    } catch (err) {
      setSyncText(`Resync failed: ${[...parts, (err as Error).message].join('; ')}`)
    } finally {
      setSyncing(false)
    }
  }

  const entries = chain.current.entries()
  const missing = entries.filter((e) => e.missingLink).length

  return (
    <main>
      <header>
        <h1>Hush board</h1>
        <p className="status" data-testid="status">
          {nodeError !== null ? (
            <span className="error">{nodeError}</span>
          ) : node === null ? (
            'Connecting to the node…'
          ) : (
            <>
              Node <code title={nodeId}>{nodeId.slice(-8)}</code> · {peers === null ? '?' : peers} peer{peers === 1 ? '' : 's'} · minimum PoW{' '}
              {node.minPow} · topic <code>{BOARD_TOPIC}</code> (“{BOARD_TOPIC_NAME}”)
            </>
          )}
        </p>
      </header>

      <section className="compose" aria-label="Write a post">
        <form onSubmit={submit} data-attempts={attempts}>
          <label>
            Name
            <input aria-label="Name" value={name} maxLength={MAX_NAME} onChange={(e) => setName(e.target.value)} placeholder="your display name" />
          </label>
          <label>
            Post
            <textarea aria-label="Post" value={text} maxLength={MAX_TEXT} rows={3} onChange={(e) => setText(e.target.value)} placeholder="say something to everyone" />
          </label>
          <div className="row">
            <label>
              PoW target
              <input aria-label="PoW target" type="number" step="any" min={node?.minPow ?? 0} value={pow} onChange={(e) => setPow(e.target.value)} />
            </label>
            <label>
              Keep for
              <select aria-label="Keep for" value={ttl} onChange={(e) => setTtl(Number(e.target.value))}>
                {TTLS.map(([seconds, label]) => (
                  <option key={seconds} value={seconds}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <span className="estimate" data-testid="estimate">
              {powError ?? (estimate === null ? '' : `≈ ${formatMs(estimate.expectedMs)} to mine here (${formatRate(estimate.hashRate * estimate.workers)}, ${estimate.workers} worker${estimate.workers === 1 ? '' : 's'})`)}
            </span>
          </div>
          <div className="row">
            <button type="submit" disabled={!canPost}>
              Mine and post
            </button>
            {mining !== null && (
              <button type="button" onClick={() => mining.mining.cancel().catch(() => undefined)}>
                Cancel
              </button>
            )}
          </div>
          {mining !== null && (
            <div className="mining" data-testid="mining">
              <progress data-testid="progress" max={1} value={progress} />
              <span data-testid="mining-text">
                Mining… {formatMs(performance.now() - mining.startedAt)} of ≈ {formatMs(mining.estimate.expectedMs)}
                {progress >= 0.99 ? ' (taking longer than expected: PoW is luck)' : ''}
              </span>
            </div>
          )}
          {result !== null && (
            <p className="result" data-testid="result" data-attempt={attempts}>
              {result}
            </p>
          )}
        </form>
      </section>

      <section className="toolbar" aria-label="Resync">
        <button type="button" onClick={resync} disabled={node === null || syncing}>
          {syncing ? 'Resyncing…' : 'Resync'}
        </button>
        <label>
          Mail server peer id
          <input
            aria-label="Mail server peer id"
            value={mailPeer}
            placeholder="none: Resync asks this node's peers"
            onChange={(e) => {
              setMailPeer(e.target.value)
              store('hush-board:mail-peer', e.target.value.trim())
            }}
          />
        </label>
        <label>
          Mail server password
          <input aria-label="Mail server password" type="password" value={mailPassword} onChange={(e) => setMailPassword(e.target.value)} />
        </label>
        {syncText !== null && <span data-testid="sync">{syncText}</span>}
      </section>

      <section className="chain" aria-label="Posts">
        <p className="summary" data-testid="summary">
          {entries.length} post{entries.length === 1 ? '' : 's'}
          {missing > 0 && <span className="warn"> · {missing} missing link{missing === 1 ? '' : 's'}: Resync to fetch them</span>}
          {chain.current.unreadable > 0 && (
            <span className="warn">
              {' '}
              · {chain.current.unreadable} unreadable message{chain.current.unreadable === 1 ? '' : 's'} skipped
            </span>
          )}
        </p>
        {entries.length === 0 && <p className="empty">No posts yet. Write the first one, or Resync.</p>}
        <ol>
          {entries.map(({ post, height, missingLink }) => (
            <li key={post.hash} className={missingLink ? 'post missing' : 'post'} data-testid="post" data-hash={post.hash}>
              <div className="meta">
                <span className="height">#{height}</span> <strong className="name">{post.name}</strong>{' '}
                <time dateTime={new Date(post.sent * 1000).toISOString()}>{new Date(post.sent * 1000).toLocaleString()}</time> · PoW{' '}
                {post.pow.toFixed(2)} · <code title={post.hash}>{short(post.hash)}</code>
                {post.prev !== null && (
                  <>
                    {' '}
                    follows <code title={post.prev}>{short(post.prev)}</code>
                  </>
                )}
              </div>
              <p className="text" data-testid="post-text">
                {post.text}
              </p>
              {missingLink && (
                <p className="warn" data-testid="missing-link">
                  Missing link: the post before this one ({short(post.prev ?? '')}) has not reached this node.
                </p>
              )}
            </li>
          ))}
        </ol>
      </section>
    </main>
  )
}
