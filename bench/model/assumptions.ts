/**
 * The scale model's stated assumptions (issue 16): what is not measured, chosen and written down
 * here so that every table can be re-read against them. Measured inputs live in `measured.json`.
 */

/** Network sizes the model reports. */
export const MODEL_NODES: readonly number[] = [10_000, 100_000, 1_000_000]

/** A per-user message rate: how often each user (one node per user) posts an envelope. */
export interface UserRate {
  /** Label for the tables. */
  label: string
  /** Envelopes per second per user. */
  perSecond: number
}

/** The per-user rates the model reports: one message an hour, every ten minutes, every minute. */
export const USER_RATES: readonly UserRate[] = [
  { label: '1/hour', perSecond: 1 / 3600 },
  { label: '1/10 min', perSecond: 1 / 600 },
  { label: '1/min', perSecond: 1 / 60 },
]

/** Data sizes the model reports: 1 KiB-class (the network bench's 1000 B) and the session's 300 B class. */
export const ENVELOPE_DATA_BYTES: readonly number[] = [1000, 300]

/** What a phone can give a node, sustained. */
export interface PhoneBudget {
  /** Link bytes per second in each direction (1 Mbit/s: a weak 4G cell or a busy Wi-Fi). */
  linkBytesPerSecond: number
  /** Data plan per month, download and upload together. */
  monthlyBytes: number
  /** RAM for the envelope pool. */
  poolBytes: number
  /** Share of one phone core the node may use without draining the battery. */
  cpuCoreShare: number
}

/** The phone budget (stated, not measured): 1 Mbit/s, 5 GB a month, 1 GB for the pool, 10% of a core. */
export const PHONE: PhoneBudget = {
  linkBytesPerSecond: 1_000_000 / 8,
  monthlyBytes: 5e9,
  poolBytes: 1e9,
  cpuCoreShare: 0.1,
}

/** The same phone on an unmetered connection (Wi-Fi, or a plan without a cap): only the link, RAM and CPU bind. */
export const PHONE_UNMETERED: PhoneBudget = { ...PHONE, monthlyBytes: Number.POSITIVE_INFINITY }

/** Seconds in the model's month (30 days). */
export const SECONDS_PER_MONTH: number = 30 * 86_400

/**
 * A phone core does this share of the measured VM core's work, for hashing and for message handling
 * alike (stated: a mid-range phone's big core against a server core; not measured here).
 */
export const PHONE_CORE_FACTOR = 0.25

/** One-way WAN latency per hop added to the measured per-hop processing (stated; a continental link). */
export const WAN_LINK_MS = 50

/** Degree of the modelled overlay: the network bench's and the degree keeper's minimum (6). */
export const MODEL_DEGREE = 6

/** Seed of the modelled random graphs (the network bench uses 42 too). */
export const MODEL_SEED = 42

/**
 * Seconds a gossipsub router keeps a message for IWANT replies: `mcache_len` 5 heartbeats of 1 s
 * (gossipsub v1.0 spec defaults). Gossipsub keeps no TTL-long pool.
 */
export const GOSSIPSUB_CACHE_SECONDS = 5

/** The changes the model prices, each with its parameter. */
export interface ChangeParameters {
  /** Topics the network's traffic is spread over evenly, for gossipsub's per-topic meshes. */
  gossipTopics: number
  /** Of which one node subscribes to (and relays) this many. */
  gossipTopicsSubscribed: number
  /** Shard counts: the flood splits into this many independent floods by topic. */
  shards: readonly number[]
  /** Shards one node joins (its own conversations'). */
  shardsJoined: number
  /** Topics a light node watches; its 512-bit bloom lets others' envelopes through at its false-positive rate. */
  lightTopics: number
  /** Envelopes a light node's own conversations bring in per envelope the user sends (group chats). */
  lightFanIn: number
  /** Full peers a light node keeps; each may send it a copy of every matching envelope. */
  lightFullPeers: number
}

/** The changes' parameters (stated). */
export const CHANGES: ChangeParameters = {
  gossipTopics: 100,
  gossipTopicsSubscribed: 1,
  shards: [16, 256],
  shardsJoined: 1,
  lightTopics: 20,
  lightFanIn: 10,
  lightFullPeers: 2,
}
