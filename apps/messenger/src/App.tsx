/**
 * The messenger's page: the node status line, the account (create, unlock, lock, the public key
 * to share), and once unlocked the conversations list beside the screen chosen (a conversation,
 * friends or requests). Everything comes from the node that served the page, over one WebSocket;
 * `hush_subscribe('messenger')` keeps it live.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react'
import { Account } from './Account.tsx'
import { Chat } from './Chat.tsx'
import { Friends } from './Friends.tsx'
import { errorText, stateText, who } from './format.ts'
import { MessengerNode } from './node.ts'
import { Requests } from './Requests.tsx'
import { RpcError } from '@hush/app-kit'
import { Timelines } from './timeline.ts'
import type { AccountInfo, Conversation, Friend, MessengerEvent, NodeStatus, Request } from './types.ts'

/** Which screen is beside the list. */
type View = { kind: 'friends' } | { kind: 'requests' } | { kind: 'chat'; id: string }

/** JSON-RPC's "method not found": the node serves no messenger (or no `hush_messages`). */
const METHOD_NOT_FOUND = -32601

/** The messenger. */
export function App() {
  const [node, setNode] = useState<MessengerNode | null>(null)
  const [nodeError, setNodeError] = useState<string | null>(null)
  const [status, setStatus] = useState<NodeStatus | null>(null)
  const [account, setAccount] = useState<AccountInfo | null>(null)
  const [friends, setFriends] = useState<Friend[]>([])
  const [conversations, setConversations] = useState<Conversation[]>([])
  const [requests, setRequests] = useState<Request[]>([])
  const [notice, setNotice] = useState<string | null>(null)
  const [view, setView] = useState<View>({ kind: 'friends' })
  const viewRef = useRef(view)
  viewRef.current = view
  const timelines = useRef(new Timelines())
  const [drawn, redraw] = useReducer((n: number) => n + 1, 0)
  const known = useRef(new Set<string>())
  const queues = useRef(new Map<string, Promise<void>>())

  const refreshConversations = useCallback(async (n: MessengerNode) => {
    const list = await n.conversations()
    for (const c of list) {
      if (known.current.has(c.id)) continue
      known.current.add(c.id)
      // After a reload: what the node remembers of the conversation since its unlock.
      if (c.state !== 'closed') n.messages(c.id).then(
        (entries) => {
          timelines.current.restore(c.id, entries)
          redraw()
        },
        (err: unknown) => {
          if (!(err instanceof RpcError && err.code === METHOD_NOT_FOUND)) setNotice(`Could not read the messages of ${who(c)}: ${errorText(err)}`)
        },
      )
    }
    setConversations(list)
  }, [])

  const refreshAll = useCallback(
    async (n: MessengerNode) => {
      const [f, r] = await Promise.all([n.friends(), n.requests(), refreshConversations(n)])
      setFriends(f)
      setRequests(r)
    },
    [refreshConversations],
  )

  const onEvent = useCallback(
    (n: MessengerNode, event: MessengerEvent) => {
      const t = timelines.current
      const background = (task: Promise<unknown>) => task.catch((err: unknown) => setNotice(errorText(err)))
      switch (event.type) {
        case 'message': {
          const current = viewRef.current
          t.received(event.conversation, event.seq, event.text, Date.now(), current.kind === 'chat' && current.id === event.conversation)
          if (!known.current.has(event.conversation)) void background(refreshConversations(n))
          break
        }
        case 'receipt':
          t.settled(event.conversation, event.seq, 'delivered')
          break
        case 'undelivered':
          t.settled(event.conversation, event.seq, 'undelivered')
          break
        case 'gap':
          t.gap(event.conversation, event.from, event.to)
          break
        case 'close':
          t.closed(event.conversation, event.reason)
          void background(refreshConversations(n))
          break
        case 'open':
          void background(refreshConversations(n))
          break
        case 'request':
          void background(n.requests().then(setRequests))
          break
      }
      redraw()
    },
    [refreshConversations],
  )

  // Connect once: the page and its node share an origin (`hush start --messenger --ui`).
  useEffect(() => {
    let closed = false
    let connected: MessengerNode | undefined
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
    MessengerNode.connect(`${protocol}//${location.host}`).then(
      async (n) => {
        if (closed) return n.socket.close()
        connected = n
        n.socket.on('disconnect', () => setNodeError('The connection to the node closed. Start the node and reload this page.'))
        try {
          await n.subscribe((event) => onEvent(n, event))
          const info = await n.info()
          setNode(n)
          setAccount(info)
          if (info.unlocked) await refreshAll(n)
        } catch (err) {
          setNodeError(
            err instanceof RpcError && err.code === METHOD_NOT_FOUND
              ? 'This node does not serve the messenger: start it with hush start --messenger.'
              : `The node refused: ${errorText(err)}`,
          )
        }
      },
      (err: Error) => setNodeError(`${err.message}. Is hush start --messenger --ui running?`),
    )
    return () => {
      closed = true
      connected?.socket.close()
    }
  }, [onEvent, refreshAll])

  // What is on screen is read.
  useEffect(() => {
    if (view.kind === 'chat' && timelines.current.unread(view.id) > 0) {
      timelines.current.seen(view.id)
      redraw()
    }
  }, [view, drawn])

  // Nothing of the account stays in the page once it is locked.
  const forget = useCallback((info: AccountInfo) => {
    timelines.current.clear()
    known.current.clear()
    setFriends([])
    setConversations([])
    setRequests([])
    setView({ kind: 'friends' })
    setNotice(null)
    setAccount(info)
  }, [])

  const unlocked = useCallback(
    async (info: AccountInfo) => {
      setAccount(info)
      if (node !== null) await refreshAll(node).catch((err: unknown) => setNotice(errorText(err)))
    },
    [node, refreshAll],
  )

  // The status line (web3-shh: shh_version, shh_info, net_peerCount) every 3 s, and the account's
  // state: locked or unlocked elsewhere (another tab, another RPC client), the page follows.
  const accountRef = useRef(account)
  accountRef.current = account
  useEffect(() => {
    if (node === null) return
    const update = async () => {
      setStatus(await node.status().catch(() => null))
      const info = await node.info().catch(() => null)
      const shown = accountRef.current
      if (info === null || shown === null || info.unlocked === shown.unlocked) return
      if (info.unlocked) await unlocked(info)
      else forget(info)
    }
    void update()
    const timer = setInterval(update, 3000)
    return () => clearInterval(timer)
  }, [node, unlocked, forget])

  async function lock() {
    if (node === null) return
    try {
      await node.lock()
    } catch (err) {
      setNotice(errorText(err))
      return
    }
    forget(await node.info())
  }

  function send(id: string, text: string) {
    if (node === null) return
    const t = timelines.current
    const key = t.sending(id, text, Date.now())
    redraw()
    // One at a time per conversation: numbers follow the order the messages were written in.
    const next = (queues.current.get(id) ?? Promise.resolve())
      .then(() => node.send(id, text))
      .then(
        (seq) => t.sent(id, key, seq),
        (err: unknown) => t.failed(id, key, errorText(err)),
      )
      .finally(redraw)
    queues.current.set(id, next)
  }

  async function message(friend: Friend) {
    if (node === null) return
    const live = conversations.find((c) => c.friend === friend.publicKey && c.state !== 'closed' && c.state !== 'closing')
    if (live !== undefined) return setView({ kind: 'chat', id: live.id })
    const opened = await node.open(friend.publicKey)
    await refreshConversations(node)
    setView({ kind: 'chat', id: opened.id })
  }

  const copyKey = () => {
    if (account?.publicKey !== undefined) navigator.clipboard?.writeText(account.publicKey).catch(() => undefined)
  }

  const current = view.kind === 'chat' ? conversations.find((c) => c.id === view.id) : undefined
  // Live conversations first, then closed ones; each by its latest activity, newest first.
  const activity = (c: Conversation) => Math.max(c.createdAtMs, ...timelines.current.items(c.id).map((i) => (i.kind === 'gap' ? 0 : i.atMs)))
  const listed = [...conversations].sort((x, y) => Number(x.state === 'closed') - Number(y.state === 'closed') || activity(y) - activity(x))

  return (
    <main>
      <header className="top">
        <h1>Hush messenger</h1>
        <p className="status" data-testid="status">
          {nodeError !== null ? (
            <span className="error">{nodeError}</span>
          ) : status === null ? (
            'Connecting to the node…'
          ) : (
            <>
              Node: Whisper {status.version} · minimum PoW {status.minPow} · {status.peers} peer{status.peers === 1 ? '' : 's'}
            </>
          )}
        </p>
      </header>
      {notice !== null && (
        <p className="error notice" role="alert" data-testid="notice">
          {notice}{' '}
          <button type="button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </p>
      )}
      {node !== null && account !== null && !account.unlocked && (
        <Account node={node} exists={account.exists} onUnlocked={(info) => void unlocked(info)} />
      )}
      {node !== null && account?.unlocked === true && (
        <div className="layout">
          <aside>
            <section className="me" aria-label="Your account">
              <label>
                Your public key (give it to your friends)
                <input aria-label="Your public key" readOnly value={account.publicKey ?? ''} onFocus={(e) => e.target.select()} />
              </label>
              <span className="actions">
                <button type="button" onClick={copyKey}>
                  Copy
                </button>
                <button type="button" onClick={() => void lock()}>
                  Lock
                </button>
              </span>
            </section>
            <nav>
              <button type="button" className={view.kind === 'friends' ? 'active' : ''} onClick={() => setView({ kind: 'friends' })}>
                Friends ({friends.length})
              </button>
              <button type="button" className={view.kind === 'requests' ? 'active' : ''} onClick={() => setView({ kind: 'requests' })}>
                Requests
                {requests.length > 0 && (
                  <span className="badge" data-testid="requests-count">
                    {requests.length}
                  </span>
                )}
              </button>
            </nav>
            <section className="list" aria-label="Conversations">
              <h2>Conversations</h2>
              {conversations.length === 0 && <p className="empty">None yet: pick a friend and Message.</p>}
              <ul>
                {listed.map((c) => {
                  const unread = timelines.current.unread(c.id)
                  const last = timelines.current.items(c.id).findLast((i) => i.kind !== 'gap')
                  return (
                    <li key={c.id}>
                      <button
                        type="button"
                        className={view.kind === 'chat' && view.id === c.id ? 'active' : ''}
                        data-testid="conversation"
                        data-state={c.state}
                        onClick={() => setView({ kind: 'chat', id: c.id })}
                      >
                        <span className="who">{who(c)}</span>
                        {unread > 0 && (
                          <span className="badge" data-testid="unread" title={`${unread} unread`}>
                            {unread}
                          </span>
                        )}
                        <span className={`state ${c.state}`}>{stateText(c.state, who(c))}</span>
                        {last !== undefined && <span className="preview">{last.text}</span>}
                      </button>
                    </li>
                  )
                })}
              </ul>
            </section>
          </aside>
          <div className="screen">
            {view.kind === 'friends' && <Friends node={node} friends={friends} onChanged={() => refreshAll(node).catch((err: unknown) => setNotice(errorText(err)))} onMessage={message} />}
            {view.kind === 'requests' && (
              <Requests
                node={node}
                requests={requests}
                onAccepted={async (id) => {
                  await refreshAll(node)
                  setView({ kind: 'chat', id })
                }}
                onRejected={() => refreshAll(node)}
              />
            )}
            {view.kind === 'chat' && current !== undefined && (
              <Chat
                key={current.id}
                conversation={current}
                items={timelines.current.items(current.id)}
                closeReason={timelines.current.closeReason(current.id)}
                onSend={(text) => send(current.id, text)}
                onClose={async () => {
                  await node.close(current.id)
                  await refreshConversations(node)
                }}
                onResend={async () => {
                  await node.open(current.friend)
                }}
              />
            )}
          </div>
        </div>
      )}
    </main>
  )
}
