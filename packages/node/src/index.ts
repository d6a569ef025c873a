/**
 * @packageDocumentation
 * A Whisper v6 node for libp2p: floods byte-compatible envelopes over `/shh/6.0.0`, polices its
 * peers, keeps a bounded pool, and gives apps geth's shh API (keys, filters, post) plus a
 * raw-envelope interface for layers with their own crypto.
 *
 * @example
 * ```ts
 * import { createHushNode } from '@hush/node'
 * const node = await createHushNode()
 * const shh = node.services.shh
 * const symKeyID = shh.newSymKey()
 * const topic = topicFromString('chat')
 * for await (const m of shh.subscribe({ symKeyID, topics: [topic] }, { signal })) console.log(m.payload)
 * await shh.post({ symKeyID, topic, payload: utf8ToBytes('hi') })
 * ```
 */
import './polyfill.ts'

export { createHushNode } from './create-node.ts'
export type { HushNode, HushNodeInit, HushServices } from './create-node.ts'
export { DHT_PROTOCOL, DHT_QUERY_SELF_INTERVAL_MS, DISCOVERY_REDIAL_MS, MAX_DISCOVERY_DIALS, MDNS_SERVICE_TAG, type DhtInit, type DiscoveryInit, type MdnsInit } from './discovery.ts'
export { DEFAULT_MAX_DEGREE, DEFAULT_MIN_DEGREE, DEGREE_CHECK_INTERVAL_MS, MAX_DEGREE_DIALS, type DegreeInit } from './degree-keeper.ts'
export { WhisperService, whisper } from './whisper.ts'
export type { WhisperComponents } from './whisper.ts'
export type { WhisperInit } from './settings.ts'
export type {
  DropEventDetail,
  EnvelopeEventDetail,
  MessageCriteria,
  P2PCompleteEventDetail,
  P2PMessageEventDetail,
  P2PRequest,
  P2PRequestHandler,
  P2PSendOptions,
  PostEnvelopeOptions,
  PostOptions,
  PostParams,
  RawPost,
  ReceivedEnvelope,
  SubscribeEnvelopesOptions,
  WhisperEvents,
  WhisperInfo,
  WhisperTraffic,
} from './types.ts'
export type { ReceivedMessage } from './filters.ts'
export type { SealEstimate, SealQuery } from './seal-estimate.ts'
export type { SealProgress } from '@hush/pow'
export type { DropReason } from './validator.ts'
export { DROP_REASONS } from './validator.ts'
export type { PeerScoreInit, ScoreEvent } from './peer-score.ts'
export type { RateLimits } from './settings.ts'
export { loadOrCreatePeerKey } from './peer-key.ts'
export * from './constants.ts'
export {
  FilterNotFoundError,
  InvalidFrameError,
  KeyNotFoundError,
  NotStartedError,
  PeerNotFoundError,
  PostRejectedError,
} from './errors.ts'
