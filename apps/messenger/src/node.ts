/**
 * The messenger's link to its local node, over the node's JSON-RPC WebSocket: web3-shh for the
 * `shh_*` calls (the status line: `shh_version`, `shh_info`, `net_peerCount`), the socket's own
 * calls for the `hush_*` messenger methods and `hush_subscribe('messenger')` notifications
 * (packages/rpc/README.md, "The messenger: hush_* methods"). The shapes are `@hush/messenger`'s.
 */
import Shh from 'web3-shh'
import { type RpcPayload, RpcSocket } from '@hush/app-kit'
import type { AccountInfo, Conversation, Friend, HistoryEntry, MessengerEvent, NodeStatus, Request } from './types.ts'

/** The connection to the node. */
export class MessengerNode {
  readonly socket: RpcSocket
  readonly shh: Shh

  private constructor(socket: RpcSocket, shh: Shh) {
    this.socket = socket
    this.shh = shh
  }

  /** Connects to the node at `url` (`ws://host:port`). */
  static async connect(url: string): Promise<MessengerNode> {
    const socket = new RpcSocket(url)
    await socket.ready()
    // web3-shh takes the socket as its legacy provider (send + on('data')): one connection for all.
    return new MessengerNode(socket, new Shh(socket as never))
  }

  /** The node's Whisper version, minimum PoW and peer count, through web3-shh. */
  async status(): Promise<NodeStatus> {
    const [version, info, peers] = await Promise.all([this.shh.getVersion(), this.shh.getInfo(), this.shh.net.getPeerCount()])
    return { version: String(version), minPow: info.minPow, peers: Number(peers) }
  }

  /**
   * Calls `onEvent` with every messenger event from now on (`hush_subscribe('messenger')`); the
   * subscription lasts as long as the socket.
   */
  async subscribe(onEvent: (event: MessengerEvent) => void): Promise<void> {
    const early: RpcPayload[] = []
    let id: string | undefined
    const listener = (payload: RpcPayload): void => {
      if (payload.method !== 'hush_subscription') return
      if (id === undefined) early.push(payload)
      else {
        const params = payload.params as { subscription: string; result: MessengerEvent }
        if (params.subscription === id) onEvent(params.result)
      }
    }
    this.socket.on('data', listener)
    id = await this.socket.call<string>('hush_subscribe', ['messenger'])
    for (const payload of early) listener(payload)
  }

  info(): Promise<AccountInfo> {
    return this.socket.call('hush_accountInfo')
  }
  create(password: string): Promise<AccountInfo> {
    return this.socket.call('hush_accountCreate', [password])
  }
  unlock(password: string): Promise<AccountInfo> {
    return this.socket.call('hush_accountUnlock', [password])
  }
  lock(): Promise<boolean> {
    return this.socket.call('hush_accountLock')
  }
  friends(): Promise<Friend[]> {
    return this.socket.call('hush_friendList')
  }
  addFriend(name: string, publicKey: string): Promise<Friend> {
    return this.socket.call('hush_friendAdd', [name, publicKey])
  }
  renameFriend(publicKey: string, name: string): Promise<Friend> {
    return this.socket.call('hush_friendRename', [publicKey, name])
  }
  removeFriend(publicKey: string): Promise<boolean> {
    return this.socket.call('hush_friendRemove', [publicKey])
  }
  /** Sends a request to a friend: the conversation is `inviting` until they accept. */
  open(publicKey: string): Promise<Conversation> {
    return this.socket.call('hush_open', [publicKey])
  }
  requests(): Promise<Request[]> {
    return this.socket.call('hush_requests')
  }
  accept(id: string): Promise<Conversation> {
    return this.socket.call('hush_accept', [id])
  }
  reject(id: string): Promise<boolean> {
    return this.socket.call('hush_reject', [id])
  }
  conversations(): Promise<Conversation[]> {
    return this.socket.call('hush_conversations')
  }
  /** The conversation's messages the node holds in memory (since the unlock). */
  messages(id: string): Promise<HistoryEntry[]> {
    return this.socket.call('hush_messages', [id])
  }
  /** Resolves to the message number once posted; a `receipt` event with it is the delivery tick. */
  send(id: string, text: string): Promise<number> {
    return this.socket.call('hush_send', [id, text])
  }
  /** Resolves once closed: every key of the conversation wiped. */
  close(id: string): Promise<boolean> {
    return this.socket.call('hush_close', [id])
  }
}
