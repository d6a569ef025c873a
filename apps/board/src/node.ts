/**
 * The board's link to its local node, over the node's JSON-RPC WebSocket: web3-shh for the
 * `shh_*` calls (key, info, subscription), the socket's own calls for the `hush_*` and `shhext_*`
 * methods and for the post, which must stay cancellable (`hush_cancelRequest`).
 */
import Shh from 'web3-shh'
import { BOARD_PASSWORD, BOARD_TOPIC, type RpcMessage } from './board.ts'
import { RpcError, RpcSocket } from '@hush/app-kit'

/** `hush_powEstimate`'s answer: how long the node expects to seal an envelope. */
export interface PowEstimate {
  /** The expected (mean) sealing time in milliseconds. */
  expectedMs: number
  /** Nonces per second on one core. */
  hashRate: number
  /** Cores the node seals on. */
  workers: number
}

/** How a post's mining ended. */
export type MineOutcome = { kind: 'sent'; hash: string } | { kind: 'cancelled' } | { kind: 'too-late'; hash: string } | { kind: 'failed'; message: string }

/** A post being mined: cancel it, or await its outcome. */
export interface Mining {
  /** Asks the node to stop sealing; the outcome then says whether it was in time. */
  cancel(): Promise<void>
  outcome: Promise<MineOutcome>
}

/** `shhext_requestMessages`'s answer (one page). */
interface MessagesResponse {
  cursor: string
  envelopes: number
}

/**
 * The sealed envelope's size (its RLP) for a payload, for the estimate: flags, size field and
 * payload padded as geth pads (to the next multiple of 256, a full block when already one), the
 * AES-GCM nonce and tag, and the RLP of expiry, TTL, topic, data and nonce.
 */
function envelopeSize(payloadHex: string): number {
  const payload = (payloadHex.length - 2) / 2
  const raw = 1 + (payload < 0x100 ? 1 : payload < 0x1_0000 ? 2 : 3) + payload
  const data = raw + (256 - (raw % 256)) + 12 + 16
  return data + 30
}

/** The connection to the node and the board's key on it. */
export class BoardNode {
  readonly socket: RpcSocket
  readonly shh: Shh
  readonly symKeyID: string
  readonly minPow: number

  private constructor(socket: RpcSocket, shh: Shh, symKeyID: string, minPow: number) {
    this.socket = socket
    this.shh = shh
    this.symKeyID = symKeyID
    this.minPow = minPow
  }

  /** Connects to the node at `url` (`ws://host:port`) and derives the board's key there. */
  static async connect(url: string): Promise<BoardNode> {
    const socket = new RpcSocket(url)
    await socket.ready()
    // web3-shh takes the socket as its legacy provider (send + on('data')): one connection for all.
    const shh = new Shh(socket as never)
    const [symKeyID, info] = await Promise.all([shh.generateSymKeyFromPassword(BOARD_PASSWORD), shh.getInfo()])
    return new BoardNode(socket, shh, symKeyID, info.minPow)
  }

  /** Calls `onMessage` with every message on the board's topic and key that reaches the node from now on. */
  subscribe(onMessage: (message: RpcMessage) => void, onError: (err: Error) => void): void {
    const subscription = this.shh.subscribe('messages', { symKeyID: this.symKeyID, topics: [BOARD_TOPIC], allowP2P: true } as never)
    subscription.on('data', (message: unknown) => onMessage(message as RpcMessage))
    subscription.on('error', onError)
  }

  /** The node's peer count (`net_peerCount`). */
  async peerCount(): Promise<number> {
    return Number(await this.shh.net.getPeerCount())
  }

  /** The node's peer id (`hush_nodeInfo`). */
  async nodeId(): Promise<string> {
    return (await this.socket.call<{ id: string }>('hush_nodeInfo')).id
  }

  /** How long the node expects to seal a post with this payload (`hush_powEstimate`). */
  estimate(payload: string, ttl: number, powTarget: number): Promise<PowEstimate> {
    return this.socket.call<PowEstimate>('hush_powEstimate', [{ sizeBytes: envelopeSize(payload), ttl, powTarget }])
  }

  /**
   * Seals and sends a post (`shh_post`), allowing ten times the expected time (at least 5 s) before
   * the node gives up. Cancellable with `hush_cancelRequest` on the same socket.
   */
  mine(payload: string, ttl: number, powTarget: number, expectedMs: number): Mining {
    const powTime = Math.max(5, Math.ceil((expectedMs * 10) / 1000))
    const call = this.socket.start<string>('shh_post', [{ symKeyID: this.symKeyID, topic: BOARD_TOPIC, payload, ttl, powTarget, powTime }])
    let cancelled = false
    const outcome = call.result.then(
      (hash): MineOutcome => (cancelled ? { kind: 'too-late', hash } : { kind: 'sent', hash }),
      (err: unknown): MineOutcome => (cancelled && err instanceof RpcError ? { kind: 'cancelled' } : { kind: 'failed', message: (err as Error).message }),
    )
    return {
      outcome,
      cancel: async () => {
        cancelled = true
        await this.socket.call<boolean>('hush_cancelRequest', [call.id])
      },
    }
  }

  /** What the node's pool holds now on the board's topic and key (`hush_pooledMessages`). */
  pooled(): Promise<RpcMessage[]> {
    return this.socket.call<RpcMessage[]>('hush_pooledMessages', [{ symKeyID: this.symKeyID, topics: [BOARD_TOPIC] }])
  }

  /**
   * Asks the mail server `peer` (a peer id the node is connected to, whose mail password is
   * `password`) for the last `seconds` of the board's history, page by page
   * (`shhext_requestMessages`); the envelopes arrive through the subscription. Returns how many the
   * server sent.
   */
  async fromMailServer(peer: string, password: string, seconds: number): Promise<number> {
    const to = Math.floor(Date.now() / 1000)
    let cursor = ''
    let envelopes = 0
    for (let page = 0; page < 1000; page++) {
      const answer = await this.socket.call<MessagesResponse>('shhext_requestMessages', [
        { mailServerPeer: peer, password, from: to - seconds, to, topics: [BOARD_TOPIC], limit: 100, ...(cursor !== '' && { cursor }) },
      ])
      envelopes += answer.envelopes
      cursor = answer.cursor
      if (cursor === '') break
    }
    return envelopes
  }
}
